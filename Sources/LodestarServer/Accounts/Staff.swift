import Fluent
import LodestarCore
import SQLKit
import Vapor

/// A member of staff: rostered from OneRoster (`source == "oneroster"`) or added by an administrator
/// (`source == "local"`). A staff member can sign in once they have a password.
final class Staff: Model, @unchecked Sendable {
    static let schema = "staff"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "given_name") var givenName: String
    @Field(key: "family_name") var familyName: String
    @Field(key: "email") var email: String
    @Field(key: "username") var username: String
    @Field(key: "identifier") var identifier: String
    /// The OneRoster role the roster gives (teacher, administrator, aide …); empty for local accounts.
    @Field(key: "roster_role") var rosterRole: String
    /// Comma-separated org sourcedIds from the roster.
    @Field(key: "org_ids") var orgIds: String
    @Field(key: "source") var source: String
    @OptionalField(key: "password_hash") var passwordHash: String?
    @Field(key: "is_enabled") var isEnabled: Bool
    init() {}

    init(id: String, givenName: String, familyName: String, email: String) {
        self.id = id; self.givenName = givenName; self.familyName = familyName; self.email = email
        username = ""; identifier = ""; rosterRole = ""; orgIds = ""; source = "local"; isEnabled = true
    }

    var displayName: String { "\(givenName) \(familyName)" }
}

extension Staff {
    /// Display names of the given people, by id, in one query.
    static func names(of ids: some Sequence<String>, on db: any Database) async throws -> [String: String] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await Staff.query(on: db).filter(\.$id ~~ unique).all().map { ($0.id!, $0.displayName) })
    }
}

extension Staff: SessionAuthenticatable {
    var sessionID: String { id! }
}

/// A role held by a staff member, at the district (`school_id` null) or one school. Grants that the
/// roster implies (teacher at the schools a teacher is rostered to) have `source == "roster"` and are
/// kept in step by each import; grants an administrator gives have `source == "manual"`.
final class RoleGrantRecord: Model, @unchecked Sendable {
    static let schema = "role_grants"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "staff_id") var staffId: String
    @Field(key: "role") var role: String
    @OptionalField(key: "school_id") var schoolId: String?
    @Field(key: "source") var source: String
    init() {}

    init(staffId: String, grant: RoleGrant, source: String) {
        id = Self.id(staffId: staffId, grant: grant)
        self.staffId = staffId; role = grant.role.rawValue; schoolId = grant.schoolId; self.source = source
    }

    /// One grant per person, role and school: the id says which.
    static func id(staffId: String, grant: RoleGrant) -> String {
        "\(staffId)|\(grant.role.rawValue)|\(grant.schoolId ?? "district")"
    }

    var grant: RoleGrant? { StaffRole(rawValue: role).map { RoleGrant(role: $0, schoolId: schoolId) } }
}

struct AccountsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("staff")
            .field("id", .string, .identifier(auto: false))
            .field("given_name", .string, .required).field("family_name", .string, .required)
            .field("email", .string, .required).field("username", .string, .required)
            .field("identifier", .string, .required).field("roster_role", .string, .required)
            .field("org_ids", .string, .required).field("source", .string, .required)
            .field("password_hash", .string).field("is_enabled", .bool, .required)
            .create()
        try await database.schema("role_grants")
            .field("id", .string, .identifier(auto: false))
            .field("staff_id", .string, .required).field("role", .string, .required)
            .field("school_id", .string).field("source", .string, .required)
            .create()
        try await database.schema("write_lock").field("generation", .int, .required).create()
        let sql = database as! any SQLDatabase
        try await sql.raw("INSERT INTO write_lock (generation) VALUES (0)").run()
        try await sql.raw("CREATE INDEX staff_email ON staff (email)").run()
        try await sql.raw("CREATE INDEX staff_username ON staff (username)").run()
        try await sql.raw("CREATE INDEX role_grants_staff ON role_grants (staff_id)").run()
        try await sql.raw("CREATE INDEX role_grants_school ON role_grants (school_id, role)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["write_lock", "role_grants", "staff"] { try await database.schema(table).delete() }
    }
}

/// One account per email, compared without regard to case: the sign-in finds a person by their email, so
/// two accounts with one email would let the roster hand one person's access to another. Emails are
/// stored lower-cased already; the index holds that for every writer.
struct StaffEmailUniqueMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE UNIQUE INDEX staff_email_unique ON staff (lower(email)) WHERE email <> ''").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX staff_email_unique").run()
    }
}
