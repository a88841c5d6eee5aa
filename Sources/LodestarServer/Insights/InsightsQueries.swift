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
    func visits(indicator: String, filter: PracticeFilter, month: String?, limit: Int = 500) async throws -> [WalkthroughQueries.MarkedVisit] {
        let from = DisplayTime.startOfDay((month ?? filter.fromMonth) + "-01")
        let end = DisplayTime.startOfDay(InsightsScope.month(after: month ?? filter.throughMonth) + "-01")
        return try await WalkthroughQueries(db: db).visitsLookingFor(indicator, from: from, to: end, schoolIds: filter.schoolIds,
                                                                   gradeBand: filter.gradeBand, subject: filter.subject, limit: limit)
    }

    /// Each standing of `students` on `standards` (nil: every standard), month by month.
    func timelines(ofStudents students: [String], standards: [String]?) async throws -> [(student: String, standard: String, entries: [MasteryTimeline.Entry])] {
        guard standards?.isEmpty != true else { return [] }
        var result: [(student: String, standard: String, entries: [MasteryTimeline.Entry])] = []
        for chunk in students.chunks(of: 1_000) {
            var query: SQLQueryString = "SELECT student_id, standard_id, timeline FROM mastery_pairs WHERE student_id IN (\(binds: chunk))"
            if let standards { query += " AND standard_id IN (\(binds: standards))" }
            for row in try await sql.raw(query).all() {
                result.append((try row.decode(column: "student_id", as: String.self), try row.decode(column: "standard_id", as: String.self),
                               MasteryTimeline.decode(try row.decode(column: "timeline", as: String.self))))
            }
        }
        return result
    }

    /// For each of `students` with a result on `standards`: on how many their latest standing is below mastery, and on
    /// how many they have a standing at all. The need the resource ledger weighs resources against.
    func latestStandings(students: [String], standards: [String]) async throws -> [String: (below: Int, measured: Int)] {
        guard !standards.isEmpty else { return [:] }
        var counts: [String: (below: Int, measured: Int)] = [:]
        for pair in try await timelines(ofStudents: students, standards: standards) {
            guard let standing = pair.entries.last?.standing, standing != .notYet else { continue }
            counts[pair.student, default: (0, 0)].measured += 1
            if standing == .below { counts[pair.student, default: (0, 0)].below += 1 }
        }
        return counts
    }

    /// A student's standings as stored, for the student data export.
    func masteryRecords(ofStudent studentId: String) async throws -> [any SQLRow] {
        try await sql.raw("SELECT standard_id, school_id, grade, timeline FROM mastery_pairs WHERE student_id = \(bind: studentId)").all()
    }

    /// Each class's growth: over its students' results on the standards assessed in the class that have at
    /// least two months of results up to `through`, the share at or above mastery in the last month minus
    /// the share in the first, in points. Classes with fewer measured students than the small-group
    /// minimum are left out.
    func classGrowth(schoolId: String, through: String) async throws -> [PracticeAndGrowth.ClassGrowth] {
        let (students, teachers) = try await RosterQueries(db).enrollments(atSchool: schoolId)
        let standards = try await AssessmentQueries(db: db).standardsAssessedByClass(atSchool: schoolId)
        var timelines: [String: [MasteryTimeline.Entry]] = [:]
        for row in try await sql.raw("SELECT student_id, standard_id, timeline FROM mastery_pairs WHERE school_id = \(bind: schoolId)").all() {
            timelines["\(try row.decode(column: "student_id", as: String.self))|\(try row.decode(column: "standard_id", as: String.self))"] =
                MasteryTimeline.decode(try row.decode(column: "timeline", as: String.self))
        }
        var result: [PracticeAndGrowth.ClassGrowth] = []
        for (classId, classStandards) in standards {
            // The same results at both ends: each student's standing on each standard first and last (up to
            // `through`), over the standards with at least two months of results.
            var first = 0, last = 0, counted = 0
            var measured: Set<String> = []
            for student in students[classId] ?? [] {
                for standard in classStandards {
                    let entries = (timelines["\(student)|\(standard)"] ?? []).filter { $0.month <= through && $0.standing != .notYet }
                    guard entries.count >= 2 else { continue }
                    counted += 1
                    measured.insert(student)
                    if entries.first!.standing == .atOrAbove { first += 1 }
                    if entries.last!.standing == .atOrAbove { last += 1 }
                }
            }
            guard counted > 0, DistrictSettings.smallGroups.allows(measured.count) else { continue }
            for teacher in teachers[classId] ?? [] { result.append(.init(teacher: teacher, growth: Double(last - first) / Double(counted) * 100)) }
        }
        return result
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
        // Read by position: the district's rows are thousands, and decoding each value by name was most of the page.
        var query = """
            SELECT group_key, standard_id, month, CAST(SUM(evidence) AS BIGINT), CAST(SUM(at_or_above) AS BIGINT)
            FROM rollup_mastery_months WHERE month <= ?
            """
        var binds: [Cell] = [.text(last)]
        func anyOf(_ column: String, _ values: [String]) {
            query += values.isEmpty ? " AND 1 = 0" : " AND \(column) IN (\(Cell.placeholders(values.count)))"
            binds += values.map(Cell.text)
        }
        if let groups { anyOf("group_key", groups) }
        anyOf("school_id", schoolIds ?? [MasteryRollup.district])
        if let grade, !grade.isEmpty { anyOf("grade", [grade]) }
        if let standardIds { anyOf("standard_id", standardIds) }
        query += " GROUP BY group_key, standard_id, month"
        var changes: [String: [String: [(month: String, evidence: Int, atOrAbove: Int)]]] = [:]
        for row in try await sql.rowsByPosition(query, binds, kinds: [.text, .text, .text, .int, .int]) {
            guard case .text(let group) = row[0], case .text(let standard) = row[1], case .text(let month) = row[2] else { continue }
            changes[group, default: [:]][standard, default: []].append((month, row[3].integer ?? 0, row[4].integer ?? 0))
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

/// How a month's count reads in a table and a download, wherever standings by month are shown (learning
/// trends, a class's tracker): one rule for hiding small groups.
extension InsightsQueries.MasteryCount {
    /// A share as shown: "62%", or nothing for too few students.
    static func shown(_ count: InsightsQueries.MasteryCount?) -> (text: String, students: Int, heat: Int, suppressed: Bool) {
        guard let count, count.evidence > 0 else { return ("—", 0, -1, false) }
        guard DistrictSettings.smallGroups.allows(count.evidence), let share = count.share else { return ("—", count.evidence, -1, true) }
        return (Percent.text(share), count.evidence, min(4, Int(share * 5)), false)
    }

    /// Shares by standard and month as the tables show them, for learning trends and a class's months.
    static func csv(_ rows: [(code: String, counts: [String: InsightsQueries.MasteryCount])], months: [String]) -> CSVWriter {
        var csv = CSVWriter(header: ["standard", "month", "students", "at_or_above_percent"])
        for row in rows {
            for month in months {
                let cell = shown(row.counts[month])
                guard cell.students > 0 else { continue }
                // Too few students: neither the share nor the count is given.
                csv.append([row.code, month, cell.suppressed ? "" : String(cell.students), cell.suppressed ? "" : String(cell.text.dropLast())])
            }
        }
        return csv
    }
}
