import Fluent
import Foundation
import LodestarCore
import SQLKit

/// When the rule behind a measure changes, the goals on that measure are measured again by the new rule:
/// the kept measurements are dropped (taken again when the goal is next opened), the baseline is taken again
/// as of the day it was set, so the chart compares like with like, and the goal's history says what changed.
enum GoalRemeasure {
    static func measureAgain(kind: GoalMetric.Kind, change: String, why: String, on db: any Database) async throws {
        let sql = db.sql
        let now = Int(Date().timeIntervalSince1970)
        for row in try await sql.raw("SELECT id, scope, metric, baseline, starts_on FROM goals").all() {
            let metric = try JSONDecoder().decode(GoalMetric.self, from: Data(try row.decode(column: "metric", as: String.self).utf8))
            guard metric.kind == kind else { continue }
            let goal = try row.decode(column: "id", as: String.self), baseline = try row.decode(column: "baseline", as: Double.self)
            let measured = try await GoalMetricQueries(db: db).values(metric, scope: try row.decode(column: "scope", as: String.self),
                                                                       days: [try row.decode(column: "starts_on", as: String.self)]).first ?? nil
            var note = why
            if let measured, abs(measured - baseline) > 1e-9 {
                try await sql.raw("UPDATE goals SET baseline = \(bind: measured) WHERE id = \(bind: goal)").run()
                let shown = { (value: Double) in String(format: "%.1f", value) + metric.displayUnit }
                note += " The baseline, taken again by the new rule as of the day it was set, is \(shown(measured)) (it was \(shown(baseline)))."
            } else {
                note += " The baseline is the same by the new rule."
            }
            try await sql.raw("DELETE FROM goal_measurements WHERE goal_id = \(bind: goal)").run()
            try await sql.raw("""
                INSERT INTO plan_changes (id, goal_id, what, why, author_id, at)
                VALUES (\(bind: "\(goal)|\(change)"), \(bind: goal), 'Measurements taken again', \(bind: note), \(bind: PlanChange.lodestar), \(bind: now))
                """).run()
        }
    }
}
