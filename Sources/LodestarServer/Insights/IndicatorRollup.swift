import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Walkthrough counts by school, month, grade band, subject and indicator: how many visits could have
/// marked the practice (`visits`: the framework has it and it was not marked not applicable), how many
/// marked it seen (`seen`) and not seen (`not_seen`); the rest did not look for it (`PracticeCount`).
/// Rows with school "" hold the district's totals. Every walkthrough write adds its counts in the same
/// transaction; `rebuild` recomputes the table from the walkthroughs themselves, and a test holds the two identical.
enum IndicatorRollup {
    static let table = "rollup_indicator_months"
    /// The school id of the district's totals.
    static let district = ""

    struct Key: Hashable {
        var schoolId: String
        var month: String
        var gradeBand: String
        var subject: String
        var indicator: String
        var id: String { [schoolId, month, gradeBand, subject, indicator].joined(separator: "|") }
    }

    /// One row's counters, in the table's column order.
    struct Counts {
        var visits = 0, seen = 0, notSeen = 0
        static func + (a: Counts, b: Counts) -> Counts { Counts(visits: a.visits + b.visits, seen: a.seen + b.seen, notSeen: a.notSeen + b.notSeen) }
    }

    /// "2026-11": the month of a moment, district time.
    static func month(_ seconds: Int) -> String {
        let offset = DisplayTime.zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(ISODay.string(Int(floor(Double(seconds + offset) / 86_400))).prefix(7))
    }

    /// The counts the given walkthroughs contribute, read from their rows and marks.
    static func counts(walkthroughs ids: [String], on db: any Database) async throws -> [Key: Counts] {
        guard !ids.isEmpty else { return [:] }
        let visits = try await WalkthroughQueries(db: db).visitsWithMarks(ids)
        let frameworks = try await FrameworkStore.frameworks(ids: visits.map(\.frameworkId), on: db)
        var result: [Key: Counts] = [:]
        for visit in visits {
            guard let framework = frameworks[visit.frameworkId] else { continue }
            contribute(school: visit.schoolId, observedAt: visit.observedAt, gradeBand: visit.gradeBand, subject: visit.subject,
                       framework: framework, marks: visit.marks, to: &result)
        }
        return result
    }

    /// What one walkthrough adds: a visit for each practice of its framework not marked not applicable,
    /// seen or not seen as marked; for its school and for the district's totals (school "").
    static func contribute(school: String, observedAt: Int, gradeBand: String, subject: String, framework: Framework,
                           marks: [String: String], to result: inout [Key: Counts]) {
        let month = Self.month(observedAt)
        for indicator in framework.indicators {
            var count = PracticeCount()
            count.add(mark: marks[indicator.key], on: framework.scale)
            let counts = Counts(visits: count.lookedFor + count.notLookedFor, seen: count.seen, notSeen: count.notSeen)
            guard counts.visits > 0 else { continue }
            for place in [school, district] {
                let key = Key(schoolId: place, month: month, gradeBand: gradeBand, subject: subject, indicator: indicator.key)
                result[key] = (result[key] ?? Counts()) + counts
            }
        }
    }

    /// Adds new walkthroughs' counts from what is in hand, in one statement; call inside the transaction that writes them.
    static func add(_ added: [(walkthrough: Walkthrough, framework: Framework, marks: [String: String])], on db: any Database) async throws {
        var counts: [Key: Counts] = [:]
        for (walkthrough, framework, marks) in added {
            contribute(school: walkthrough.schoolId, observedAt: walkthrough.observedAt, gradeBand: walkthrough.gradeBand, subject: walkthrough.subject,
                       framework: framework, marks: marks, to: &counts)
        }
        try await increment(counts, on: db)
    }

    /// Takes walkthroughs' counts out, as they are read from their rows now; call inside the transaction that
    /// changes or removes them, before the change. Rows left at zero go, so the table stays equal to a rebuild.
    static func remove(walkthroughs ids: [String], on db: any Database) async throws {
        let counts = try await counts(walkthroughs: ids, on: db)
        guard !counts.isEmpty else { return }
        try await increment(counts.mapValues { Counts(visits: -$0.visits, seen: -$0.seen, notSeen: -$0.notSeen) }, on: db)
        try await db.sql.raw("DELETE FROM rollup_indicator_months WHERE visits = 0 AND id IN (\(binds: counts.keys.map(\.id)))").run()
    }

    /// Adds walkthroughs' counts as read from their rows; call inside the transaction that changed them.
    static func add(walkthroughs ids: [String], on db: any Database) async throws {
        try await increment(try await counts(walkthroughs: ids, on: db), on: db)
    }

    static let writer = RollupWriter(table: table, keyColumns: ["school_id", "month", "grade_band", "subject", "indicator_key"], counters: ["visits", "seen", "not_seen"])

    private static func increment(_ counts: [Key: Counts], on db: any Database) async throws {
        try await writer.add(counts.map { key, value in
            RollupWriter.Row(id: key.id, keys: [key.schoolId, key.month, key.gradeBand, key.subject, key.indicator], counts: [value.visits, value.seen, value.notSeen])
        }, on: db)
    }

    /// Recomputes the whole table from the walkthroughs, in one transaction.
    static func rebuild(on db: any Database) async throws {
        try await db.writeTransaction { db in try await recompute(on: db) }
    }

    /// `rebuild` inside a transaction the caller holds (bulk loads).
    static func recompute(on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM rollup_indicator_months").run()
        let ids = try await WalkthroughQueries(db: db).allIds()
        var total: [Key: Counts] = [:]
        for batch in ids.chunks(of: 10_000) {
            for (key, value) in try await counts(walkthroughs: batch, on: db) { total[key] = (total[key] ?? Counts()) + value }
        }
        try await increment(total, on: db)
    }

    /// Every row, for comparing a rebuilt table with a maintained one.
    static func all(on db: any Database) async throws -> [String: [Int]] {
        var rows: [String: [Int]] = [:]
        for row in try await db.sql.raw("SELECT id, visits, seen, not_seen FROM rollup_indicator_months").all() {
            rows[try row.decode(column: "id", as: String.self)] = try ["visits", "seen", "not_seen"].map { try row.decode(column: $0, as: Int.self) }
        }
        return rows
    }
}
