import Fluent
import Foundation
import LodestarCore

/// The Learning trends and Equity pages' analyses, reached by their pages and by the leadership team's evidence, so
/// that a number quoted elsewhere follows the rule of the page it links to.
extension InsightsQueries {
    /// The share at or above mastery per standard and month, and the standards flagged as candidate problems of learning.
    struct LearningTrend {
        struct Row { let standard: Standard; let subject: String; let counts: [String: MasteryCount] }
        /// Standards of the subject with a result in one of the months, by code.
        let rows: [Row]
        let flags: [ProblemsOfLearning.Flag]
        /// Every subject with results, for the filter.
        let subjects: [String]
    }

    /// - Parameter priorityOnly: only the district's priority standards.
    func learningTrend(schoolIds: [String]?, grade: String, subject: String, months: [String], priorityOnly: Bool = false) async throws -> LearningTrend {
        let counts = try await masteryByMonth(schoolIds: schoolIds, grade: grade, standardIds: nil, group: "all", months: months)
        let priorities = priorityOnly ? Set(try await StandardsQueries(db: db).priorities().keys) : nil
        let standards = try await StandardsQueries(db: db).standards(ids: counts.keys).filter { priorities?.contains($0.id!) ?? true }
        let documents = try await StandardsQueries(db: db).subjects()
        let rows = standards.map { LearningTrend.Row(standard: $0, subject: documents[$0.documentId] ?? "", counts: counts[$0.id!] ?? [:]) }
        let shown = rows.filter { subject.isEmpty || $0.subject == subject }
            .filter { row in months.contains { (row.counts[$0]?.evidence ?? 0) > 0 } }
            .sorted { $0.standard.code.localizedStandardCompare($1.standard.code) == .orderedAscending }
        let flags = ProblemsOfLearning.flags(shown.map { row in
            ProblemsOfLearning.Series(standard: row.standard.id!, points: months.compactMap { month in
                row.counts[month].flatMap { $0.evidence > 0 ? (month, $0.evidence, $0.atOrAbove) : nil }
            })
        }, rule: DistrictSettings.smallGroups)
        return LearningTrend(rows: shown, flags: flags, subjects: Array(Set(rows.map(\.subject))).filter { !$0.isEmpty }.sorted())
    }

    /// Mastery by student group against a comparison group (all students unless another) in one month.
    struct EquityGapList {
        struct Gap { let standard: Standard; let row: EquityGaps.Row; let reference: String }
        /// Standards of the subject with results, by code.
        let standards: [Standard]
        /// Groups below the comparison, furthest below first, and groups above it, furthest above first.
        let below: [Gap]
        let above: [Gap]
        /// Every other group with students: level with the comparison, then those hidden or without one to compare with.
        let others: [Gap]
        /// group → standard → month → count, for the months asked.
        let counts: [String: [String: [String: MasteryCount]]]
        let subjects: [String]
    }

    func equityGaps(schoolIds: [String]?, grade: String, subject: String, comparison: String, month: String, months: [String]) async throws -> EquityGapList {
        let counts = try await masteryByGroup(schoolIds: schoolIds, grade: grade, standardIds: nil, groups: nil, months: months)
        let documents = try await StandardsQueries(db: db).subjects()
        let allStandards = try await StandardsQueries(db: db).standards(ids: (counts["all"] ?? [:]).keys)
        let standards = allStandards.filter { subject.isEmpty || documents[$0.documentId] == subject }
            .sorted { $0.code.localizedStandardCompare($1.code) == .orderedAscending }
        var gaps: [EquityGapList.Gap] = [], others: [EquityGapList.Gap] = []
        for standard in standards {
            for row in Self.equityRows(counts, standard: standard.id!, month: month, comparison: comparison) where row.group != comparison {
                if let gap = row.gapToComparison, gap != 0 { gaps.append(.init(standard: standard, row: row, reference: comparison)) } else {
                    others.append(.init(standard: standard, row: row, reference: comparison))
                }
            }
        }
        // Widest first, then by standard and group; each code is read from its model once (a model's fields are slow to read).
        func widestFirst(_ gaps: [EquityGapList.Gap]) -> [EquityGapList.Gap] {
            gaps.map { (width: abs($0.row.gapToComparison!), code: $0.standard.code, gap: $0) }
                .sorted { ($0.width, $1.code, $1.gap.row.group) > ($1.width, $0.code, $0.gap.row.group) }
                .map(\.gap)
        }
        return EquityGapList(standards: standards, below: widestFirst(gaps.filter { $0.row.gapToComparison! < 0 }),
                             above: widestFirst(gaps.filter { $0.row.gapToComparison! > 0 }),
                             others: others.filter { $0.row.gapToComparison != nil } + others.filter { $0.row.gapToComparison == nil },
                             counts: counts, subjects: Array(Set(allStandards.compactMap { documents[$0.documentId] })).filter { !$0.isEmpty }.sorted())
    }

    /// One standard's groups in one month, with complementary suppression.
    static func equityRows(_ counts: [String: [String: [String: MasteryCount]]], standard: String, month: String, comparison: String) -> [EquityGaps.Row] {
        let count = { (group: String) in counts[group]?[standard]?[month] ?? .init(evidence: 0, atOrAbove: 0) }
        let all = count("all")
        return EquityGaps.rows(all: .init(group: "all", students: all.evidence, atOrAbove: all.atOrAbove),
                               groups: StudentGroup.all.map { group in let c = count(group.key); return .init(group: group.key, students: c.evidence, atOrAbove: c.atOrAbove) },
                               partitions: StudentGroup.partitionKeys, comparison: comparison, rule: DistrictSettings.smallGroups)
    }

    /// "+4" or "-12": a gap in whole percentage points.
    static func points(_ gap: Double?) -> String {
        gap.map { let value = Int($0.rounded()); return value > 0 ? "+\(value)" : "\(value)" } ?? "—"
    }
}
