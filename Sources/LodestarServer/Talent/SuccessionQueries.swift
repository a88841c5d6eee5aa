import Fluent
import Foundation
import LodestarCore

/// Talent's front door for succession: each school's bench for its leadership roles.
struct SuccessionQueries {
    let db: any Database

    /// The leadership roles a bench is kept for, in order.
    static let roles: [StaffRole] = StaffRole.leadershipTeam

    func bench(atSchools schools: [String]?) async throws -> [BenchEntry] {
        var query = BenchEntry.query(on: db)
        if let schools { query = query.filter(\.$schoolId ~~ schools) }
        return try await query.sort(\.$role).sort(\.$updatedAt).all()
    }

    /// Adds someone to a role's bench, or changes their readiness and development.
    func save(school: String, role: StaffRole, staffId: String, readiness: BenchEntry.Readiness, development: String, indicator: String, by author: String) async throws {
        try await db.writeTransaction { db in
            let entry = try await BenchEntry.query(on: db).filter(\.$schoolId == school).filter(\.$role == role.rawValue).filter(\.$staffId == staffId).first() ?? BenchEntry()
            if entry.id == nil {
                entry.id = UUID().uuidString.lowercased()
                entry.schoolId = school
                entry.role = role.rawValue
                entry.staffId = staffId
            }
            entry.readiness = readiness.rawValue
            entry.development = development
            entry.indicatorKey = indicator
            entry.updatedBy = author
            entry.updatedAt = Int(Date().timeIntervalSince1970)
            try await entry.save(on: db)
        }
    }

    func remove(_ id: String, atSchool school: String) async throws -> Bool {
        try await db.writeTransaction { db in
            guard try await BenchEntry.query(on: db).filter(\.$id == id).filter(\.$schoolId == school).first() != nil else { return false }
            try await BenchEntry.query(on: db).filter(\.$id == id).delete()
            return true
        }
    }

    /// A school's entries by the role they could step into.
    static func byRole(_ entries: [BenchEntry]) -> [StaffRole: [BenchEntry]] {
        Dictionary(grouping: entries.filter { StaffRole(rawValue: $0.role) != nil }) { StaffRole(rawValue: $0.role)! }
    }

    /// Leadership roles of a school with no one ready now to step in.
    static func rolesWithoutReadySuccessor(_ entries: [BenchEntry]) -> [StaffRole] {
        let bench = byRole(entries)
        return roles.filter { role in !(bench[role] ?? []).contains { $0.readiness == BenchEntry.Readiness.now.rawValue } }
    }
}
