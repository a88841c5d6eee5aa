import Fluent
import SQLKit
import LodestarCore
import Vapor

/// People and roles: district admins find staff, open a person, and grant or remove roles.
struct PeopleAdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin", "people")
        admin.get(use: list)
        admin.get(":staffId", use: person)
        admin.post(":staffId", "grants", use: grant)
        admin.post(":staffId", "grants", "remove", use: revoke)
        admin.post(":staffId", "two-factor", "reset", use: resetTwoFactor)
    }

    struct GrantItem: Encodable { let id: String; let label: String; let fromRoster: Bool }

    struct ListPage: Encodable {
        struct Person: Encodable {
            let id: String
            let name: String
            let email: String
            let canSignIn: Bool
            let roles: String
        }
        let page: PageContext
        let search: String
        let people: [Person]
        let total: Int
    }

    static let pageSize = 50

    func list(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        let search = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var query = Staff.query(on: req.db)
        if !search.isEmpty {
            // Lower-cased on both sides: LIKE ignores case in SQLite but not in PostgreSQL.
            let pattern = "%" + search.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            query = query.filter(.custom(SQLQueryString(
                "(LOWER(email) LIKE \(bind: pattern) OR LOWER(given_name) LIKE \(bind: pattern) OR LOWER(family_name) LIKE \(bind: pattern) OR LOWER(given_name || ' ' || family_name) LIKE \(bind: pattern))")))
        }
        let total = try await query.count()
        let staff = try await query.sort(\.$familyName).sort(\.$givenName).limit(Self.pageSize).all()
        let grants = try await RoleGrantRecord.query(on: req.db).filter(\.$staffId ~~ staff.compactMap(\.id)).all()
        let people = staff.map { person in
            let roles = Set(grants.filter { $0.staffId == person.id }.compactMap { $0.grant?.role })
            return ListPage.Person(id: person.id!, name: person.displayName, email: person.email,
                                   canSignIn: person.passwordHash != nil && person.isEnabled,
                                   roles: StaffRole.allCases.filter(roles.contains).map(\.label).joined(separator: ", "))
        }
        return try await req.view.render("accounts/people", ListPage(
            page: PageContext(request: req, title: "People and roles"), search: search, people: people, total: total))
    }

    struct PersonPage: Encodable {
        let page: PageContext
        let id: String
        let name: String
        let email: String
        let canSignIn: Bool
        let usesTwoFactor: Bool
        let grants: [GrantItem]
        let roles: [SelectOption]
        let schools: [SelectOption]
        let notice: String?
    }

    func person(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        guard let staff = try await Staff.find(try req.parameters.require("staffId"), on: req.db) else { throw LodestarError.notFound }
        let schools = try await RosterQueries(req.db).schoolOrgs()
        let schoolNames = Dictionary(uniqueKeysWithValues: schools.map { ($0.id!, $0.name) })
        let grants = try await RoleGrantRecord.query(on: req.db).filter(\.$staffId == staff.id!).all()
        return try await req.view.render("accounts/person", PersonPage(
            page: PageContext(request: req, title: staff.displayName), id: staff.id!, name: staff.displayName, email: staff.email,
            canSignIn: staff.passwordHash != nil && staff.isEnabled,
            usesTwoFactor: try await TwoFactorCheck.confirmed(staff.id!, on: req.db) != nil,
            grants: grants.compactMap { record in
                guard let grant = record.grant else { return nil }
                let place = grant.schoolId.map { schoolNames[$0] ?? $0 } ?? "Whole district"
                return GrantItem(id: record.id!, label: "\(grant.role.label) · \(place)", fromRoster: record.source == "roster")
            }.sorted { $0.label < $1.label },
            roles: StaffRole.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) },
            schools: schools.map { SelectOption(value: $0.id!, label: $0.name) },
            notice: req.takeNotice()))
    }

    struct GrantForm: Content {
        var role: String
        var school: String?
    }

    func grant(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        let form = try req.content.decode(GrantForm.self)
        guard let staff = try await Staff.find(try req.parameters.require("staffId"), on: req.db) else { throw LodestarError.notFound }
        guard let role = StaffRole(rawValue: form.role) else { throw LodestarError("Choose a role from the list.") }
        let school = form.school?.isEmpty == false ? form.school : nil
        if !role.isDistrictWide {
            guard let school, try await Org.isSchool(school, on: req.db) else {
                throw LodestarError("\(role.label) is a school role: choose the school.")
            }
        }
        let grant = RoleGrant(role: role, schoolId: school)
        try await req.db.writeTransaction { db in
            if try await RoleGrantRecord.find(RoleGrantRecord.id(staffId: staff.id!, grant: grant), on: db) == nil {
                try await RoleGrantRecord(staffId: staff.id!, grant: grant, source: "manual").create(on: db)
            }
        }
        try await req.audit("gave role \(role.rawValue)\(school.map { " at \($0)" } ?? "")", subject: staff.id!)
        return redirectBack(req, staffId: staff.id!, notice: "\(staff.displayName) is now \(role.label).")
    }

    struct RevokeForm: Content {
        var grant: String
    }

    func revoke(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        let form = try req.content.decode(RevokeForm.self)
        let staffId = try req.parameters.require("staffId")
        guard let record = try await RoleGrantRecord.find(form.grant, on: req.db), record.staffId == staffId else { throw LodestarError.notFound }
        guard record.source != "roster" else {
            throw LodestarError("This role comes from the roster; it changes when the roster does.")
        }
        try await req.db.writeTransaction { db in
            // Counted inside the write, so two admins removing themselves at once cannot leave none.
            if staffId == viewer.id, let grant = record.grant, AccessPolicy(grants: [grant]).isDistrictAdmin,
               try await StaffDirectory(db: db).holders(of: [.districtAdmin]).count <= 1 {
                throw LodestarError("You are the only district admin; give the role to someone else first.")
            }
            try await record.delete(on: db)
        }
        try await req.audit("removed role \(record.role)\(record.schoolId.map { " at \($0)" } ?? "")", subject: staffId)
        return redirectBack(req, staffId: staffId, notice: "Role removed.")
    }

    /// For a person who lost both their authenticator and their recovery codes: they sign in with their
    /// password and set two-factor sign-in up again.
    func resetTwoFactor(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        guard let staff = try await Staff.find(try req.parameters.require("staffId"), on: req.db) else { throw LodestarError.notFound }
        try await TwoFactorCheck.reset(staff.id!, on: req.db)
        try await req.audit("reset two-factor sign-in", subject: staff.id!)
        return redirectBack(req, staffId: staff.id!, notice: "Two-factor sign-in of \(staff.displayName) is off; they sign in with their password and set it up again.")
    }

    private func redirectBack(_ req: Request, staffId: String, notice: String) -> Response {
        req.leaveNotice(notice)
        return req.redirect(to: "/admin/people/\(staffId.urlQueryEncoded)")
    }
}
