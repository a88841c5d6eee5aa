import Fluent
import Foundation
import LodestarCore
import Vapor

/// Hiring against a profile: openings, their committee and candidates. A candidate's ratings are on
/// `HiringController+Candidate`. Only the committee, the school's principal and district leaders see any of it.
struct HiringController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let hiring = routes.grouped("hiring")
        hiring.get(use: index)
        hiring.post(use: open)
        let opening = hiring.grouped(":openingId")
        opening.get(use: openingPage)
        opening.post("committee", use: setCommittee)
        opening.post("candidates", use: addCandidate)
        let candidate = opening.grouped("candidates", ":candidateId")
        candidate.get(use: candidatePage)
        candidate.post("ratings", use: rate)
        candidate.post("decision", use: decide)
        candidate.get("export", use: export)
        candidate.post("delete", use: deleteCandidate)
    }

    /// An opening and who is looking at it.
    struct OpeningContext {
        let viewer: Viewer
        let opening: Opening
        let profile: HiringProfile
        let committee: [String]
        let schoolName: String
        var isMember: Bool { committee.contains(viewer.id) }
        var runs: Bool { viewer.policy.runsHiring(atSchool: opening.schoolId) }
        var base: String { "/hiring/\(opening.id!)" }
    }

    static func context(_ req: Request) async throws -> OpeningContext {
        let viewer = try await req.viewer()
        let queries = HiringQueries(db: req.db)
        guard let opening = try await queries.opening(try req.parameters.require("openingId")) else { throw LodestarError.notFound }
        let committee = try await queries.committee(of: opening.id!)
        try req.require(viewer.policy.canSeeOpening(atSchool: opening.schoolId, isCommittee: committee.contains(viewer.id)))
        return OpeningContext(viewer: viewer, opening: opening, profile: try opening.profile, committee: committee,
                              schoolName: try await RosterQueries(req.db).org(opening.schoolId)?.name ?? opening.schoolId)
    }

    // MARK: Openings

    struct IndexPage: Encodable {
        struct Row: Encodable { let href: String; let title: String; let school: String; let status: String; let candidates: Int; let opened: String }
        let page: PageContext
        let rows: [Row]
        let schools: [SelectOption]
        let profiles: [SelectOption]
        let editsProfiles: Bool
        let error: String?
    }

    func index(req: Request) async throws -> Response {
        try await renderIndex(req, error: nil)
    }

    private func renderIndex(_ req: Request, error: String?) async throws -> Response {
        let viewer = try await req.viewer()
        let queries = HiringQueries(db: req.db)
        let schools = try await RosterQueries(req.db).schoolOrgs().filter { viewer.policy.runsHiring(atSchool: $0.id!) }
        let member = try await queries.openingIds(withMember: viewer.id)
        try req.require(!schools.isEmpty || !member.isEmpty)
        let names = try await RosterQueries(req.db).schoolNames()
        let openings = try await queries.openings(atSchools: nil).filter { member.contains($0.id!) || viewer.policy.runsHiring(atSchool: $0.schoolId) }
        let counts = try await queries.candidateCounts(of: openings.compactMap(\.id))
        let rows = openings.map { opening in
            IndexPage.Row(href: "/hiring/\(opening.id!)", title: opening.title, school: names[opening.schoolId] ?? opening.schoolId,
                          status: opening.status.capitalizedFirst, candidates: counts[opening.id!] ?? 0,
                          opened: DisplayTime.date(DisplayTime.isoDay(opening.createdAt)))
        }
        let profiles = try await queries.profiles()
        let response = try await req.view.render("talent/hiring", IndexPage(
            page: PageContext(request: req, title: "Hiring"), rows: rows,
            schools: schools.map { .init(value: $0.id!, label: $0.name) }, profiles: profiles.map { .init(value: $0.id!, label: $0.name) },
            editsProfiles: viewer.policy.canEditHiringProfiles, error: error)).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    struct OpenForm: Content { var school: String; var title: String; var profile: String }

    func open(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode(OpenForm.self)
        try req.require(viewer.policy.runsHiring(atSchool: form.school))
        let title = form.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard try await RosterQueries(req.db).org(form.school)?.type == "school", !title.isEmpty, title.count <= 200,
              let profile = try await HiringQueries(db: req.db).profiles().first(where: { $0.id == form.profile }) else {
            return try await renderIndex(req, error: "Name the position (up to 200 characters), its school and the profile to hire against.")
        }
        let opening = try await HiringQueries(db: req.db).open(school: form.school, title: title, profile: try profile.profile, by: viewer.id)
        try await req.audit("opened a position", subject: "opening \(opening.id!)")
        req.leaveNotice("The opening is made. Name its committee, then add candidates.")
        return req.redirect(to: "/hiring/\(opening.id!)")
    }

    struct OpeningPage: Encodable {
        struct Criterion: Encodable { let name: String; let descriptor: String }
        struct Member: Encodable { let id: String; let name: String; let onCommittee: Bool }
        struct Row: Encodable { let href: String; let name: String; let source: String; let added: String; let progress: String; let decision: String; let deletedOn: String }
        let page: PageContext
        let base: String
        let title: String
        let school: String
        let profile: String
        let status: String
        let criteria: [Criterion]
        let steps: [String]
        let committee: [String]
        let staff: [Member]
        let candidates: [Row]
        let runs: Bool
        let retentionDays: Int
        let notice: String?
        let error: String?
    }

    func openingPage(req: Request) async throws -> Response {
        try await renderOpening(req, error: nil)
    }

    private func renderOpening(_ req: Request, error: String?) async throws -> Response {
        let context = try await Self.context(req)
        let queries = HiringQueries(db: req.db)
        let candidates = try await queries.candidates(of: context.opening.id!)
        let ratings = try await queries.ratings(of: candidates.compactMap(\.id))
        let staff = try await StaffDirectory(db: req.db).people(atSchools: [context.opening.schoolId])
        let names = try await Staff.names(of: context.committee, on: req.db)
        let steps = context.opening.steps
        let rows = candidates.map { candidate in
            let mine = ratings.filter { $0.candidateId == candidate.id }
            let progress = steps.enumerated().map { step, name in
                "\(name): \(Set(mine.filter { $0.step == step && context.committee.contains($0.memberId) }.map(\.memberId)).count) of \(context.committee.count)"
            }.joined(separator: " · ")
            return OpeningPage.Row(href: "\(context.base)/candidates/\(candidate.id!)", name: candidate.name, source: candidate.source,
                                   added: DisplayTime.date(DisplayTime.isoDay(candidate.addedAt)), progress: progress,
                                   decision: candidate.decision?.capitalizedFirst ?? "Open", deletedOn: DisplayTime.date(DisplayTime.isoDay(candidate.deleteAfter)))
        }
        let response = try await req.view.render("talent/opening", OpeningPage(
            page: PageContext(request: req, title: "Hiring: \(context.opening.title)"), base: context.base, title: context.opening.title,
            school: context.schoolName, profile: context.profile.name, status: context.opening.status.capitalizedFirst,
            criteria: context.profile.criteria.map { .init(name: $0.name, descriptor: $0.descriptor) }, steps: steps,
            committee: context.committee.map { names[$0] ?? "Former staff member" }.sorted(),
            staff: context.runs ? staff.map { .init(id: $0.id, name: $0.listName, onCommittee: context.committee.contains($0.id)) } : [],
            candidates: rows, runs: context.runs, retentionDays: DistrictSettings.candidateRetentionDays,
            notice: req.takeNotice(), error: error)).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    struct CommitteeForm: Content { var members: [String]? }

    func setCommittee(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.runs)
        let chosen = Set(try req.content.decode(CommitteeForm.self).members ?? [])
        let staff = Set(try await StaffDirectory(db: req.db).people(atSchools: [context.opening.schoolId]).map(\.id))
        guard chosen.isSubset(of: staff), !chosen.isEmpty else { return try await renderOpening(req, error: "Choose the committee among the school's staff.") }
        try await HiringQueries(db: req.db).setCommittee(chosen, of: context.opening.id!)
        req.leaveNotice("The committee is saved.")
        return req.redirect(to: context.base)
    }

    struct CandidateForm: Content { var name: String; var email: String?; var phone: String?; var source: String? }

    func addCandidate(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.runs)
        let form = try req.content.decode(CandidateForm.self)
        let trim = { (text: String?) in (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        let name = trim(form.name), email = trim(form.email), phone = trim(form.phone), source = trim(form.source)
        guard !name.isEmpty, name.count <= 200, email.count <= 254, email.isEmpty || email.contains("@"), phone.count <= 40, source.count <= 200 else {
            return try await renderOpening(req, error: "Give the candidate's name (up to 200 characters); an email address needs an @.")
        }
        let candidate = Candidate()
        candidate.id = UUID().uuidString.lowercased()
        candidate.openingId = context.opening.id!
        candidate.name = name
        candidate.email = email
        candidate.phone = phone
        candidate.source = source
        candidate.addedBy = context.viewer.id
        candidate.addedAt = Int(Date().timeIntervalSince1970)
        candidate.deleteAfter = candidate.addedAt + DistrictSettings.candidateRetentionDays * 86_400
        try await req.db.writeTransaction { db in
            try await candidate.create(on: db)
            try await req.audit("added a candidate", subject: "candidate \(candidate.id!)", on: db)
        }
        req.leaveNotice("\(name) is added. The committee rates them step by step.")
        return req.redirect(to: context.base)
    }
}
