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

    func page(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let schools = try await RosterQueries(req.db).schoolOrgs()
            .filter { viewer.policy.canPlanLearning(forSchool: $0.id!) }
        let school = req.query[String.self, at: "school"].flatMap { id in schools.first { $0.id == id }?.id } ?? schools.first?.id
        if let requested = req.query[String.self, at: "school"], requested != school { try req.require(false) }
        let framework = try await FrameworkStore.active(on: req.db).framework
        let suggestions = try await school.asyncMap { try await LearningQueries(db: req.db).mentorSuggestions(schoolId: $0, framework: framework) } ?? []
        // The viewer's own pairings, and the chosen school's.
        let pairings = try await MentorPairing.query(on: req.db).filter(\.$endedAt == nil).group(.or) { group in
            group.filter(\.$mentorId == viewer.id).filter(\.$menteeId == viewer.id)
            if let school { group.filter(\.$schoolId == school) }
        }.sort(\.$confirmedAt, .descending).all()
        let names = try await Staff.names(of: Set(suggestions.flatMap { [$0.suggestion.mentor, $0.suggestion.mentee] } + pairings.flatMap { [$0.mentorId, $0.menteeId] }), on: req.db)
        let peerVisits = try await WalkthroughQueries(db: req.db).peerVisits(pairings.map { ($0.id!, $0.mentorId, $0.menteeId, $0.confirmedAt) })
        func seen(_ practice: PracticeCount) -> String { "seen in \(practice.seen) of the \(practice.lookedFor) walkthroughs that looked for it" }
        return try await req.view.render("learning/mentors", Page(
            page: PageContext(request: req, title: "Mentors"), school: school ?? "",
            schools: schools.map { SelectOption(value: $0.id!, label: $0.name, selected: $0.id == school) },
            canSuggest: school != nil, canPair: school.map(viewer.policy.canPairMentors(atSchool:)) ?? false,
            suggestions: suggestions.map { indicator, s in
                .init(indicator: framework.indicator(indicator)?.shortName ?? indicator, indicatorKey: indicator,
                      mentorId: s.mentor, mentor: names[s.mentor] ?? s.mentor,
                      mentorEvidence: "\(seen(s.mentorPractice).capitalizedFirst); classes grew \(Points.tenths(s.mentorGrowth)) points",
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
        let teachers = Set(try await RosterQueries(req.db).teachers(inSchool: form.school).map(\.id))
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
