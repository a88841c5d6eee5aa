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
    /// Every column of the model, in the order `StaffDirectory.signedIn` reads them (a test holds them equal to `Staff.keys`, so a
    /// field added to the model cannot be left unread).
    static let columnsByPosition = ["id", "given_name", "family_name", "email", "username", "identifier", "roster_role", "org_ids", "source",
                                    "password_hash", "is_enabled"]
}

extension Staff {
    /// Display names of the given people, by id, in one query.
    static func names(of ids: some Sequence<String>, on db: any Database) async throws -> [String: String] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await Staff.query(on: db).filter(\.$id ~~ unique).all().map { ($0.id!, $0.displayName) })
    }
}

extension Staff {
    /// Adds an account made in Lodestar (not by the roster) with one role, in one transaction: what
    /// `lodestar user add` does.
    static func addLocal(email: String, givenName: String, familyName: String, passwordHash: String, grant: RoleGrant, on db: any Database) async throws -> Staff {
        let staff = Staff(id: "local-\(UUID().uuidString.lowercased())", givenName: givenName, familyName: familyName, email: email)
        staff.username = String(email.prefix { $0 != "@" })
        staff.passwordHash = passwordHash
        try await db.writeTransaction { db in
            try await staff.create(on: db)
            try await RoleGrantRecord(staffId: staff.id!, grant: grant, source: "manual").create(on: db)
        }
        return staff
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
