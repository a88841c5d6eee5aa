import Fluent
import Foundation
import LodestarCore

/// Each school's leadership team: last year's self-assessment finished and reviewed by the district, this year's
/// halfway (the first dimensions rated by the team, the rest by some members on their own). The story: the teams
/// rated themselves low on leaders' time and on resources last year, and moved up where they worked on it.
enum DemoLeadershipLoader {
    /// Last year's team level per indicator of the default framework, in order; this year adds `gain`.
    static let lastYear = [2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 1]
    static let gain = [1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    /// This year the team has rated the first six indicators; members on their own the first eight.
    static let teamRatedThisYear = 6, membersRatedThisYear = 8

    static let words = [
        "We could not point to evidence of this yet.",
        "It happens in places; the evidence is uneven across teams and grades.",
        "Most of us can point to it every week, and the numbers in Lodestar bear it out.",
        "It is how the school works; staff describe it the same way we do.",
    ]

    static func load(_ district: DemoDistrict, seed: UInt64, through: Date, on db: any Database) async throws {
        let framework = try await LeadershipQueries(db: db).activeFramework()
        let indicators = try framework.framework().indicators
        let year = SchoolYear.current(now: Int(through.timeIntervalSince1970))
        let districtLeader = district.accounts.first { $0.grants.contains { $0.role == .districtLeader } }?.sourcedId ?? DemoLoader.adminId
        var teams: [String: [String]] = [:], principals: [String: String] = [:]
        for account in district.accounts {
            guard let id = account.sourcedId else { continue }
            for grant in account.grants where StaffRole.leadershipTeam.contains(grant.role) {
                guard let school = grant.schoolId else { continue }
                if !(teams[school] ?? []).contains(id) { teams[school, default: []].append(id) }
                if grant.role == .principal { principals[school] = id }
            }
        }
        let now = Int(through.timeIntervalSince1970)
        var assessments: [(String, [Cell])] = [], members: [(String, [Cell])] = [], ratings: [(String, [Cell])] = [], team: [(String, [Cell])] = []
        var random = SeededRandom(seed: seed &+ 2_101)
        for (s, school) in teams.keys.sorted().enumerated() {
            guard let principal = principals[school] else { continue }
            for (offset, y) in [year - 1, year].enumerated() {
                let id = "demo-leadership|\(school)|\(y)"
                let started = offset == 0 ? now - 330 * 86_400 : now - 60 * 86_400
                // Last year's summary was published to staff at the first school; this year's is still the team's.
                assessments.append((id, [.text(school), .int(y), .text(framework.id!), .text(principal), .int(started), s == 0 && offset == 0 ? .int(started + 200 * 86_400) : .null]))
                for member in teams[school]! { members.append(("\(id)|\(member)", [.text(id), .text(member), .int(started)])) }
                for (i, indicator) in indicators.enumerated() where i < lastYear.count {
                    let level = min(4, lastYear[i] + (offset == 1 ? gain[i] : 0) + (s % 3 == 2 && i % 4 == 1 ? 1 : 0))
                    let membersRate = offset == 0 || i < membersRatedThisYear
                    if membersRate {
                        for (m, member) in teams[school]!.enumerated() where offset == 0 || i < teamRatedThisYear || m % 2 == 0 {
                            let own = max(1, min(4, level + [0, 0, 1, -1, 0][Int(random.next() % 5)]))
                            ratings.append(("\(id)|\(indicator.key)|\(member)", [.text(id), .text(indicator.key), .text(member), .int(own), .text(words[own - 1]), .int(started + (i + 1) * 3_600)]))
                        }
                    }
                    guard offset == 0 || i < teamRatedThisYear else { continue }
                    let differs = offset == 0 && (i + s) % 5 == 3
                    let reviewed = offset == 0 || i < 3
                    team.append(("\(id)|\(indicator.key)", [
                        .text(id), .text(indicator.key), .int(level), .text("Agreed at the leadership team meeting. " + words[level - 1]), .text(""),
                        .text(principal), .int(started + 20 * 86_400 + i * 3_600),
                        reviewed ? .text(differs ? "differ" : "agree") : .null,
                        reviewed ? .text(differs ? "The district's evidence of “\(indicator.name)” is thinner than the team describes; let's look at it together at the next school visit." : "") : .null,
                        reviewed ? .text(districtLeader) : .null, reviewed ? .int(started + 40 * 86_400) : .null, .null, .null]))
                }
            }
        }
        let tables: [(TableSync, [(String, [Cell])])] = [
            (TableSync(table: "self_assessments", columns: [("school_id", .text), ("year", .int), ("framework_id", .text), ("started_by", .text), ("started_at", .int), ("published_at", .optionalInt)]), assessments),
            (TableSync(table: "self_assessment_members", columns: [("assessment_id", .text), ("staff_id", .text), ("added_at", .int)]), members),
            (TableSync(table: "self_assessment_ratings", columns: [("assessment_id", .text), ("indicator_key", .text), ("staff_id", .text), ("level", .int), ("evidence", .text), ("rated_at", .int)]), ratings),
            (TableSync(table: "self_assessment_team_ratings", columns: [
                ("assessment_id", .text), ("indicator_key", .text), ("level", .int), ("evidence", .text), ("evidence_seen", .text), ("rated_by", .text), ("rated_at", .int),
                ("review", .optionalText), ("review_comment", .optionalText), ("reviewed_by", .optionalText), ("reviewed_at", .optionalInt), ("goal_id", .optionalText), ("goal_scope", .optionalText)]), team),
        ]
        try await db.writeTransaction { db in
            for (sync, rows) in tables {
                let existing = Set(try await sync.load(db.sql, ids: rows.map(\.0)).keys)
                try await sync.upsert(rows.filter { !existing.contains($0.0) }, on: db.sql)
            }
        }
    }
}
