import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Reads leaders' time: entries they recorded or imported, plus automatic entries for the
/// walkthroughs they made and the coaching conversations they held.
struct TimeQueries {
    let db: any Database
    var sql: any SQLDatabase { db.sql }

    /// The leader's own target share on instruction, or the district's default.
    func target(of leaderId: String) async throws -> Double {
        try await TimeTarget.find(leaderId, on: db)?.share ?? TimeTarget.defaultShare
    }

    /// The leaders' overview's window: the four full weeks (Monday to Sunday) before the week of `today`.
    static func recentWeeks(today: String) -> (from: String, until: String) {
        let monday = DisplayTime.monday(of: today)
        return (DisplayTime.isoDay(monday, plus: -28), monday)
    }

    /// Each leader's time over `recentWeeks` and their target: the overview of school leaders' time and the
    /// leadership self-assessment's evidence read it here, by one rule.
    struct RecentShare: Sendable { let ledger: TimeLedger; let target: Double; var met: Bool { (ledger.instructionalShare ?? 0) >= target - 1e-9 } }
    func recentShares(leaders: [String], today: String) async throws -> [String: RecentShare] {
        let window = Self.recentWeeks(today: today)
        let ledgers = try await ledgers(leaders: leaders, from: DisplayTime.startOfDay(window.from), to: DisplayTime.startOfDay(window.until))
        let targets = Dictionary(uniqueKeysWithValues: try await TimeTarget.query(on: db).filter(\.$id ~~ leaders).all().map { ($0.id!, $0.share) })
        return Dictionary(uniqueKeysWithValues: leaders.map { leader in
            (leader, RecentShare(ledger: ledgers[leader] ?? TimeLedger([], instructional: []), target: targets[leader] ?? TimeTarget.defaultShare))
        })
    }

    /// How long an automatic entry lasts: a walkthrough is a short visit; a coaching conversation longer.
    static let walkthroughMinutes = 15
    static let coachingMinutes = 30

    /// One entry in a leader's time, recorded or automatic.
    struct Row: Sendable {
        var id: String
        var leaderId: String
        var start: Int
        var end: Int
        var title: String
        var category: String
        /// "manual", "calendar", "walkthrough" or "coaching".
        var source: String
        var guessed: Bool
        var allDay = false
        /// Where an automatic entry comes from (the walkthrough or coaching page).
        var link: String?

        var automatic: Bool { source == "walkthrough" || source == "coaching" }
        var ledgerEntry: TimeLedger.Entry {
            TimeLedger.Entry(start: Double(start), end: Double(end), category: category, automatic: automatic, id: id)
        }
    }

    /// The district's categories, in order.
    func categories() async throws -> [TimeCategory] {
        try await TimeCategoryRecord.query(on: db).sort(\.$position).all().map(\.category)
    }

    /// Every entry of `leaders` starting in `from..<to` (seconds), in time order.
    func entries(leaders: [String], from: Int, to: Int) async throws -> [Row] {
        guard !leaders.isEmpty else { return [] }
        var rows: [Row] = []
        for row in try await sql.raw("""
            SELECT id, leader_id, starts_at, ends_at, title, category, source, guessed, all_day FROM time_entries
            WHERE leader_id IN (\(binds: leaders)) AND starts_at >= \(bind: from) AND starts_at < \(bind: to)
            """).all() {
            rows.append(Row(id: try row.decode(column: "id", as: String.self), leaderId: try row.decode(column: "leader_id", as: String.self),
                            start: try row.decode(column: "starts_at", as: Int.self), end: try row.decode(column: "ends_at", as: Int.self),
                            title: try row.decode(column: "title", as: String.self), category: try row.decode(column: "category", as: String.self),
                            source: try row.decode(column: "source", as: String.self), guessed: try row.decode(column: "guessed", as: Bool.self),
                            allDay: try row.decode(column: "all_day", as: Bool.self)))
        }
        let visits = try await WalkthroughQueries(db: db).visits(byObservers: leaders, from: from, to: to)
        let conversations = try await CoachingQueries(db: db).conversations(byCoaches: leaders, from: from, to: to)
        let names = try await Staff.names(of: visits.map(\.teacherId) + conversations.map(\.teacherId), on: db)
        for visit in visits {
            rows.append(Row(id: "walkthrough|\(visit.id)", leaderId: visit.observerId, start: visit.observedAt,
                            end: visit.observedAt + Self.walkthroughMinutes * 60, title: "Walkthrough: \(names[visit.teacherId] ?? "")", category: "walkthroughs",
                            source: "walkthrough", guessed: false, link: "/walkthroughs/\(visit.id)"))
        }
        for conversation in conversations {
            rows.append(Row(id: "coaching|\(conversation.id!)", leaderId: conversation.coachId, start: conversation.heldAt,
                            end: conversation.heldAt + Self.coachingMinutes * 60, title: "Coaching conversation: \(names[conversation.teacherId] ?? "")",
                            category: "coaching", source: "coaching", guessed: false, link: "/coaching/teachers/\(conversation.teacherId)"))
        }
        return rows.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
    }

    /// Each leader's time over `from..<to`, summed in the database by the ledger's rule (overlapping recorded
    /// time counted once, for the entry that began first; automatic entries inside recorded time not counted;
    /// no recorded entry is longer than `TimeEntry.longest`): for tables of many leaders, without reading
    /// every entry.
    func ledgers(leaders: [String], from: Int, to: Int) async throws -> [String: TimeLedger] {
        guard !leaders.isEmpty else { return [:] }
        let instructional = Set(try await categories().filter(\.instructional).map(\.key))
        var minutes: [String: [String: Double]] = [:]
        // Each entry counts from where the entries that began before it end ("covered"), in the ledger's order;
        // text in byte order on both databases (PostgreSQL's default collation would order it otherwise).
        let bytes = sql.dialect.name == "postgresql" ? " COLLATE \"C\"" : ""
        for row in try await sql.raw("""
            SELECT leader_id, category,
                   CAST(SUM(CASE WHEN ends_at > covered THEN ends_at - CASE WHEN starts_at > covered THEN starts_at ELSE covered END ELSE 0 END) AS BIGINT) AS seconds
            FROM (SELECT leader_id, category, starts_at, ends_at,
                         COALESCE(MAX(ends_at) OVER (PARTITION BY leader_id ORDER BY starts_at, ends_at DESC, category\(unsafeRaw: bytes), id\(unsafeRaw: bytes)
                                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS covered
                  FROM time_entries
                  WHERE leader_id IN (\(binds: leaders)) AND starts_at >= \(bind: from) AND starts_at < \(bind: to) AND ends_at > starts_at) entries
            GROUP BY leader_id, category
            """).all() {
            minutes[try row.decode(column: "leader_id", as: String.self), default: [:]][try row.decode(column: "category", as: String.self)] =
                Double(try row.decode(column: "seconds", as: Int.self)) / 60
        }
        // Visits and conversations inside recorded time are not counted again. The leaders are named in the inner
        // query too: without it PostgreSQL hashed every leader's entries (67 ms for two leaders on the large district,
        // 0.4 ms with it).
        for (table, leader, at, length, category) in [("walkthroughs", "observer_id", "observed_at", Self.walkthroughMinutes * 60, "walkthroughs"),
                                                      ("coaching_conversations", "coach_id", "held_at", Self.coachingMinutes * 60, "coaching")] {
            for row in try await sql.raw("""
                SELECT a.\(ident: leader) AS leader_id, COUNT(*) AS visits FROM \(ident: table) a
                WHERE a.\(ident: leader) IN (\(binds: leaders)) AND a.\(ident: at) >= \(bind: from) AND a.\(ident: at) < \(bind: to)
                  AND NOT EXISTS (SELECT 1 FROM time_entries t WHERE t.leader_id = a.\(ident: leader) AND t.leader_id IN (\(binds: leaders))
                                  AND t.starts_at > a.\(ident: at) - \(literal: Int(TimeEntry.longest))
                                  AND t.starts_at < a.\(ident: at) + \(literal: length) AND a.\(ident: at) < t.ends_at)
                GROUP BY a.\(ident: leader)
                """).all() {
                minutes[try row.decode(column: "leader_id", as: String.self), default: [:]][category, default: 0] +=
                    Double(try row.decode(column: "visits", as: Int.self) * length) / 60
            }
        }
        return minutes.mapValues { TimeLedger(minutesByCategory: $0, instructional: instructional) }
    }
}
