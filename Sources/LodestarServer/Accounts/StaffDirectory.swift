import Fluent
import LodestarCore
import SQLKit

/// Accounts' front door for who works where: staff and the roles they hold at each school. Other features
/// read `staff` and `role_grants` only through here, so a role's name appears in SQL in this one file, and
/// which roles a question needs comes from `LodestarCore` (`StaffRole`), not from the caller's own list.
struct StaffDirectory {
    let db: any Database
    var sql: any SQLDatabase { db.sql }

    /// A person holding a role at a school (`schoolId` nil: a district role).
    struct Member: Codable, Sendable, Equatable {
        var id: String
        var givenName: String
        var familyName: String
        var email: String
        var schoolId: String?
        var role: String

        var name: String { "\(givenName) \(familyName)" }
        /// "Family, Given", the way staff lists are read.
        var listName: String { "\(familyName), \(givenName)" }
        var staffRole: StaffRole? { StaffRole(rawValue: role) }
    }

    func person(_ id: String) async throws -> Staff? { try await Staff.find(id, on: db) }

    /// A staff member with their role grants, in one query read by position, as the sign-in check of every request
    /// does: Fluent's model decoding, by reflection, was a tenth of a walkthrough submission's time, and the roles a
    /// second round trip.
    func signedIn(_ id: String) async throws -> (staff: Staff, grants: [RoleGrant])? {
        let kinds: [TableSync.Kind] = [.text, .text, .text, .text, .text, .text, .text, .text, .text, .optionalText, .bool, .optionalText, .optionalText]
        let rows = try await sql.rowsByPosition("""
            SELECT \(Staff.columnsByPosition.map { "s." + $0 }.joined(separator: ", ")), g.role, g.school_id
            FROM staff s LEFT JOIN role_grants g ON g.staff_id = s.id WHERE s.id = ?
            """, [.text(id)], kinds: kinds)
        guard let row = rows.first else { return nil }
        let text = { (index: Int) in row[index].text ?? "" }
        let staff = Staff(id: text(0), givenName: text(1), familyName: text(2), email: text(3))
        staff.username = text(4); staff.identifier = text(5); staff.rosterRole = text(6); staff.orgIds = text(7); staff.source = text(8)
        staff.passwordHash = row[9].text
        staff.isEnabled = row[10] == .bool(true)
        staff.$id.exists = true
        // A role this version does not know is no role, as `Viewer.policy` reads them.
        let grants = rows.compactMap { row in row[11].text.flatMap(StaffRole.init(rawValue:)).map { RoleGrant(role: $0, schoolId: row[12].text) } }
        return (staff, grants)
    }

    /// A person's name as pages show it (`Staff.displayName`), in one plain query: a notification asks it inside
    /// every walkthrough's write.
    func displayName(of id: String) async throws -> String? {
        try await sql.raw("SELECT given_name, family_name FROM staff WHERE id = \(bind: id)").first().map {
            "\(try $0.decode(column: "given_name", as: String.self)) \(try $0.decode(column: "family_name", as: String.self))"
        }
    }

    /// The account with this email (stored lower-cased).
    func person(email: String) async throws -> Staff? { try await Staff.query(on: db).filter(\.$email == email.lowercased()).first() }

    /// These people, by family name then given name.
    func people(ids: some Collection<String>) async throws -> [Staff] {
        guard !ids.isEmpty else { return [] }
        return try await Staff.query(on: db).filter(\.$id ~~ Array(Set(ids))).sort(\.$familyName).sort(\.$givenName).sort(\.$id).all()
    }

    /// Accounts made in Lodestar rather than by a roster (a break-glass admin, people added by hand), with
    /// their source, so a roster import never writes over them.
    struct LocalAccount: Codable, Sendable { var id: String; var email: String; var source: String }

    func accountsNotFromRoster() async throws -> [LocalAccount] {
        try await sql.raw("SELECT id, email, source FROM staff WHERE source <> 'oneroster' ORDER BY id").all(decoding: LocalAccount.self)
    }

    /// How many staff accounts there are.
    func count() async throws -> Int { try await Staff.query(on: db).count() }

    /// Ids of the accounts whose email, user name or id is `text` (the audit trail's person filter).
    func ids(matching text: String) async throws -> [String] {
        try await Staff.query(on: db).group(.or) { $0.filter(\.$email == text).filter(\.$username == text).filter(\.$id == text) }.all().compactMap(\.id)
    }

    /// Holders of any of `roles` at `schools` (nil: every school and the district), one row per person,
    /// school and role, by family name then given name.
    func holders(of roles: [StaffRole] = StaffRole.allCases, atSchools schools: [String]? = nil,
                 includingDistrict: Bool = false) async throws -> [Member] {
        guard !roles.isEmpty else { return [] }
        var place: SQLQueryString = ""
        if let schools {
            let atSchools: SQLQueryString = schools.isEmpty ? "1 = 0" : "g.school_id IN (\(binds: schools.sorted()))"
            place = includingDistrict ? " AND (\(atSchools) OR g.school_id IS NULL)" : " AND \(atSchools)"
        }
        return try await sql.raw("""
            SELECT st.id, st.given_name, st.family_name, st.email, g.school_id, g.role FROM staff st JOIN role_grants g ON g.staff_id = st.id
            WHERE g.role IN (\(binds: roles.map(\.rawValue)))\(place)
            ORDER BY st.family_name, st.given_name, st.id, g.school_id, g.role
            """).all(decoding: Member.self, keyDecodingStrategy: .snakeCase)
    }

    /// Who holds any of `roles` at each of `schools` (nil: every school), as (staff id, school id) pairs:
    /// for counting, without reading anyone's name.
    func grants(of roles: [StaffRole], atSchools schools: [String]? = nil) async throws -> [(staffId: String, schoolId: String)] {
        guard !roles.isEmpty else { return [] }
        return try await sql.raw("SELECT DISTINCT staff_id, school_id FROM role_grants WHERE \(Self.schoolGrants(of: roles, atSchools: schools))").all().map {
            (staffId: try $0.decode(column: "staff_id", as: String.self), schoolId: try $0.decode(column: "school_id", as: String.self))
        }
    }

    /// Grants of any of `roles` at a school, at these schools when given.
    private static func schoolGrants(of roles: [StaffRole], atSchools schools: [String]?) -> SQLQueryString {
        var condition: SQLQueryString = "role IN (\(binds: roles.map(\.rawValue))) AND school_id IS NOT NULL"
        if let schools { condition += schools.isEmpty ? " AND 1 = 0" : " AND school_id IN (\(binds: schools.sorted()))" }
        return condition
    }

    /// The people holding any of `roles` at each school: for counts over many schools, one row a school is read.
    func staffIds(holding roles: [StaffRole], bySchool schools: [String]?) async throws -> [String: Set<String>] {
        guard !roles.isEmpty else { return [:] }
        var bySchool: [String: Set<String>] = [:]
        for row in try await sql.raw("""
            SELECT school_id, \(GroupedList.distinctTexts("staff_id", on: sql)) AS staff FROM role_grants
            WHERE \(Self.schoolGrants(of: roles, atSchools: schools)) GROUP BY school_id
            """).all() {
            bySchool[try row.decode(column: "school_id", as: String.self)] = Set(GroupedList.texts(try row.decode(column: "staff", as: String?.self)))
        }
        return bySchool
    }

    /// The same people once each, in the same order.
    func people(holding roles: [StaffRole] = StaffRole.allCases, atSchools schools: [String]? = nil,
                includingDistrict: Bool = false, except: String? = nil) async throws -> [Member] {
        var seen: Set<String> = []
        return try await holders(of: roles, atSchools: schools, includingDistrict: includingDistrict)
            .filter { $0.id != except && seen.insert($0.id).inserted }
    }

    /// Schools where `staffId` holds any of `roles`.
    func schools(of staffId: String, holding roles: [StaffRole] = StaffRole.allCases) async throws -> Set<String> {
        let rows = try await sql.raw("""
            SELECT school_id FROM role_grants WHERE staff_id = \(bind: staffId) AND role IN (\(binds: roles.map(\.rawValue))) AND school_id IS NOT NULL
            """).all()
        return Set(try rows.map { try $0.decode(column: "school_id", as: String.self) })
    }

    /// Schools where `staffId` is a teacher.
    func teachingSchools(of staffId: String) async throws -> Set<String> { try await schools(of: staffId, holding: [.teacher]) }

    /// How many people hold `role` at each school.
    func counts(of role: StaffRole) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await sql.raw("""
            SELECT school_id, COUNT(DISTINCT staff_id) AS n FROM role_grants WHERE role = \(bind: role.rawValue) AND school_id IS NOT NULL GROUP BY school_id
            """).all() {
            counts[try row.decode(column: "school_id", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    func holds(_ staffId: String, _ grant: RoleGrant) async throws -> Bool {
        try await sql.raw("SELECT 1 AS held FROM role_grants WHERE id = \(bind: RoleGrantRecord.id(staffId: staffId, grant: grant))").first() != nil
    }

    /// People whose name or email contains `pattern` (a LIKE pattern, already lowered) with a role at one of
    /// `schools` (nil: anywhere), one row per role held, at most `limit` rows.
    func search(_ pattern: String, atSchools schools: Set<String>?, limit: Int) async throws -> [Member] {
        var place: SQLQueryString = ""
        if let schools { place = schools.isEmpty ? " AND 1 = 0" : " AND g.school_id IN (\(binds: schools.sorted()))" }
        return try await sql.raw("""
            SELECT st.id, st.given_name, st.family_name, st.email, g.role, g.school_id FROM staff st JOIN role_grants g ON g.staff_id = st.id
            WHERE (LOWER(st.given_name || ' ' || st.family_name) LIKE \(bind: pattern) OR LOWER(st.email) LIKE \(bind: pattern))\(place)
            ORDER BY st.family_name, st.given_name, st.id, g.role LIMIT \(literal: limit)
            """).all(decoding: Member.self, keyDecodingStrategy: .snakeCase)
    }
}
