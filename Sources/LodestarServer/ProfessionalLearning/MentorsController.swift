import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Mentors suggested from evidence (`MentorMatch`), pairings a school leader confirms, and the peer
/// visits between the two — walkthroughs of type "peer visit", with feedback between peers.
struct MentorsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("mentors", use: page)
        routes.post("mentors", use: confirm)
        routes.post("mentors", ":pairingId", "end", use: end)
    }

    struct Page: Encodable {
        struct Suggestion: Encodable {
            let indicator: String
            let indicatorKey: String
            let mentorId: String
            let mentor: String
            let mentorEvidence: String
            let menteeId: String
            let mentee: String
            let menteeEvidence: String
        }
        struct Pairing: Encodable { let id: String; let practice: String; let mentor: String; let mentee: String; let since: String; let peerVisits: Int; let mine: Bool }
        let page: PageContext
        let school: String
        let schools: [SelectOption]
        let canSuggest: Bool
        let canPair: Bool
        let suggestions: [Suggestion]
        let pairings: [Pairing]
        let from: String
        let notice: String?
    }

    /// Suggestions for a school over this school year, practice by practice.
    static func suggestions(schoolId: String, framework: Framework, on db: any Database) async throws -> [(indicator: String, suggestion: MentorMatch.Suggestion)] {
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let from = DisplayTime.startOfDay(DisplayTime.schoolYearStart(of: today))
        let practice = try await PracticeAndGrowthController.practice(schoolId: schoolId, from: from, to: Int(Date().timeIntervalSince1970) + 1, on: db)
        var byTeacher: [String: [Double]] = [:]
        for item in try await PracticeAndGrowthController.growth(schoolId: schoolId, through: String(today.prefix(7)), on: db) {
            byTeacher[item.teacher, default: []].append(item.growth)
        }
        let growth = byTeacher.mapValues { $0.reduce(0, +) / Double($0.count) }
        let teachers = Set(try await RosterQueries(db: db.sql).teachers(inSchool: schoolId).map(\.id))
        let goals = try await GrowthGoal.query(on: db).filter(\.$teacherId ~~ Array(teachers)).filter(\.$closedAt == nil).all()
        let pairings = try await MentorPairing.query(on: db).filter(\.$schoolId == schoolId).filter(\.$endedAt == nil).all()
        var result: [(String, MentorMatch.Suggestion)] = []
        for indicator in framework.indicators {
            var perTeacher: [String: PracticeCount] = [:]
            for (teacher, practices) in practice where teachers.contains(teacher) { perTeacher[teacher] = practices[indicator.key] }
            let suggestions = MentorMatch.suggestions(practice: perTeacher, growth: growth,
                                                      goals: Set(goals.filter { $0.indicatorKeys.contains(indicator.key) }.map(\.teacherId)),
                                                      paired: Set(pairings.filter { $0.indicatorKey == indicator.key }.map(\.menteeId)))
            result += suggestions.map { (indicator.key, $0) }
        }
        return result
    }

    func page(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let schools = try await Org.query(on: req.db).filter(\.$type == "school").sort(\.$name).all()
            .filter { viewer.policy.canPlanLearning(forSchool: $0.id!) }
        let school = req.query[String.self, at: "school"].flatMap { id in schools.first { $0.id == id }?.id } ?? schools.first?.id
        if let requested = req.query[String.self, at: "school"], requested != school { try req.require(false) }
        let framework = try await FrameworkStore.active(on: req.db).framework
        let suggestions = try await school.asyncMap { try await Self.suggestions(schoolId: $0, framework: framework, on: req.db) } ?? []
        // The viewer's own pairings, and the chosen school's.
        let pairings = try await MentorPairing.query(on: req.db).filter(\.$endedAt == nil).group(.or) { group in
            group.filter(\.$mentorId == viewer.id).filter(\.$menteeId == viewer.id)
            if let school { group.filter(\.$schoolId == school) }
        }.sort(\.$confirmedAt, .descending).all()
        let names = try await Staff.names(of: Set(suggestions.flatMap { [$0.suggestion.mentor, $0.suggestion.mentee] } + pairings.flatMap { [$0.mentorId, $0.menteeId] }), on: req.db)
        let peerVisits = try await Self.peerVisits(pairings, on: req.db)
        func seen(_ practice: PracticeCount) -> String { "seen in \(practice.seen) of the \(practice.lookedFor) walkthroughs that looked for it" }
        return try await req.view.render("learning/mentors", Page(
            page: PageContext(request: req, title: "Mentors"), school: school ?? "",
            schools: schools.map { SelectOption(value: $0.id!, label: $0.name, selected: $0.id == school) },
            canSuggest: school != nil, canPair: school.map(viewer.policy.canPairMentors(atSchool:)) ?? false,
            suggestions: suggestions.map { indicator, s in
                .init(indicator: framework.indicator(indicator)?.shortName ?? indicator, indicatorKey: indicator,
                      mentorId: s.mentor, mentor: names[s.mentor] ?? s.mentor,
                      mentorEvidence: "\(seen(s.mentorPractice).capitalizedFirst); classes grew \(PracticeAndGrowthController.points(s.mentorGrowth)) points",
                      menteeId: s.mentee, mentee: names[s.mentee] ?? s.mentee,
                      menteeEvidence: [s.menteePractice.map(seen), s.menteeGoal ? "their growth goal" : nil].compactMap { $0 }.joined(separator: "; ").capitalizedFirst)
            },
            pairings: pairings.map { p in
                .init(id: p.id!, practice: framework.indicator(p.indicatorKey)?.shortName ?? p.indicatorKey, mentor: names[p.mentorId] ?? "—", mentee: names[p.menteeId] ?? "—",
                      since: DisplayTime.day(p.confirmedAt), peerVisits: peerVisits[p.id!] ?? 0, mine: p.mentorId == viewer.id || p.menteeId == viewer.id)
            },
            from: DisplayTime.day(DisplayTime.startOfDay(DisplayTime.schoolYearStart(of: DisplayTime.isoDay(Int(Date().timeIntervalSince1970))))),
            notice: req.takeNotice()))
    }

    /// Peer visits between the two of each pairing, either way, since it was confirmed.
    static func peerVisits(_ pairings: [MentorPairing], on db: any Database) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for pairing in pairings {
            let row = try await db.sql.raw("""
                SELECT COUNT(*) AS visits FROM walkthroughs WHERE visit_type = 'peer' AND observed_at >= \(bind: pairing.confirmedAt)
                AND ((observer_id = \(bind: pairing.menteeId) AND teacher_id = \(bind: pairing.mentorId)) OR (observer_id = \(bind: pairing.mentorId) AND teacher_id = \(bind: pairing.menteeId)))
                """).first()
            counts[pairing.id!] = try row?.decode(column: "visits", as: Int.self) ?? 0
        }
        return counts
    }

    struct PairForm: Content {
        var school: String
        var indicator: String
        var mentorId: String
        var menteeId: String
    }

    func confirm(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode(PairForm.self)
        try req.require(viewer.policy.canPairMentors(atSchool: form.school))
        let framework = try await FrameworkStore.active(on: req.db).framework
        let teachers = Set(try await RosterQueries(db: req.db.sql).teachers(inSchool: form.school).map(\.id))
        guard framework.indicator(form.indicator) != nil, teachers.contains(form.mentorId), teachers.contains(form.menteeId), form.mentorId != form.menteeId else {
            throw LodestarError("Choose two different teachers of the school and a practice of the framework.")
        }
        let pairing = MentorPairing()
        pairing.id = UUID().uuidString.lowercased()
        pairing.schoolId = form.school
        pairing.indicatorKey = form.indicator
        pairing.mentorId = form.mentorId
        pairing.menteeId = form.menteeId
        pairing.confirmedBy = viewer.id
        pairing.confirmedAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in
            let existing = try await MentorPairing.query(on: db).filter(\.$schoolId == form.school).filter(\.$indicatorKey == form.indicator)
                .filter(\.$menteeId == form.menteeId).filter(\.$endedAt == nil).count()
            guard existing == 0 else { throw LodestarError("That teacher already has a mentor for this practice.") }
            try await pairing.create(on: db)
        }
        req.leaveNotice("Pairing confirmed.")
        return req.redirect(to: "/mentors?school=\(form.school.urlQueryEncoded)")
    }

    func end(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        guard let pairing = try await MentorPairing.find(try req.parameters.require("pairingId"), on: req.db) else { throw LodestarError.notFound }
        try req.require(viewer.policy.canPairMentors(atSchool: pairing.schoolId))
        pairing.endedAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in try await pairing.save(on: db) }
        req.leaveNotice("Pairing ended.")
        return req.redirect(to: "/mentors?school=\(pairing.schoolId.urlQueryEncoded)")
    }
}
