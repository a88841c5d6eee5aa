import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Time goals measured again under the rule that overlapping time entries count once (they were counted twice):
/// the kept measurements of every goal on leaders' instructional time are dropped, to be taken again by the new
/// rule when the goal is next opened, and each such goal's history says so.
struct TimeOverlapsCountedOnceMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        let goals = try await sql.raw("SELECT id, metric FROM goals").all().compactMap { row -> String? in
            let metric = try row.decode(column: "metric", as: String.self)
            let kind = try JSONDecoder().decode(GoalMetric.self, from: Data(metric.utf8)).kind
            return kind == .instructionalTime ? try row.decode(column: "id", as: String.self) : nil
        }
        guard !goals.isEmpty else { return }
        let now = Int(Date().timeIntervalSince1970)
        try await database.transaction { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("DELETE FROM goal_measurements WHERE goal_id IN (\(binds: goals))").run()
            for goal in goals {
                try await sql.raw("""
                    INSERT INTO plan_changes (id, goal_id, what, why, author_id, at)
                    VALUES (\(bind: "\(goal)|time-overlaps"), \(bind: goal), 'Measurements taken again',
                            'Time entries that overlap now count once, for the entry that began first; before, overlapping time was counted twice. The baseline is as it was set.',
                            \(bind: PlanChange.lodestar), \(bind: now))
                    """).run()
            }
        }
    }

    func revert(on database: any Database) async throws {}
}
