import Fluent
import Foundation
import LodestarCore
import SQLKit

/// A goal's measurements so far (the baseline, then the measure every two weeks up to today or the
/// deadline), its projection to the deadline, and the chart and words that show them.
struct GoalProgress: Sendable {
    let goal: SmartGoal
    let metric: GoalMetric
    /// Measurements in day order; the first is the baseline.
    let points: [(day: String, value: Double)]
    let projection: GoalProjection

    /// Days between measurements on the chart.
    static let stepDays = 14

    static func compute(_ goal: SmartGoal, today: String, on db: any Database) async throws -> GoalProgress {
        try await compute([goal], today: today, on: db)[0]
    }

    /// The progress of several goals, reading their kept measurements and manual values in one query each.
    /// `measured`: measures the caller has just taken, by goal and day, kept instead of taken again (the demo takes
    /// a goal's baseline and its checkpoints in one read).
    static func compute(_ goals: [SmartGoal], today: String, measured: [String: [String: Double?]] = [:], on db: any Database) async throws -> [GoalProgress] {
        let ids = goals.map { $0.id! }
        let kept = Dictionary(grouping: try await GoalMeasurement.query(on: db).filter(\.$goalId ~~ ids).all(), by: \.goalId)
        let manual = Dictionary(grouping: try await GoalValue.query(on: db).filter(\.$goalId ~~ ids).sort(\.$day).sort(\.$enteredAt).all(), by: \.goalId)
        var result: [GoalProgress] = []
        for goal in goals {
            let metric = try goal.metric
            var points: [(day: String, value: Double)] = [(goal.startsOn, goal.baseline)]
            if metric.kind == .manual {
                var byDay: [String: Double] = [:]
                for value in manual[goal.id!] ?? [] where value.day >= goal.startsOn { byDay[value.day] = value.value }
                points += byDay.keys.sorted().map { ($0, byDay[$0]!) }
            } else {
                let days = measuredDays(startsOn: goal.startsOn, deadline: goal.deadline, today: today)
                let values = try await measurements(goal, metric: metric, days: days,
                                                    kept: Dictionary(uniqueKeysWithValues: (kept[goal.id!] ?? []).map { ($0.day, $0.value) }),
                                                    measured: measured[goal.id!] ?? [:], on: db)
                for (day, value) in zip(days, values) {
                    if let value { points.append((day, value)) }
                }
            }
            let projection = GoalProjection(baseline: goal.baseline, target: goal.target, deadline: ChartTime.time(goal.deadline),
                                            points: points.map { GoalProjection.Point(time: ChartTime.time($0.day), value: $0.value) })
            result.append(GoalProgress(goal: goal, metric: metric, points: points, projection: projection))
        }
        return result
    }

    /// The measure on each (finished) day: as kept when first taken, or taken (unless just `measured`) and kept now.
    private static func measurements(_ goal: SmartGoal, metric: GoalMetric, days: [String], kept: [String: Double?], measured: [String: Double?],
                                     on db: any Database) async throws -> [Double?] {
        let missing = days.filter { kept[$0] == nil }
        guard !missing.isEmpty else { return days.map { kept[$0] ?? nil } }
        let unmeasured = missing.filter { measured[$0] == nil }
        let fresh = measured.merging(zip(unmeasured, try await GoalMetricQueries(db: db).values(metric, scope: goal.scope, days: unmeasured))) { $1 }
        let goalId = goal.id!
        try await db.writeTransaction { db in
            // Two people opening the goal at once both measure; the first one's rows stay. One statement per
            // 500 days: the demo measures hundreds of goals.
            for days in missing.chunks(of: 500) {
                let insert = db.sql.insert(into: "goal_measurements").columns("id", "goal_id", "day", "value").ignoringConflicts(with: "id")
                for day in days { insert.values([SQLBind("\(goalId)|\(day)"), SQLBind(goalId), SQLBind(day), SQLBind(fresh[day] ?? nil)]) }
                try await insert.run()
            }
        }
        return days.map { kept[$0] ?? fresh[$0] ?? nil }
    }

    /// The days a goal is measured on as of `today`: to the end of yesterday, so every point is a finished day, kept
    /// once taken.
    static func measuredDays(startsOn: String, deadline: String, today: String) -> [String] {
        checkpoints(from: startsOn, through: min(DisplayTime.isoDay(today, plus: -1), deadline))
    }

    /// Every `stepDays` after the start, and the last day itself.
    static func checkpoints(from start: String, through last: String) -> [String] {
        guard let first = ISODay.number(start), let end = ISODay.number(last), end > first else { return [] }
        return Array(stride(from: first + stepDays, to: end, by: stepDays)).map(ISODay.string) + [last]
    }


    var current: Double? { points.count > 1 ? points.last?.value : nil }

    /// "62.5%", "18 hours".
    func format(_ value: Double?) -> String {
        guard let value else { return "—" }
        let number = abs(value - value.rounded()) < 0.05 ? String(Int(value.rounded())) : String(format: "%.1f", value)
        return number + metric.displayUnit
    }

    /// What pages show of a goal.
    struct Summary: Encodable {
        let id: String
        let scope: String
        let statement: String
        let owner: String
        let measure: String
        let definition: String
        let baseline: String
        let current: String
        let target: String
        let projected: String
        let startsOn: String
        let deadline: String
        let status: String
        let statusCss: String
        let rule: String
        let measurements: [Measurement]
        struct Measurement: Encodable { let day: String; let value: String }
    }

    func summary(owner: String) -> Summary {
        Summary(id: goal.id!, scope: goal.scope, statement: goal.statement, owner: owner, measure: measureLabel,
                definition: metric.definition, baseline: format(goal.baseline), current: format(current), target: format(goal.target),
                projected: format(projection.projected), startsOn: DisplayTime.date(goal.startsOn), deadline: DisplayTime.date(goal.deadline),
                status: projection.status.rawValue.capitalizedFirst, statusCss: projection.status.rawValue.replacingOccurrences(of: " ", with: "-"),
                rule: GoalProjection.rule, measurements: points.map { .init(day: DisplayTime.date($0.day), value: format($0.value)) })
    }

    var measureLabel: String {
        switch metric.kind {
        case .manual: metric.unit.map { "Entered by hand (\($0))" } ?? "Entered by hand"
        default: metric.kind.label
        }
    }

    /// The progress chart: measurements, the trend to the deadline, and the target.
    func chart(id: String) -> String {
        let start = ChartTime.time(goal.startsOn), end = ChartTime.time(goal.deadline)
        var series = [LineChart.Series(name: "Measured", style: .measured, points: points.map { (ChartTime.time($0.day), $0.value) })]
        if let first = points.first, let from = projection.trend(at: ChartTime.time(first.day)), let to = projection.trend(at: end) {
            series.append(LineChart.Series(name: "Trend to deadline", style: .projected, points: [(ChartTime.time(first.day), from), (end, to)]))
        }
        series.append(LineChart.Series(name: "Target \(format(goal.target))", style: .reference, points: [(start, goal.target), (end, goal.target)]))
        let values = series.flatMap { $0.points.map(\.y) }
        let isShare = metric.displayUnit == "%"
        let description = "Baseline \(format(goal.baseline)) on \(DisplayTime.date(goal.startsOn)); latest \(format(current)); target \(format(goal.target)) by \(DisplayTime.date(goal.deadline)); "
            + "projected \(format(projection.projected)) at the deadline: \(projection.status.rawValue)."
        return LineChart(id: id, title: "Progress: \(goal.statement)", description: description, series: series,
                         xTicks: ChartTime.monthTicks(from: start, to: end), xRange: start...max(end, start + 86_400),
                         yRange: LineChart.range(containing: values, cap: isShare ? 100 : nil), yUnit: isShare ? "%" : "").svg()
    }
}

extension String {
    /// "on track" → "On track".
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
