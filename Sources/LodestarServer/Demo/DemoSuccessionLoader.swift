import Fluent
import Foundation
import LodestarCore

/// Each school's bench: its assistant principal for principal, its coach for assistant principal, its teacher
/// leader for coach — ready now at some schools, not at others, so the district's view shows where roles have no
/// ready successor — and the featured teacher for teacher leader at the first school.
enum DemoSuccessionLoader {
    static func load(_ district: DemoDistrict, through: Date, on db: any Database) async throws {
        guard try await SuccessionQueries(db: db).bench(atSchools: nil).isEmpty else { return }
        var holders: [String: [StaffRole: String]] = [:]
        for account in district.accounts {
            guard let id = account.sourcedId else { continue }
            for grant in account.grants { if let school = grant.schoolId, holders[school]?[grant.role] == nil { holders[school, default: [:]][grant.role] = id } }
        }
        let teacher = district.accounts.first { $0.isFeatured && $0.grants.isEmpty }?.sourcedId
        let now = Int(through.timeIntervalSince1970), schools = holders
        var entries: [BenchEntry] = []
        for (s, school) in schools.keys.sorted().enumerated() {
            let roles = schools[school]!
            var plan: [(StaffRole, String?, BenchEntry.Readiness, String, String)] = [
                (.principal, roles[.assistantPrincipal], s % 3 == 0 ? .now : .soon, "Lead the school's monthly data meetings and one goal's action plan this year.", "goals-from-evidence"),
                (.assistantPrincipal, roles[.coach], .soon, "Take part in the feedback of every walkthrough round and lead one.", "observation-and-feedback"),
                (.coach, roles[.teacherLeader], s % 2 == 0 ? .now : .later, "Coach two colleagues through a cycle of practice with a mentor.", "professional-growth"),
            ]
            if s == 0 { plan.append((.teacherLeader, teacher, .soon, "Facilitate the grade team's next cycle of inquiry.", "time-for-collaboration")) }
            for (role, person, readiness, development, indicator) in plan {
                guard let person else { continue }
                let entry = BenchEntry()
                entry.id = "demo-bench-\(school)-\(role.rawValue)"
                entry.schoolId = school
                entry.role = role.rawValue
                entry.staffId = person
                entry.readiness = readiness.rawValue
                entry.development = development
                entry.indicatorKey = indicator
                entry.updatedBy = roles[.principal] ?? DemoLoader.adminId
                entry.updatedAt = now - 30 * 86_400
                entries.append(entry)
            }
        }
        let rows = entries
        try await db.writeTransaction { db in try await db.createAll(rows) }
    }
}
