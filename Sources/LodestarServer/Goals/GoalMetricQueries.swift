import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Computes a goal's measure from the raw rows, as of any day: the baseline when a goal is set and
/// every point of its progress chart. Each measure is defined in words by `GoalMetric.definition`.
struct GoalMetricQueries {
    let db: any Database
    var sql: any SQLDatabase { db.sql }

    /// The measure as of each day (ISO), in the district or a school; nil where there is nothing to measure yet.
    /// Manual measures have no computed values (see `manualValues`).
    func values(_ metric: GoalMetric, scope: String, days: [String]) async throws -> [Double?] {
        guard !days.isEmpty else { return [] }
        let schoolId = scope == "district" ? nil : scope
        switch metric.kind {
        case .mastery: return try await masteryShares(metric, schoolId: schoolId, days: days)
        case .indicatorObserved: return try await indicatorShares(metric.indicatorKey ?? "", schoolId: schoolId, days: days)
        case .hoursToFeedback: return try await hoursToFeedback(schoolId: schoolId, days: days)
        case .instructionalTime: return try await instructionalShares(schoolId: schoolId, days: days)
        case .manual: return days.map { _ in nil }
        }
    }

    /// Seconds at the end of an ISO day (midnight starting the next day), district time.
    static func endOfDay(_ day: String) -> Int {
        Int((DisplayTime.date(fromISODay: day) ?? Date()).timeIntervalSince1970) + 86_400
    }

    /// The trailing window ending with `day`.
    static func window(endingOn day: String) -> Range<Int> {
        let end = endOfDay(day)
        return (end - GoalMetric.trailingDays * 86_400)..<end
    }

    // MARK: Mastery

    private func masteryShares(_ metric: GoalMetric, schoolId: String?, days: [String]) async throws -> [Double?] {
        guard !metric.standardIds.isEmpty else { return days.map { _ in nil } }
        var query: SQLQueryString = """
            SELECT sc.student_id, sc.standard_id, sc.value, a.assessed_on, a.scale_id, s.school_id
            FROM scores sc JOIN assessments a ON a.id = sc.assessment_id JOIN students s ON s.id = sc.student_id
            WHERE sc.standard_id IN (\(binds: metric.standardIds)) AND a.assessed_on <= \(bind: days.max()!)
            """
        if let schoolId { query += " AND s.school_id = \(bind: schoolId)" }
        if let grade = metric.grade, !grade.isEmpty { query += " AND s.grade = \(bind: grade)" }
        if let group = metric.group.flatMap(StudentGroup.init(key:)) {
            let column = group.column
            if let value = column.equals { query += " AND s.\(ident: column.name) = \(bind: value)" } else { query += " AND s.\(ident: column.name) = \(bind: true)" }
        }
        query += " ORDER BY a.assessed_on, sc.entered_at"

        // Each student's scores per standard, in attempt order.
        var evidence: [String: [String: [AssessmentQueries.Evidence]]] = [:]
        var schoolOf: [String: String] = [:]
        for row in try await sql.raw(query).all() {
            let student = try row.decode(column: "student_id", as: String.self)
            let item = AssessmentQueries.Evidence(assessmentId: "", title: "", assessedOn: try row.decode(column: "assessed_on", as: String.self),
                                                  studentId: student, standardId: try row.decode(column: "standard_id", as: String.self),
                                                  value: try row.decode(column: "value", as: Double.self), enteredAt: 0,
                                                  scaleId: try row.decode(column: "scale_id", as: String.self))
            evidence[student, default: [:]][item.standardId, default: []].append(item)
            schoolOf[student] = try row.decode(column: "school_id", as: String.self)
        }
        let book = try await ScaleBook.load(on: db)
        var methods: [String: MasteryMethod] = [:]
        for school in Set(schoolOf.values) { methods[school] = try await MasteryStore.method(forSchool: school, on: db) }

        return days.map { day in
            var counted = 0, atOrAbove = 0
            for (student, standards) in evidence {
                let method = methods[schoolOf[student]!]!
                let results = standards.values.compactMap { scores -> (value: Double, mastery: Double)? in
                    let upToDay = scores.prefix { $0.assessedOn <= day }
                    guard !upToDay.isEmpty else { return nil }
                    let (result, scale) = book.mastery(Array(upToDay), by: method)
                    return result.value.map { ($0, scale.masteryValue) }
                }
                guard let reached = MasteryShare.isAtOrAbove(results) else { continue }
                counted += 1
                if reached { atOrAbove += 1 }
            }
            return counted == 0 ? nil : 100 * Double(atOrAbove) / Double(counted)
        }
    }

    // MARK: Walkthroughs

    private func walkthroughRows(schoolId: String?, days: [String], extra: SQLQueryString, join: SQLQueryString = "") async throws -> [SQLRow] {
        let from = Self.window(endingOn: days.min()!).lowerBound, to = Self.endOfDay(days.max()!)
        var query: SQLQueryString = "SELECT w.observed_at, w.shared_at, w.framework_id" + extra + " FROM walkthroughs w" + join
        query += " WHERE w.observed_at >= \(bind: from) AND w.observed_at < \(bind: to)"
        if let schoolId { query += " AND w.school_id = \(bind: schoolId)" }
        return try await sql.raw(query).all()
    }

    private func indicatorShares(_ indicatorKey: String, schoolId: String?, days: [String]) async throws -> [Double?] {
        let rows = try await walkthroughRows(schoolId: schoolId, days: days, extra: ", m.mark",
                                             join: " LEFT JOIN indicator_marks m ON m.walkthrough_id = w.id AND m.indicator_key = \(bind: indicatorKey)")
        let frameworks = try await FrameworkStore.frameworks(ids: rows.map { try $0.decode(column: "framework_id", as: String.self) }, on: db)
        var visits: [(at: Int, count: PracticeCount)] = []
        for row in rows {
            guard let framework = frameworks[try row.decode(column: "framework_id", as: String.self)], framework.indicator(indicatorKey) != nil else { continue }
            var count = PracticeCount()
            count.add(mark: try row.decodeNil(column: "mark") ? nil : try row.decode(column: "mark", as: String.self), on: framework.scale)
            visits.append((try row.decode(column: "observed_at", as: Int.self), count))
        }
        return days.map { day in
            let window = Self.window(endingOn: day)
            return visits.filter { window.contains($0.at) }.reduce(PracticeCount()) { $0 + $1.count }.share.map { 100 * $0 }
        }
    }

    private func hoursToFeedback(schoolId: String?, days: [String]) async throws -> [Double?] {
        let visits = try await walkthroughRows(schoolId: schoolId, days: days, extra: "").map { row in
            (at: try row.decode(column: "observed_at", as: Int.self), shared: try row.decode(column: "shared_at", as: Int?.self))
        }
        return days.map { day in
            let window = Self.window(endingOn: day)
            return FeedbackLoop(visits.filter { window.contains($0.at) }
                .map { FeedbackLoop.Visit(observedAt: Double($0.at), sharedAt: $0.shared.map(Double.init), replied: false) }).medianHoursToFeedback
        }
    }

    // MARK: Leaders' time

    private func instructionalShares(schoolId: String?, days: [String]) async throws -> [Double?] {
        let time = TimeQueries(db: db)
        let leaders = Set(try await StaffDirectory(db: db).holders(of: StaffRole.schoolAdministrators, atSchools: schoolId.map { [$0] }).map(\.id)).sorted()
        var shares: [Double?] = []
        for day in days {
            let window = Self.window(endingOn: day)
            let ledgers = try await time.ledgers(leaders: leaders, from: window.lowerBound, to: window.upperBound).values
            let total = ledgers.reduce(0) { $0 + $1.totalMinutes }, instructional = ledgers.reduce(0) { $0 + $1.instructionalMinutes }
            shares.append(total > 0 ? 100 * instructional / total : nil)
        }
        return shares
    }
}
