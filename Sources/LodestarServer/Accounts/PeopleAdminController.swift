import Fluent
import LodestarCore
import Vapor

/// People and roles: district admins find staff and grant or remove roles.
struct PeopleAdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin", "people")
        admin.get(use: list)
        admin.post(":staffId", "grants", use: grant)
        admin.post(":staffId", "grants", "remove", use: revoke)
    }

    struct PeoplePage: Encodable {
        struct Person: Encodable {
            struct Grant: Encodable { let id: String; let label: String; let source: String; let removable: Bool }
            let id: String
            let name: String
            let email: String
            let canSignIn: Bool
            let grants: [Grant]
        }
        let page: PageContext
        let search: String
        let people: [Person]
        let total: Int
        let roles: [SelectOption]
        let schools: [SelectOption]
        let notice: String?
    }

    func list(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        let search = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var query = Staff.query(on: req.db)
        if !search.isEmpty {
            query = query.group(.or) { group in
                group.filter(\.$email ~~ search).filter(\.$familyName ~~ search.capitalized).filter(\.$givenName ~~ search.capitalized)
                    .filter(\.$familyName ~~ search).filter(\.$givenName ~~ search)
            }
        }
        let total = try await query.count()
        let staff = try await query.sort(\.$familyName).sort(\.$givenName).limit(100).all()
        let grants = try await RoleGrantRecord.query(on: req.db).filter(\.$staffId ~~ staff.compactMap(\.id)).all()
        let schools = try await Org.query(on: req.db).filter(\.$type == "school").sort(\.$name).all()
        let schoolNames = Dictionary(uniqueKeysWithValues: schools.map { ($0.id!, $0.name) })
        let people = staff.map { person in
            PeoplePage.Person(
                id: person.id!, name: person.displayName, email: person.email, canSignIn: person.passwordHash != nil && person.isEnabled,
                grants: grants.filter { $0.staffId == person.id }.compactMap { record in
                    guard let grant = record.grant else { return nil }
                    let place = grant.schoolId.map { schoolNames[$0] ?? $0 } ?? "District"
                    return .init(id: record.id!, label: "\(grant.role.label) · \(place)", source: record.source == "roster" ? "from roster" : "",
                                 removable: record.source != "roster")
                })
        }
        return try await req.view.render("accounts/people", PeoplePage(
            page: PageContext(request: req, title: "People and roles"), search: search, people: people, total: total,
            roles: StaffRole.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            schools: schools.map { .init(value: $0.id!, label: $0.name) },
            notice: req.query[String.self, at: "notice"]))
    }

    struct GrantForm: Content {
        var role: String
        var school: String?
    }

    func grant(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        let form = try req.content.decode(GrantForm.self)
        guard let staff = try await Staff.find(try req.parameters.require("staffId"), on: req.db) else { throw Abort(.notFound) }
        guard let role = StaffRole(rawValue: form.role) else { throw LodestarError("Choose a role from the list.") }
        let school = form.school?.isEmpty == false ? form.school : nil
        if !role.isDistrictWide {
            guard let school, try await Org.find(school, on: req.db)?.type == "school" else {
                throw LodestarError("\(role.label) is a school role: choose the school.")
            }
        }
        let grant = RoleGrant(role: role, schoolId: school)
        try await req.db.writeTransaction { db in
            if try await RoleGrantRecord.find(RoleGrantRecord.id(staffId: staff.id!, grant: grant), on: db) == nil {
                try await RoleGrantRecord(staffId: staff.id!, grant: grant, source: "manual").create(on: db)
            }
        }
        return redirectBack(req, notice: "\(staff.displayName) is now \(role.label).", search: staff.email)
    }

    struct RevokeForm: Content {
        var grant: String
    }

    func revoke(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        let form = try req.content.decode(RevokeForm.self)
        let staffId = try req.parameters.require("staffId")
        guard let record = try await RoleGrantRecord.find(form.grant, on: req.db), record.staffId == staffId else { throw Abort(.notFound) }
        guard record.source != "roster" else {
            throw LodestarError("This role comes from the roster; it changes when the roster does.")
        }
        if staffId == viewer.id, record.role == StaffRole.districtAdmin.rawValue {
            let admins = try await RoleGrantRecord.query(on: req.db).filter(\.$role == StaffRole.districtAdmin.rawValue).count()
            guard admins > 1 else { throw LodestarError("You are the only district admin; give the role to someone else first.") }
        }
        try await req.db.writeTransaction { db in try await record.delete(on: db) }
        let staff = try await Staff.find(staffId, on: req.db)
        return redirectBack(req, notice: "Role removed.", search: staff?.email ?? "")
    }

    private func redirectBack(_ req: Request, notice: String, search: String) -> Response {
        var components = URLComponents()
        components.queryItems = [.init(name: "q", value: search), .init(name: "notice", value: notice)]
        return req.redirect(to: "/admin/people?\(components.percentEncodedQuery ?? "")")
    }
}
