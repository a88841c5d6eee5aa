import Fluent
import Foundation
import LodestarCore
import SQLKit

/// What other features read of walkthroughs and caseloads, so that none of them queries these tables itself.
extension WalkthroughQueries {
    func walkthrough(_ id: String) async throws -> Walkthrough? { try await Walkthrough.find(id, on: db) }

    /// Who may open a walkthrough: its observer; its teacher once it is shared; and anyone the policy lets see
    /// the teacher's walkthroughs (at the teacher's schools and the visit's). One rule for the walkthrough's
    /// page and for every link to it.
    func mayOpen(_ walkthrough: Walkthrough, viewer: Viewer) async throws -> Bool {
        if walkthrough.observerId == viewer.id { return true }
        if walkthrough.teacherId == viewer.id { return walkthrough.sharedAt != nil }
        let schools = try await StaffDirectory(db: db).teachingSchools(of: walkthrough.teacherId).union([walkthrough.schoolId])
        return viewer.policy.canSeeWalkthroughs(ofTeacherAt: schools, isSelf: false,
                                                onCaseload: try await CoachingQueries(db: db).isOnCaseload(coach: viewer.id, teacher: walkthrough.teacherId))
    }

    /// Of these walkthroughs, the ones shared with their teacher.
    func shared(among ids: [String]) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return Set(try await Walkthrough.query(on: db).filter(\.$id ~~ ids).filter(\.$sharedAt != nil).all().compactMap(\.id))
    }

    /// An observer's latest visits to a teacher, newest first.
    func visits(to teacher: String, by observer: String, limit: Int) async throws -> [Walkthrough] {
        try await Walkthrough.query(on: db).filter(\.$teacherId == teacher).filter(\.$observerId == observer)
            .sort(\.$observedAt, .descending).limit(limit).all()
    }

    /// Visits to a teacher shared with them since `since`, newest first, with their marks on `practices`.
    func sharedVisits(to teacher: String, since: Int, practices: [String]) async throws -> (visits: [Walkthrough], marks: [IndicatorMark]) {
        let visits = try await Walkthrough.query(on: db).filter(\.$teacherId == teacher).filter(\.$sharedAt != nil)
            .filter(\.$observedAt >= since).sort(\.$observedAt, .descending).all()
        guard !visits.isEmpty, !practices.isEmpty else { return (visits, []) }
        return (visits, try await IndicatorMark.query(on: db).filter(\.$walkthroughId ~~ visits.compactMap(\.id)).filter(\.$indicatorKey ~~ practices).all())
    }

    /// How many walkthroughs were taken on a framework version (a used version is kept, not deleted).
    func visitCount(framework id: String) async throws -> Int {
        try await Walkthrough.query(on: db).filter(\.$frameworkId == id).count()
    }

    /// A shared walkthrough's feedback as its teacher reads it (glow, grow, question), for an email when the
    /// district allows feedback in email; nil if it is not shared.
    func sharedFeedback(of id: String) async throws -> [(heading: String, text: String)]? {
        guard let walkthrough = try await Walkthrough.find(id, on: db), walkthrough.sharedAt != nil else { return nil }
        return [("Glow", walkthrough.glow), ("Grow", walkthrough.grow), ("Question", walkthrough.question)].filter { !$0.1.isEmpty }
    }

    /// Plans an announced visit (the teacher sees it on their Today page); call inside the write's transaction.
    /// The one way to plan one: from the coverage page, and as a coaching conversation's follow-up.
    @discardableResult
    func planVisit(observer: String, teacher: String, school: String, type: VisitType, at when: Int, note: String) async throws -> ScheduledVisit {
        let visit = ScheduledVisit()
        visit.id = UUID().uuidString.lowercased()
        visit.observerId = observer
        visit.teacherId = teacher
        visit.schoolId = school
        visit.visitType = type.rawValue
        visit.scheduledFor = when
        visit.note = String(note.trimmingCharacters(in: .whitespacesAndNewlines).prefix(1_000))
        visit.createdAt = Int(Date().timeIntervalSince1970)
        try await visit.create(on: db)
        try await db.announce(.visitPlanned(visit))
        return visit
    }

    /// A visit with where and when it happened and every mark it gave (indicator → mark): what the
    /// practice rollups count.
    struct VisitWithMarks: Sendable {
        var id: String
        var teacherId: String
        var schoolId: String
        var observedAt: Int
        var frameworkId: String
        var gradeBand: String
        var subject: String
        var marks: [String: String]
    }

    func visitsWithMarks(_ ids: [String]) async throws -> [VisitWithMarks] {
        guard !ids.isEmpty else { return [] }
        return try await visitsWithMarks(where: "id IN (\(binds: ids))", indicators: nil)
    }

    /// The visits to `teachers` in `[from, to)`, with their marks on `indicators` (nil: every mark).
    func visitsWithMarks(ofTeachers teachers: [String], from: Int, to: Int, indicators: [String]? = nil) async throws -> [VisitWithMarks] {
        var visits: [VisitWithMarks] = []
        for chunk in teachers.chunks(of: 500) {
            visits += try await visitsWithMarks(where: "teacher_id IN (\(binds: chunk)) AND observed_at >= \(bind: from) AND observed_at < \(bind: to)",
                                                indicators: indicators)
        }
        return visits
    }

    /// The walkthroughs `condition` selects, then their marks, a thousand visits at a time.
    private func visitsWithMarks(where condition: SQLQueryString, indicators: [String]?) async throws -> [VisitWithMarks] {
        var visits = try await sql.raw("SELECT id, teacher_id, school_id, observed_at, framework_id, grade_band, subject FROM walkthroughs WHERE \(condition)").all().map {
            VisitWithMarks(id: try $0.decode(column: "id", as: String.self), teacherId: try $0.decode(column: "teacher_id", as: String.self),
                           schoolId: try $0.decode(column: "school_id", as: String.self), observedAt: try $0.decode(column: "observed_at", as: Int.self),
                           frameworkId: try $0.decode(column: "framework_id", as: String.self), gradeBand: try $0.decode(column: "grade_band", as: String.self),
                           subject: try $0.decode(column: "subject", as: String.self), marks: [:])
        }
        var marks: [String: [String: String]] = [:]
        for batch in visits.map(\.id).chunks(of: 1_000) {
            var query: SQLQueryString = "SELECT walkthrough_id, indicator_key, mark FROM indicator_marks WHERE walkthrough_id IN (\(binds: batch))"
            if let indicators { query += indicators.isEmpty ? " AND 1 = 0" : " AND indicator_key IN (\(binds: indicators))" }
            for row in try await sql.raw(query).all() {
                marks[try row.decode(column: "walkthrough_id", as: String.self), default: [:]][try row.decode(column: "indicator_key", as: String.self)] =
                    try row.decode(column: "mark", as: String.self)
            }
        }
        for index in visits.indices { visits[index].marks = marks[visits[index].id] ?? [:] }
        return visits
    }

    /// A visit in a window: when, when its feedback was shared, its framework, and the mark it gave one
    /// practice (nil: none, or no practice asked for).
    struct WindowVisit: Sendable { var observedAt: Int; var sharedAt: Int?; var frameworkId: String; var mark: String? }

    /// Visits in `[from, to)` at a school (nil: the district).
    func visits(atSchool schoolId: String?, from: Int, to: Int, markOf indicator: String? = nil) async throws -> [WindowVisit] {
        var query: SQLQueryString = "SELECT w.observed_at, w.shared_at, w.framework_id"
        if let indicator {
            query += ", m.mark FROM walkthroughs w LEFT JOIN indicator_marks m ON m.walkthrough_id = w.id AND m.indicator_key = \(bind: indicator)"
        } else {
            query += ", NULL AS mark FROM walkthroughs w"
        }
        query += " WHERE w.observed_at >= \(bind: from) AND w.observed_at < \(bind: to)"
        if let schoolId { query += " AND w.school_id = \(bind: schoolId)" }
        return try await sql.raw(query).all().map {
            WindowVisit(observedAt: try $0.decode(column: "observed_at", as: Int.self), sharedAt: try $0.decode(column: "shared_at", as: Int?.self),
                        frameworkId: try $0.decode(column: "framework_id", as: String.self), mark: try $0.decode(column: "mark", as: String?.self))
        }
    }

    /// A leader's visits in `[from, to)`: what their time ledger shows.
    struct ObserverVisit: Decodable, Sendable { var id: String; var observerId: String; var teacherId: String; var observedAt: Int; var visitType: String }

    func visits(byObservers observers: [String], from: Int, to: Int) async throws -> [ObserverVisit] {
        guard !observers.isEmpty else { return [] }
        return try await sql.raw("""
            SELECT id, observer_id, teacher_id, observed_at, visit_type FROM walkthroughs
            WHERE observer_id IN (\(binds: observers)) AND observed_at >= \(bind: from) AND observed_at < \(bind: to)
            """).all(decoding: ObserverVisit.self, keyDecodingStrategy: .snakeCase)
    }

    /// Every walkthrough's id, in order, for recomputing what is derived from them in batches.
    func allIds() async throws -> [String] {
        try await sql.raw("SELECT id FROM walkthroughs ORDER BY id").all().map { try $0.decode(column: "id", as: String.self) }
    }

    /// A visit that looked for a practice, with the mark it gave.
    struct MarkedVisit: Decodable, Sendable {
        var id: String
        var observedAt: Int
        var teacherId: String
        var observerId: String
        var schoolId: String
        var mark: String
        var frameworkId: String
    }

    /// Visits in `[from, to)` that looked for the practice (marked it anything but not applicable), newest
    /// first, at `schoolIds` (nil: every school) and in a grade band and subject ("" for any).
    func visitsLookingFor(_ indicator: String, from: Int, to: Int, schoolIds: [String]?, gradeBand: String, subject: String, limit: Int) async throws -> [MarkedVisit] {
        var query: SQLQueryString = """
            SELECT w.id, w.observed_at, w.teacher_id, w.observer_id, w.school_id, m.mark, w.framework_id
            FROM walkthroughs w JOIN indicator_marks m ON m.walkthrough_id = w.id AND m.indicator_key = \(bind: indicator)
            WHERE w.observed_at >= \(bind: from) AND w.observed_at < \(bind: to) AND m.mark <> 'not_applicable'
            """
        if let schoolIds { query += schoolIds.isEmpty ? " AND 1 = 0" : " AND w.school_id IN (\(binds: schoolIds))" }
        if !gradeBand.isEmpty { query += " AND w.grade_band = \(bind: gradeBand)" }
        if !subject.isEmpty { query += " AND w.subject = \(bind: subject)" }
        query += " ORDER BY w.observed_at DESC, w.id LIMIT \(literal: limit)"
        return try await sql.raw(query).all(decoding: MarkedVisit.self, keyDecodingStrategy: .snakeCase)
    }
}

extension WalkthroughQueries {
    /// Announced visits a person plans or receives, starting in `from..<to` (seconds since 1970).
    func plannedVisits(involving person: String, from: Int, to: Int) async throws -> [ScheduledVisit] {
        try await ScheduledVisit.query(on: db).group(.or) { $0.filter(\.$observerId == person).filter(\.$teacherId == person) }
            .filter(\.$scheduledFor >= from).filter(\.$scheduledFor < to).all()
    }
}
