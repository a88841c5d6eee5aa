import Fluent
import Foundation
import LodestarCore
import SQLKit

/// The questions the insight pages ask, answered from the rollup tables (and, for the last 30 days
/// of feedback, from the walkthroughs themselves).
struct InsightsQueries {
    let db: any Database
    var sql: any SQLDatabase { db.sql }

    /// What the practice heatmap is narrowed to. Empty strings mean "all".
    struct PracticeFilter: Sendable, Equatable {
        var schoolIds: [String]?
        var gradeBand = ""
        var subject = ""
        var fromMonth: String
        var throughMonth: String
    }

    /// The dimension the heatmap's columns follow.
    enum Dimension: String, CaseIterable, Sendable {
        case month, gradeBand = "grade_band", subject, school = "school_id"
        var label: String {
            switch self {
            case .month: "Month"
            case .gradeBand: "Grade band"
            case .subject: "Subject"
            case .school: "School"
            }
        }
    }

    struct PracticeCell: Sendable, Equatable {
        var indicator: String
        /// The column's value; nil for the indicator's total over every column.
        var column: String?
        var count: PracticeCount
    }

    /// The rollup's counters summed, read as a `PracticeCount`: `visits` counts every visit that could
    /// have marked the practice, so those that did not are the ones not looked for.
    private static let sums: SQLQueryString = "CAST(SUM(visits) AS BIGINT) AS visits, CAST(SUM(seen) AS BIGINT) AS seen, CAST(SUM(not_seen) AS BIGINT) AS not_seen"

    private static func count(_ row: any SQLRow) throws -> PracticeCount {
        let visits = try row.decode(column: "visits", as: Int.self), seen = try row.decode(column: "seen", as: Int.self)
        let notSeen = try row.decode(column: "not_seen", as: Int.self)
        return PracticeCount(seen: seen, notSeen: notSeen, notLookedFor: visits - seen - notSeen)
    }

    /// - Parameter perSchool: across all schools, read each school's rows (for columns by school) rather
    ///   than the district's totals (school "").
    private func conditions(_ filter: PracticeFilter, perSchool: Bool = false) -> SQLQueryString {
        var query: SQLQueryString = " WHERE month >= \(bind: filter.fromMonth) AND month <= \(bind: filter.throughMonth)"
        if let schools = filter.schoolIds {
            query += schools.isEmpty ? " AND 1 = 0" : " AND school_id IN (\(binds: schools))"
        } else {
            query += perSchool ? " AND school_id <> \(bind: IndicatorRollup.district)" : " AND school_id = \(bind: IndicatorRollup.district)"
        }
        if !filter.gradeBand.isEmpty { query += " AND grade_band = \(bind: filter.gradeBand)" }
        if !filter.subject.isEmpty { query += " AND subject = \(bind: filter.subject)" }
        return query
    }

    /// Each indicator's `PracticeCount`, per column value and in total.
    func practice(_ filter: PracticeFilter, by dimension: Dimension) async throws -> [PracticeCell] {
        let byColumn: SQLQueryString = "SELECT indicator_key, \(ident: dimension.rawValue) AS col, " + Self.sums + " FROM rollup_indicator_months"
            + conditions(filter, perSchool: dimension == .school) + " GROUP BY indicator_key, \(ident: dimension.rawValue)"
        var cells = try await sql.raw(byColumn).all().map { row in
            PracticeCell(indicator: try row.decode(column: "indicator_key", as: String.self), column: try row.decode(column: "col", as: String.self), count: try Self.count(row))
        }
        cells += try await practiceTotals(filter)
        return cells
    }

    /// Each indicator's `PracticeCount` over the whole filter (cells without a column).
    func practiceTotals(_ filter: PracticeFilter) async throws -> [PracticeCell] {
        let totals: SQLQueryString = "SELECT indicator_key, " + Self.sums + " FROM rollup_indicator_months" + conditions(filter) + " GROUP BY indicator_key"
        return try await sql.raw(totals).all().map { row in
            PracticeCell(indicator: try row.decode(column: "indicator_key", as: String.self), column: nil, count: try Self.count(row))
        }
    }

    /// The grade bands and subjects that have visits, for the filters.
    func contexts() async throws -> (bands: [String], subjects: [String]) {
        let rows = try await sql.raw("SELECT DISTINCT grade_band, subject FROM rollup_indicator_months WHERE school_id = \(bind: IndicatorRollup.district)").all()
        let bands = Set(try rows.map { try $0.decode(column: "grade_band", as: String.self) }).filter { !$0.isEmpty }
        let subjects = Set(try rows.map { try $0.decode(column: "subject", as: String.self) }).filter { !$0.isEmpty }
        return (ClassContext.gradeBands.filter(bands.contains), subjects.sorted())
    }

    /// The walkthroughs behind a heatmap cell, newest first: those that looked for the practice (`PracticeCount`).
    struct CellVisit: Decodable, Sendable {
        var id: String
        var observedAt: Int
        var teacherId: String
        var teacherGiven: String
        var teacherFamily: String
        var observerGiven: String
        var observerFamily: String
        var schoolId: String
        var mark: String
        var frameworkId: String
    }

    func visits(indicator: String, filter: PracticeFilter, month: String?, limit: Int = 500) async throws -> [CellVisit] {
        let from = DisplayTime.startOfDay((month ?? filter.fromMonth) + "-01")
        let through = month ?? filter.throughMonth
        let end = DisplayTime.startOfDay(InsightsScope.month(after: through) + "-01")
        var query: SQLQueryString = """
            SELECT w.id, w.observed_at, w.teacher_id, t.given_name AS teacher_given, t.family_name AS teacher_family, o.given_name AS observer_given,
                   o.family_name AS observer_family, w.school_id, m.mark, w.framework_id
            FROM walkthroughs w JOIN staff t ON t.id = w.teacher_id JOIN staff o ON o.id = w.observer_id
            JOIN indicator_marks m ON m.walkthrough_id = w.id AND m.indicator_key = \(bind: indicator)
            WHERE w.observed_at >= \(bind: from) AND w.observed_at < \(bind: end) AND m.mark <> 'not_applicable'
            """
        if let schools = filter.schoolIds { query += schools.isEmpty ? " AND 1 = 0" : " AND w.school_id IN (\(binds: schools))" }
        if !filter.gradeBand.isEmpty { query += " AND w.grade_band = \(bind: filter.gradeBand)" }
        if !filter.subject.isEmpty { query += " AND w.subject = \(bind: filter.subject)" }
        query += " ORDER BY w.observed_at DESC LIMIT \(literal: limit)"
        return try await sql.raw(query).all(decoding: CellVisit.self, keyDecodingStrategy: .snakeCase)
    }

    /// Feedback-loop health and visit coverage of each school over the last `days` days.
    struct SchoolLoop: Sendable {
        var schoolId: String
        var teachers: Int
        var visitedTeachers: Int
        var loop: FeedbackLoop
    }

    /// Counted and ranked by the database, so a district's month of visits is never read row by row;
    /// the median takes the middle one or two durations of each school (window functions, both databases).
    func feedbackLoops(schoolIds: [String]?, days: Int = 30, now: Int = Int(Date().timeIntervalSince1970)) async throws -> [SchoolLoop] {
        var recent: SQLQueryString = "w.observed_at >= \(bind: now - days * 86_400) AND w.observed_at <= \(bind: now)"
        if let schoolIds { recent += schoolIds.isEmpty ? " AND 1 = 0" : " AND w.school_id IN (\(binds: schoolIds))" }
        var loops: [String: FeedbackLoop] = [:]
        for row in try await sql.raw("""
            SELECT w.school_id, COUNT(*) AS visits, COUNT(w.shared_at) AS shared,
                   SUM(CASE WHEN w.shared_at IS NOT NULL AND w.shared_at - w.observed_at <= 86400 THEN 1 ELSE 0 END) AS within_a_day,
                   SUM(CASE WHEN w.shared_at IS NOT NULL AND EXISTS (SELECT 1 FROM feedback_replies r WHERE r.walkthrough_id = w.id AND r.author_id = w.teacher_id)
                       THEN 1 ELSE 0 END) AS replied
            FROM walkthroughs w WHERE \(recent) GROUP BY w.school_id
            """).all() {
            let shared = try row.decode(column: "shared", as: Int.self)
            loops[try row.decode(column: "school_id", as: String.self)] = FeedbackLoop(
                visits: try row.decode(column: "visits", as: Int.self), shared: shared, medianHoursToFeedback: nil,
                sharedWithinADay: shared > 0 ? Double(try row.decode(column: "within_a_day", as: Int.self)) / Double(shared) : nil,
                replyRate: shared > 0 ? Double(try row.decode(column: "replied", as: Int.self)) / Double(shared) : nil)
        }
        for row in try await sql.raw("""
            SELECT school_id, AVG(hours) AS median FROM (
                SELECT w.school_id, CASE WHEN w.shared_at > w.observed_at THEN (w.shared_at - w.observed_at) / 3600.0 ELSE 0 END AS hours,
                       ROW_NUMBER() OVER (PARTITION BY w.school_id ORDER BY w.shared_at - w.observed_at) AS place,
                       COUNT(*) OVER (PARTITION BY w.school_id) AS shared
                FROM walkthroughs w WHERE w.shared_at IS NOT NULL AND \(recent)
            ) ranked WHERE place IN ((shared + 1) / 2, (shared + 2) / 2) GROUP BY school_id
            """).all() {
            loops[try row.decode(column: "school_id", as: String.self)]?.medianHoursToFeedback = try row.decode(column: "median", as: Double.self)
        }
        var visited: [String: Int] = [:]
        for row in try await sql.raw("""
            SELECT w.school_id, COUNT(DISTINCT w.teacher_id) AS visited FROM walkthroughs w
            JOIN role_grants g ON g.staff_id = w.teacher_id AND g.school_id = w.school_id AND g.role = 'teacher'
            WHERE \(recent) GROUP BY w.school_id
            """).all() {
            visited[try row.decode(column: "school_id", as: String.self)] = try row.decode(column: "visited", as: Int.self)
        }
        var teachers: [String: Int] = [:]
        for row in try await sql.raw("""
            SELECT school_id, COUNT(DISTINCT staff_id) AS teachers FROM role_grants WHERE role = 'teacher' AND school_id IS NOT NULL GROUP BY school_id
            """).all() {
            teachers[try row.decode(column: "school_id", as: String.self)] = try row.decode(column: "teachers", as: Int.self)
        }
        let schools = schoolIds ?? Array(Set(teachers.keys).union(loops.keys))
        return schools.map { school in
            SchoolLoop(schoolId: school, teachers: teachers[school] ?? 0, visitedTeachers: visited[school] ?? 0, loop: loops[school] ?? FeedbackLoop([]))
        }
    }

    // MARK: Mastery

    /// Students with a mastery result, and at or above mastery, as of the end of a month.
    struct MasteryCount: Sendable, Equatable {
        var evidence: Int
        var atOrAbove: Int
        var share: Double? { evidence > 0 ? Double(atOrAbove) / Double(evidence) : nil }
    }

    /// Counts as of the end of each month in `months`, per standard, for a group ("all" or a group key).
    func masteryByMonth(schoolIds: [String]?, grade: String?, standardIds: [String]?, group: String, months: [String]) async throws -> [String: [String: MasteryCount]] {
        try await masteryByGroup(schoolIds: schoolIds, grade: grade, standardIds: standardIds, groups: [group], months: months)[group] ?? [:]
    }

    /// Counts as of the end of each month, per group and standard: [group: [standard: [month: count]]].
    func masteryByGroup(schoolIds: [String]?, grade: String?, standardIds: [String]?, groups: [String]?, months: [String]) async throws -> [String: [String: [String: MasteryCount]]] {
        guard let last = months.max() else { return [:] }
        var query: SQLQueryString = """
            SELECT group_key, standard_id, month, CAST(SUM(evidence) AS BIGINT) AS evidence, CAST(SUM(at_or_above) AS BIGINT) AS at_or_above
            FROM rollup_mastery_months WHERE month <= \(bind: last)
            """
        if let groups { query += groups.isEmpty ? " AND 1 = 0" : " AND group_key IN (\(binds: groups))" }
        query += " AND school_id IN (\(binds: schoolIds ?? [MasteryRollup.district]))"
        if let grade, !grade.isEmpty { query += " AND grade = \(bind: grade)" }
        if let standardIds { query += standardIds.isEmpty ? " AND 1 = 0" : " AND standard_id IN (\(binds: standardIds))" }
        query += " GROUP BY group_key, standard_id, month"
        var changes: [String: [String: [(month: String, evidence: Int, atOrAbove: Int)]]] = [:]
        for row in try await sql.raw(query).all() {
            changes[try row.decode(column: "group_key", as: String.self), default: [:]][try row.decode(column: "standard_id", as: String.self), default: []].append(
                (try row.decode(column: "month", as: String.self), try row.decode(column: "evidence", as: Int.self), try row.decode(column: "at_or_above", as: Int.self)))
        }
        let sortedMonths = months.sorted()
        return changes.mapValues { byStandard in
            byStandard.mapValues { list in
                let sorted = list.sorted { $0.month < $1.month }
                var result: [String: MasteryCount] = [:]
                var index = 0, running = MasteryCount(evidence: 0, atOrAbove: 0)
                for month in sortedMonths {
                    while index < sorted.count, sorted[index].month <= month {
                        running.evidence += sorted[index].evidence
                        running.atOrAbove += sorted[index].atOrAbove
                        index += 1
                    }
                    result[month] = running
                }
                return result
            }
        }
    }

    /// The grades with mastery results in the scope, in grade order.
    func masteryGrades(schoolIds: [String]?) async throws -> [String] {
        try await sql.raw("SELECT DISTINCT grade FROM rollup_mastery_months WHERE school_id IN (\(binds: schoolIds ?? [MasteryRollup.district]))").all()
            .map { try $0.decode(column: "grade", as: String.self) }.sorted { GradeLevel.sortKey($0) < GradeLevel.sortKey($1) }
    }
}

