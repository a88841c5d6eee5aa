import Fluent
import LodestarCore
import SQLKit
import Vapor

/// Loads a generated demo district: its roster through the same writer as a OneRoster import,
/// then the demo accounts, all with the password `lodestar-demo`.
enum DemoLoader {
    static let adminId = "local-demo-admin"

    /// - Parameters:
    ///   - through: walkthroughs run from the start of the school year to this moment (default now).
    ///   - withActivity: false loads the roster and accounts only: no walkthroughs, coaching,
    ///     standards, assessments or scores (for tests that start from nothing).
    @discardableResult
    static func load(size: DemoDistrict.Size, seed: UInt64, through: Date = Date(), withActivity: Bool = true,
                     on db: any Database) async throws -> DemoDistrict {
        let district = DemoDistrict(size: size, seed: seed)
        _ = try await RosterWriter.write(district.bundle, to: db)
        // One hash for every demo account: they share a password, and hashing thousands would take minutes.
        let hash = try Bcrypt.hash(DemoDistrict.password)
        try await db.writeTransaction { db in
            let sql = db.sql
            try await sql.update("staff").set("password_hash", to: hash).where("source", .equal, "oneroster").run()
            if try await Staff.find(adminId, on: db) == nil {
                let admin = district.accounts.first { $0.sourcedId == nil }!
                let staff = Staff(id: adminId, givenName: "Dana", familyName: "Whitfield", email: admin.email)
                staff.username = "admin"
                staff.passwordHash = hash
                try await staff.create(on: db)
            }
            for account in district.accounts {
                let staffId = account.sourcedId ?? adminId
                for grant in account.grants where try await RoleGrantRecord.find(RoleGrantRecord.id(staffId: staffId, grant: grant), on: db) == nil {
                    try await RoleGrantRecord(staffId: staffId, grant: grant, source: "manual").create(on: db)
                }
            }
        }
        guard withActivity else { return district }
        try await DemoAssessmentLoader.load(DemoAssessments(district: district, seed: seed, through: through.timeIntervalSince1970), on: db)
        try await DemoWalkthroughLoader.load(DemoWalkthroughs(district: district, size: size, seed: seed, through: through.timeIntervalSince1970),
                                             now: Int(through.timeIntervalSince1970), on: db)
        return district
    }

    /// True when no roster has been loaded yet.
    static func databaseIsEmpty(_ db: any Database) async throws -> Bool {
        try await Org.query(on: db).count() == 0
    }

    /// The sign-ins to print: the first account of each role.
    static func featuredAccounts(_ district: DemoDistrict) -> [(role: String, email: String, name: String)] {
        var seen: Set<String> = []
        var result: [(String, String, String)] = []
        for account in district.accounts where account.isFeatured {
            let role = account.grants.first?.role.label ?? StaffRole.teacher.label
            if seen.insert(role).inserted { result.append((role, account.email, account.displayName)) }
        }
        return result
    }

    static func printAccounts(_ district: DemoDistrict, console: any Console) {
        console.print("Demo district: \(DemoDistrict.districtName). Sign in at http://127.0.0.1:8080 with password \(DemoDistrict.password):")
        for (role, email, name) in featuredAccounts(district) {
            console.print("  \(role.padding(toLength: 22, withPad: " ", startingAt: 0)) \(email)  (\(name))")
        }
    }
}
