import Fluent
import Foundation
import LodestarCore
import Vapor

/// Succession: for each leadership role of a school, the people who could step in, how ready, and what they are
/// developing, with evidence from their own work in Lodestar; and the district's view of bench strength.
struct SuccessionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("succession", use: district)
        routes.get("succession", ":schoolId", use: school)
        routes.post("succession", ":schoolId", use: save)
        routes.post("succession", ":schoolId", ":entryId", "remove", use: remove)
    }

    struct DistrictPage: Encodable {
        struct Cell: Encodable { let text: String; let empty: Bool }
        struct Row: Encodable { let name: String; let href: String; let cells: [Cell]; let gaps: Int }
        let page: PageContext
        let roles: [String]
        let rows: [Row]
        let gapSchools: Int
    }

    /// Bench strength per school and role: how many are ready now, of how many on the bench. District leaders see
    /// every school; a principal, their own.
    func district(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let schools = try await RosterQueries(req.db).schoolOrgs().filter { viewer.policy.canManageSuccession(atSchool: $0.id!) }
        try req.require(!schools.isEmpty)
        let bench = Dictionary(grouping: try await SuccessionQueries(db: req.db).bench(atSchools: schools.map { $0.id! }), by: \.schoolId)
        let rows = schools.map { school in
            let entries = bench[school.id!] ?? [], byRole = SuccessionQueries.byRole(entries)
            let gaps = SuccessionQueries.rolesWithoutReadySuccessor(entries)
            return DistrictPage.Row(name: school.name, href: "/succession/\(school.id!.urlQueryEncoded)", cells: SuccessionQueries.roles.map { role in
                let mine = byRole[role] ?? []
                let ready = mine.filter { $0.readiness == BenchEntry.Readiness.now.rawValue }.count
                return .init(text: "\(ready) ready now · \(mine.count) on the bench", empty: ready == 0)
            }, gaps: gaps.count)
        }
        return try await req.view.render("talent/succession-district", DistrictPage(
            page: PageContext(request: req, title: "Succession"), roles: SuccessionQueries.roles.map(\.label), rows: rows,
            gapSchools: rows.filter { $0.gaps > 0 }.count))
    }

    struct SchoolPage: Encodable {
        struct Entry: Encodable { let id: String; let name: String; let readiness: String; let development: String; let indicator: String; let evidence: String }
        struct Role: Encodable { let label: String; let holders: String; let entries: [Entry]; let noneReady: Bool }
        let page: PageContext
        let schoolId: String
        let schoolName: String
        let roles: [Role]
        let people: [SelectOption]
        let roleOptions: [SelectOption]
        let readiness: [SelectOption]
        let indicators: [SelectOption]
        let notice: String?
        let error: String?
    }

    func school(req: Request) async throws -> Response {
        try await render(req, error: nil)
    }

    private func schoolId(_ req: Request) async throws -> (String, String) {
        let viewer = try await req.viewer()
        let id = try req.parameters.require("schoolId")
        guard let school = try await RosterQueries(req.db).org(id), school.type == "school" else { throw LodestarError.notFound }
        try req.require(viewer.policy.canManageSuccession(atSchool: id))
        return (id, school.name)
    }

    private func render(_ req: Request, error: String?) async throws -> Response {
        let (schoolId, schoolName) = try await schoolId(req)
        let entries = try await SuccessionQueries(db: req.db).bench(atSchools: [schoolId])
        let staff = try await StaffDirectory(db: req.db).holders(atSchools: [schoolId])
        let names = try await Staff.names(of: entries.map(\.staffId), on: req.db)
        let framework = try await LeadershipQueries(db: req.db).activeFramework().framework()
        let now = Int(Date().timeIntervalSince1970), since = now - 90 * 86_400
        let people = Array(Set(entries.map(\.staffId)))
        let visits = Dictionary(grouping: try await WalkthroughQueries(db: req.db).visits(byObservers: people, from: since, to: now), by: \.observerId)
        let conversations = Dictionary(grouping: try await CoachingQueries(db: req.db).conversations(byCoaches: people, from: since, to: now), by: \.coachId)
        let plcs = try await LearningQueries(db: req.db).plcWork(of: people)
        func evidence(_ person: String) -> String {
            let plc = plcs[person] ?? (0, 0)
            return "In the last 90 days: \(visits[person]?.count ?? 0) walkthroughs made, \(conversations[person]?.count ?? 0) coaching conversations held; "
                + "member of \(plc.teams) \(plc.teams == 1 ? "PLC" : "PLCs") with \(plc.cycles) \(plc.cycles == 1 ? "cycle" : "cycles") of inquiry."
        }
        let byRole = SuccessionQueries.byRole(entries)
        // Who holds each role now, from the staff already read (one row per person and role).
        let holding = Dictionary(grouping: staff.filter { $0.staffRole != nil }, by: { $0.staffRole! }).mapValues { $0.map(\.name) }
        let roles = SuccessionQueries.roles.map { role in
            let mine = byRole[role] ?? []
            let holders = (holding[role] ?? []).joined(separator: ", ")
            return SchoolPage.Role(
                label: role.label, holders: holders.isEmpty ? "No one holds it now" : holders,
                entries: mine.map { entry in
                    .init(id: entry.id!, name: names[entry.staffId] ?? "Former staff member", readiness: entry.readiness, development: entry.development,
                          indicator: framework.indicator(entry.indicatorKey)?.name ?? "", evidence: evidence(entry.staffId))
                }, noneReady: !mine.contains { $0.readiness == BenchEntry.Readiness.now.rawValue })
        }
        var seen: Set<String> = []
        let response = try await req.view.render("talent/succession", SchoolPage(
            page: PageContext(request: req, title: "Succession: \(schoolName)"), schoolId: schoolId, schoolName: schoolName, roles: roles,
            people: staff.filter { seen.insert($0.id).inserted }.map { .init(value: $0.id, label: $0.listName) },
            roleOptions: SuccessionQueries.roles.map { .init(value: $0.rawValue, label: $0.label) },
            readiness: BenchEntry.Readiness.allCases.map { .init(value: $0.rawValue, label: $0.rawValue.capitalizedFirst) },
            indicators: framework.indicators.map { .init(value: $0.key, label: $0.name) }, notice: req.takeNotice(), error: error)).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    struct EntryForm: Content { var staffId: String; var role: String; var readiness: String; var development: String; var indicator: String? }

    func save(req: Request) async throws -> Response {
        let (schoolId, _) = try await schoolId(req)
        let viewer = try await req.viewer()
        let form = try req.content.decode(EntryForm.self)
        let development = form.development.trimmingCharacters(in: .whitespacesAndNewlines)
        let indicator = form.indicator ?? ""
        let framework = try await LeadershipQueries(db: req.db).activeFramework().framework()
        guard let role = StaffRole(rawValue: form.role), SuccessionQueries.roles.contains(role), let readiness = BenchEntry.Readiness(rawValue: form.readiness),
              try await StaffDirectory(db: req.db).holders(atSchools: [schoolId]).contains(where: { $0.id == form.staffId }),
              !development.isEmpty, development.count <= 2_000, indicator.isEmpty || framework.indicator(indicator) != nil else {
            return try await render(req, error: "Choose someone at the school, the role, how ready they are, and write their development goal (up to 2,000 characters).")
        }
        try await SuccessionQueries(db: req.db).save(school: schoolId, role: role, staffId: form.staffId, readiness: readiness,
                                                     development: development, indicator: indicator, by: viewer.id)
        req.leaveNotice("The bench is saved.")
        return req.redirect(to: "/succession/\(schoolId.urlQueryEncoded)")
    }

    func remove(req: Request) async throws -> Response {
        let (schoolId, _) = try await schoolId(req)
        guard try await SuccessionQueries(db: req.db).remove(try req.parameters.require("entryId"), atSchool: schoolId) else { throw LodestarError.notFound }
        req.leaveNotice("Taken off the bench.")
        return req.redirect(to: "/succession/\(schoolId.urlQueryEncoded)")
    }
}
