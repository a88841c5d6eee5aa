import Fluent
import Foundation
import LodestarCore
import SQLKit

/// The questions walkthrough pages ask.
struct WalkthroughQueries {
    let db: any Database
    var sql: any SQLDatabase { db.sql }

    /// A teacher the capture page can offer, with the classes they teach.
    struct CaptureTeacher: Codable, Sendable {
        struct Class: Codable, Sendable {
            var id: String
            var title: String
            var periods: [String]
            var allDay: Bool
        }
        /// What to look for after a professional learning session the teacher attended recently.
        struct FollowUp: Codable, Sendable {
            var session: String
            var lookFors: [String]
        }
        var id: String
        var name: String
        var schoolId: String
        var classes: [Class]
        var followUps: [FollowUp] = []
    }

    /// Teachers `viewer` may visit, for the capture page's type-ahead.
    func teachersToVisit(by viewer: Viewer) async throws -> [CaptureTeacher] {
        let policy = viewer.policy
        let caseload = try await CoachingQueries(db: db).caseload(of: viewer.id)
        // District roles see every school; others only the schools they work in.
        guard policy.seesWholeDistrict || !policy.schoolIds.isEmpty else { return [] }
        var teachers: [CaptureTeacher] = []
        var seen: Set<String> = []
        for teacher in try await StaffDirectory(db: db).holders(of: [.teacher], atSchools: policy.seesWholeDistrict ? nil : policy.schoolIds.sorted()) {
            let school = teacher.schoolId ?? ""
            guard teacher.id != viewer.id, !seen.contains(teacher.id) else { continue }
            guard policy.offersToVisit(teacherAt: school, onCaseload: caseload.contains(teacher.id)) else { continue }
            seen.insert(teacher.id)
            teachers.append(CaptureTeacher(id: teacher.id, name: teacher.name, schoolId: school, classes: []))
        }
        var classes: [String: [CaptureTeacher.Class]] = [:]
        for taught in try await RosterQueries(db).classesTaught(atSchools: policy.seesWholeDistrict ? nil : policy.schoolIds.sorted())
        where seen.contains(taught.teacherId) {
            classes[taught.teacherId, default: []].append(.init(id: taught.id, title: taught.title, periods: taught.periods, allDay: taught.isHomeroom))
        }
        let followUps = try await LearningQueries(db: db).followUpLookFors()
        return teachers.map { teacher in
            var teacher = teacher
            teacher.classes = classes[teacher.id] ?? []
            teacher.followUps = followUps[teacher.id] ?? []
            return teacher
        }
    }

    /// A walkthrough in a list: who, when, and where its feedback stands.
    struct ListItem: Codable, Sendable {
        var id: String
        var teacherId: String
        var schoolId: String
        var teacherName: String
        var observerName: String
        var classTitle: String?
        var visitType: String
        var observedAt: Int
        var sharedAt: Int?
        var readAt: Int?
        var glow: String
        var grow: String
        var question: String
        var replies: Int

        /// Where the visit's feedback stands, as the lists say it.
        var feedbackStatus: String {
            sharedAt == nil ? "Draft — not shared" : replies > 0 ? "Replied" : readAt == nil ? "Shared, not yet read" : "Read"
        }
    }

    enum ListScope {
        case madeBy(String)
        case sharedWith(String)
        /// Every visit of a teacher, by anyone: for those who may read them all (`AccessPolicy.canSeeWalkthroughs`).
        case ofTeacher(String)
    }

    /// What a list of visits is narrowed to; nil or empty means any.
    struct ListFilter: Sendable, Equatable {
        enum Status: String, CaseIterable, Sendable {
            case draft, shared, replied
            var label: String {
                switch self {
                case .draft: "Drafts"
                case .shared: "Shared, no reply yet"
                case .replied: "Replied"
                }
            }
        }
        var teacherId: String?
        /// Visits that looked for the practice (marked it seen or not seen).
        var indicator: String?
        /// ISO days, inclusive, district time.
        var from: String?
        var through: String?
        var status: Status?
    }

    private func conditions(_ scope: ListScope, _ filter: ListFilter) -> SQLQueryString {
        var condition: SQLQueryString = switch scope {
        case .madeBy(let id): "w.observer_id = \(bind: id)"
        case .sharedWith(let id): "w.teacher_id = \(bind: id) AND w.shared_at IS NOT NULL"
        case .ofTeacher(let id): "w.teacher_id = \(bind: id)"
        }
        if let teacher = filter.teacherId { condition += " AND w.teacher_id = \(bind: teacher)" }
        if let indicator = filter.indicator {
            condition += " AND EXISTS (SELECT 1 FROM indicator_marks m WHERE m.walkthrough_id = w.id AND m.indicator_key = \(bind: indicator) AND m.mark <> 'not_applicable')"
        }
        if let from = filter.from { condition += " AND w.observed_at >= \(bind: DisplayTime.startOfDay(from))" }
        if let through = filter.through { condition += " AND w.observed_at < \(bind: DisplayTime.startOfDay(DisplayTime.isoDay(through, plus: 1)))" }
        let replied: SQLQueryString = "EXISTS (SELECT 1 FROM feedback_replies r WHERE r.walkthrough_id = w.id AND r.author_id = w.teacher_id)"
        switch filter.status {
        case .draft?: condition += " AND w.shared_at IS NULL"
        case .shared?: condition += " AND w.shared_at IS NOT NULL AND NOT " + replied
        case .replied?: condition += " AND " + replied
        case nil: break
        }
        return condition
    }

    /// Visits newest first, `limit` from `offset`.
    func list(_ scope: ListScope, filter: ListFilter = ListFilter(), limit: Int = 200, offset: Int = 0) async throws -> [ListItem] {
        struct Row: Decodable {
            var id: String, teacherId: String, observerId: String, schoolId: String, classId: String?, visitType: String, observedAt: Int
            var sharedAt: Int?, readAt: Int?, glow: String, grow: String, question: String, replies: Int
        }
        let rows = try await sql.raw("""
            SELECT w.id, w.teacher_id, w.observer_id, w.school_id, w.class_id, w.visit_type, w.observed_at, w.shared_at, w.read_at, w.glow, w.grow, w.question,
                   (SELECT COUNT(*) FROM feedback_replies r WHERE r.walkthrough_id = w.id) AS replies
            FROM walkthroughs w
            WHERE \(conditions(scope, filter)) ORDER BY w.observed_at DESC, w.id LIMIT \(literal: limit) OFFSET \(literal: offset)
            """).all(decoding: Row.self, keyDecodingStrategy: .snakeCase)
        let names = try await Staff.names(of: rows.flatMap { [$0.teacherId, $0.observerId] }, on: db)
        let classes = try await RosterQueries(db).schoolClasses(Set(rows.compactMap(\.classId)))
        let titles = Dictionary(uniqueKeysWithValues: classes.map { ($0.id!, $0.title) })
        return rows.map { row in
            ListItem(id: row.id, teacherId: row.teacherId, schoolId: row.schoolId, teacherName: names[row.teacherId] ?? "",
                     observerName: names[row.observerId] ?? "", classTitle: row.classId.flatMap { titles[$0] }, visitType: row.visitType,
                     observedAt: row.observedAt, sharedAt: row.sharedAt, readAt: row.readAt, glow: row.glow, grow: row.grow,
                     question: row.question, replies: row.replies)
        }
    }

    func count(_ scope: ListScope, filter: ListFilter) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM walkthroughs w WHERE \(conditions(scope, filter))").first()!.decode(column: "n", as: Int.self)
    }

    /// The teachers an observer has visited, by name, for the filter.
    func teachersVisited(by observer: String) async throws -> [(id: String, name: String)] {
        let ids = try await sql.raw("SELECT DISTINCT teacher_id FROM walkthroughs WHERE observer_id = \(bind: observer)").all()
            .map { try $0.decode(column: "teacher_id", as: String.self) }
        return try await StaffDirectory(db: db).people(ids: ids).map { ($0.id!, $0.displayName) }
    }

    /// Announced visits still ahead, for the teacher or the observer.
    struct UpcomingVisit: Codable, Sendable {
        var observerName: String
        var teacherName: String
        var visitType: String
        var scheduledFor: Int
        var note: String
    }

    enum UpcomingScope { case forTeacher(String), byObserver(String) }

    func upcomingVisits(_ scope: UpcomingScope) async throws -> [UpcomingVisit] {
        let now = Int(Date().timeIntervalSince1970)
        let condition: SQLQueryString = switch scope {
        case .forTeacher(let id): "v.teacher_id = \(bind: id)"
        case .byObserver(let id): "v.observer_id = \(bind: id)"
        }
        struct Row: Decodable { var observerId: String, teacherId: String, visitType: String, scheduledFor: Int, note: String }
        let rows = try await sql.raw("""
            SELECT v.observer_id, v.teacher_id, v.visit_type, v.scheduled_for, v.note FROM scheduled_visits v
            WHERE \(condition) AND v.scheduled_for >= \(bind: now - 3_600) ORDER BY v.scheduled_for, v.id LIMIT 20
            """).all(decoding: Row.self, keyDecodingStrategy: .snakeCase)
        let names = try await Staff.names(of: rows.flatMap { [$0.observerId, $0.teacherId] }, on: db)
        return rows.map {
            UpcomingVisit(observerName: names[$0.observerId] ?? "", teacherName: names[$0.teacherId] ?? "", visitType: $0.visitType,
                          scheduledFor: $0.scheduledFor, note: $0.note)
        }
    }

    /// Feedback-loop health and visit coverage of each school over the last `days` days.
    struct SchoolLoop: Sendable {
        var schoolId: String
        var teachers: Int
        var visitedTeachers: Int
        var loop: FeedbackLoop
    }

    /// Pages and the leadership self-assessment's evidence say a school's loop in these words.
    /// "18 of 20 (90%)": teachers of the school visited there.
    static func coverageText(_ school: SchoolLoop) -> String {
        "\(school.visitedTeachers) of \(school.teachers) (\(Percent.text(school.teachers > 0 ? Double(school.visitedTeachers) / Double(school.teachers) : nil)))"
    }
    /// "3.5 h", or "—" when nothing was shared.
    static func medianText(_ loop: FeedbackLoop) -> String { loop.medianHoursToFeedback.map { String(format: "%.1f h", $0) } ?? "—" }

    /// Counted from `FeedbackDays` (a row per school and day; the visits of a day the window cuts through); the
    /// teachers of the school are then found in hand.
    func feedbackLoops(schoolIds: [String]?, days: Int = 30, now: Int = Int(Date().timeIntervalSince1970)) async throws -> [SchoolLoop] {
        let totals = try await FeedbackDays.totals(from: now - days * 86_400, through: now, schoolIds: schoolIds, on: db)
        // Visited teachers: teachers of the school seen there, not visitors from elsewhere.
        let teachers = try await StaffDirectory(db: db).staffIds(holding: [.teacher], bySchool: schoolIds)
        let schools = schoolIds ?? Array(Set(teachers.keys).union(totals.keys))
        return schools.map { school in
            let counted = totals[school] ?? FeedbackDays.Totals()
            let ofTheSchool = teachers[school] ?? []
            return SchoolLoop(schoolId: school, teachers: ofTheSchool.count, visitedTeachers: counted.teachers.filter(ofTheSchool.contains).count,
                              loop: counted.loop)
        }
    }

    /// Keeps `teacher_replied` — whether the visited teacher has replied to the visit — for the feedback loop's
    /// index: after a reply (`ids`: its visit), and for every visit after a migration or the demo wrote replies directly.
    func recountTeacherReplies(_ ids: [String]? = nil) async throws {
        var which: SQLQueryString = ""
        if let ids { which = ids.isEmpty ? " WHERE 1 = 0" : " WHERE id IN (\(binds: ids))" }
        try await sql.raw("""
            UPDATE walkthroughs SET teacher_replied = CASE WHEN EXISTS (
                SELECT 1 FROM feedback_replies r WHERE r.walkthrough_id = walkthroughs.id AND r.author_id = walkthroughs.teacher_id) THEN 1 ELSE 0 END\(which)
            """).run()
    }

    /// Each teacher's `PracticeCount` of each practice seen at a school in a window (the active framework of
    /// each visit decides what was looked for).
    func practice(schoolId: String, from: Int, to: Int) async throws -> [String: [String: PracticeCount]] {
        var marks: [String: [String: String]] = [:]
        var visits: [(id: String, teacher: String, framework: String)] = []
        for row in try await sql.raw("""
            SELECT w.id, w.teacher_id, w.framework_id, m.indicator_key, m.mark FROM walkthroughs w LEFT JOIN indicator_marks m ON m.walkthrough_id = w.id
            WHERE w.school_id = \(bind: schoolId) AND w.observed_at >= \(bind: from) AND w.observed_at < \(bind: to)
            """).all() {
            let id = try row.decode(column: "id", as: String.self)
            if marks[id] == nil {
                marks[id] = [:]
                visits.append((id, try row.decode(column: "teacher_id", as: String.self), try row.decode(column: "framework_id", as: String.self)))
            }
            if let key = try row.decode(column: "indicator_key", as: String?.self) { marks[id]![key] = try row.decode(column: "mark", as: String.self) }
        }
        let frameworks = try await FrameworkStore.frameworks(ids: visits.map(\.framework), on: db)
        var result: [String: [String: PracticeCount]] = [:]
        for visit in visits {
            guard let framework = frameworks[visit.framework] else { continue }
            for indicator in framework.indicators {
                result[visit.teacher, default: [:]][indicator.key, default: PracticeCount()].add(mark: marks[visit.id]?[indicator.key], on: framework.scale)
            }
        }
        return result
    }

    /// Peer visits between the two of each mentor pairing, either way, since it was confirmed.
    func peerVisits(_ pairings: [(id: String, mentor: String, mentee: String, since: Int)]) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for pairing in pairings {
            let row = try await sql.raw("""
                SELECT COUNT(*) AS visits FROM walkthroughs WHERE visit_type = 'peer' AND observed_at >= \(bind: pairing.since)
                AND ((observer_id = \(bind: pairing.mentee) AND teacher_id = \(bind: pairing.mentor)) OR (observer_id = \(bind: pairing.mentor) AND teacher_id = \(bind: pairing.mentee)))
                """).first()
            counts[pairing.id] = try row?.decode(column: "visits", as: Int.self) ?? 0
        }
        return counts
    }

    /// For the coverage page and a coach's caseload: each teacher's last visit (at any school), visits since
    /// `termStart`, and next visit scheduled (by `scheduledBy` alone, if given). Teachers never visited and with
    /// nothing scheduled are absent.
    struct Coverage: Sendable { var lastVisit: Int?; var termVisits = 0; var upcoming: Int? }
    func coverage(of teachers: [String], termStart: Int, now: Int, scheduledBy observer: String? = nil) async throws -> [String: Coverage] {
        guard !teachers.isEmpty else { return [:] }
        var result: [String: Coverage] = [:]
        for row in try await sql.raw("""
            SELECT teacher_id, MAX(observed_at) AS last_visit, SUM(CASE WHEN observed_at >= \(bind: termStart) THEN 1 ELSE 0 END) AS term_visits
            FROM walkthroughs WHERE teacher_id IN (\(binds: teachers)) GROUP BY teacher_id
            """).all() {
            result[try row.decode(column: "teacher_id", as: String.self), default: Coverage()].lastVisit = try row.decode(column: "last_visit", as: Int.self)
            result[try row.decode(column: "teacher_id", as: String.self)]!.termVisits = try row.decode(column: "term_visits", as: Int.self)
        }
        let byObserver: SQLQueryString = observer.map { " AND observer_id = \(bind: $0)" } ?? ""
        for row in try await sql.raw("""
            SELECT teacher_id, MIN(scheduled_for) AS upcoming FROM scheduled_visits
            WHERE teacher_id IN (\(binds: teachers)) AND scheduled_for >= \(bind: now)\(byObserver) GROUP BY teacher_id
            """).all() {
            result[try row.decode(column: "teacher_id", as: String.self), default: Coverage()].upcoming = try row.decode(column: "upcoming", as: Int.self)
        }
        return result
    }

    /// Teachers of a school with no walkthrough in the last `days` days.
    func teachersNotVisited(inSchool schoolId: String, days: Int) async throws -> Int {
        let since = Int(Date().timeIntervalSince1970) - days * 86_400
        let teachers = Set(try await StaffDirectory(db: db).grants(of: [.teacher], atSchools: [schoolId]).map(\.staffId))
        guard !teachers.isEmpty else { return 0 }
        let visited = try await sql.raw("""
            SELECT DISTINCT teacher_id FROM walkthroughs WHERE teacher_id IN (\(binds: teachers.sorted())) AND observed_at >= \(bind: since)
            """).all().map { try $0.decode(column: "teacher_id", as: String.self) }
        return teachers.subtracting(visited).count
    }

    func unsharedCount(observer: String) async throws -> Int {
        try await Walkthrough.query(on: db).filter(\.$observerId == observer).filter(\.$sharedAt == nil).count()
    }

    func unreadCount(teacher: String) async throws -> Int {
        try await Walkthrough.query(on: db).filter(\.$teacherId == teacher).filter(\.$sharedAt != nil).filter(\.$readAt == nil).count()
    }

    /// The feedback-loop measures over a list of visits: an observer's, or a teacher's.
    func feedbackLoop(_ scope: ListScope, filter: ListFilter = ListFilter()) async throws -> FeedbackLoop {
        let rows = try await sql.raw("""
            SELECT w.observed_at, w.shared_at,
                   (SELECT COUNT(*) FROM feedback_replies r WHERE r.walkthrough_id = w.id AND r.author_id = w.teacher_id) AS replies
            FROM walkthroughs w WHERE \(conditions(scope, filter))
            """).all()
        return FeedbackLoop(try rows.map { row in
            FeedbackLoop.Visit(observedAt: Double(try row.decode(column: "observed_at", as: Int.self)),
                               sharedAt: try row.decode(column: "shared_at", as: Int?.self).map(Double.init),
                               replied: try row.decode(column: "replies", as: Int.self) > 0)
        })
    }
}
