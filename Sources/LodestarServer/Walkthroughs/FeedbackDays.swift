import Fluent
import LodestarCore
import SQLKit

/// Each school's feedback loop and visit coverage by day (`rollup_feedback_days`): its visits, those shared, shared
/// within a day and replied to by their teacher, each shared visit's wait and the teachers visited. The feedback page
/// counts the days of its 30-day window from here, and only a day the window cuts through (its first, usually) from
/// the visits, so its cost no longer grows with the visits. A new visit is added to its day's row; every other change
/// to a visit recomputes the days it touches from the visits themselves (`follow`, in the change's transaction);
/// `rebuild` recomputes the table, and a test holds the two identical and the page equal to a recomputation from the
/// raw visits.
enum FeedbackDays {
    /// A school's day. Days are counted in UTC from 1970: any cut of time into days keeps the window exact,
    /// as the page reads the partial days from the visits.
    struct Key: Hashable, Comparable {
        var day: Int
        var schoolId: String
        init(day: Int, schoolId: String) { self.day = day; self.schoolId = schoolId }
        init(_ walkthrough: Walkthrough) { self.init(day: FeedbackDays.day(walkthrough.observedAt), schoolId: walkthrough.schoolId) }
        static func < (a: Key, b: Key) -> Bool { (a.day, a.schoolId) < (b.day, b.schoolId) }
    }

    /// The day of a moment (whole days since 1970, rounded down).
    static func day(_ seconds: Int) -> Int { (seconds - (seconds < 0 ? 86_399 : 0)) / 86_400 }

    /// What a visit brings to its day.
    struct Visit {
        var key: Key
        var teacher: String
        var observedAt: Int
        var sharedAt: Int?
        var teacherReplied: Bool
    }

    /// A school's counts over some visits: one day's, or a window's.
    struct Totals: Equatable {
        var visits = 0, shared = 0, withinADay = 0, replied = 0
        /// Seconds from each shared visit to its feedback.
        var waits: [Int] = []
        var teachers: Set<String> = []
        /// When the first and the last of the visits were made: a day wholly inside a window is read from its row.
        var firstVisitAt = Int.max, lastVisitAt = Int.min

        /// One visit, as the feedback loop counts it: shared within a day when the wait is at most 24 hours,
        /// replied to when its teacher replied to shared feedback.
        mutating func add(_ visit: Visit) {
            visits += 1
            teachers.insert(visit.teacher)
            firstVisitAt = min(firstVisitAt, visit.observedAt)
            lastVisitAt = max(lastVisitAt, visit.observedAt)
            guard let sharedAt = visit.sharedAt else { return }
            shared += 1
            waits.append(sharedAt - visit.observedAt)
            if sharedAt - visit.observedAt <= 86_400 { withinADay += 1 }
            if visit.teacherReplied { replied += 1 }
        }

        var loop: FeedbackLoop {
            FeedbackLoop(visits: visits, shared: shared, medianHoursToFeedback: FeedbackLoop.medianHours(ofWaits: waits.map(Double.init)),
                         sharedWithinADay: shared > 0 ? Double(withinADay) / Double(shared) : nil,
                         replyRate: shared > 0 ? Double(replied) / Double(shared) : nil)
        }
    }

    // MARK: Reading

    /// Each school's totals over the visits observed from `start` to `end` (seconds, both included). The days whose
    /// visits all fall inside are added up by the database, a row per school, their lists joined; a day the window cuts
    /// through (its first, and its last when a visit was dated later than `end`) is counted from its visits.
    static func totals(from start: Int, through end: Int, schoolIds: [String]?, on db: any Database) async throws -> [String: Totals] {
        if schoolIds?.isEmpty == true { return [:] }
        let window = "day >= ? AND day < ?" + (schoolIds.map { " AND school_id IN (\(Cell.placeholders($0.count)))" } ?? "")
        let windowBinds = [Cell.int(day(start)), .int(day(end) + 1)] + (schoolIds ?? []).map(Cell.text)
        var result: [String: Totals] = [:]
        for row in try await db.sql.rowsByPosition("""
            SELECT school_id, CAST(SUM(visits) AS BIGINT), CAST(SUM(shared) AS BIGINT), CAST(SUM(within_a_day) AS BIGINT), CAST(SUM(replied) AS BIGINT),
                   \(GroupedList.joined("waits", on: db.sql)), \(GroupedList.joined("teachers", on: db.sql))
            FROM rollup_feedback_days WHERE \(window) AND first_visit_at >= ? AND last_visit_at <= ? GROUP BY school_id
            """, windowBinds + [.int(start), .int(end)], kinds: [.text, .int, .int, .int, .int, .optionalText, .optionalText]) {
            var totals = Totals(visits: row[1].integer ?? 0, shared: row[2].integer ?? 0, withinADay: row[3].integer ?? 0, replied: row[4].integer ?? 0,
                                waits: GroupedList.integers(row[5].text))
            GroupedList.forEachText(row[6].text ?? "") { totals.teachers.insert($0) }
            result[row[0].text ?? ""] = totals
        }
        let cut = try await db.sql.rowsByPosition("""
            SELECT day, school_id FROM rollup_feedback_days
            WHERE \(window) AND NOT (first_visit_at >= ? AND last_visit_at <= ?) AND last_visit_at >= ? AND first_visit_at <= ?
            """, windowBinds + [.int(start), .int(end), .int(start), .int(end)], kinds: [.int, .text])
        for visit in try await visits(onDays: cut.map { Key(day: $0[0].integer ?? 0, schoolId: $0[1].text ?? "") }, within: start...end, on: db) {
            result[visit.key.schoolId, default: Totals()].add(visit)
        }
        return result
    }

    // MARK: Keeping the table

    /// Recomputes the days a change touches, inside its transaction: a visit added or deleted, feedback shared or
    /// taken back, a reply. An edit changes none of what is counted here (time, school, teacher, sharing, replies).
    static func follow(_ change: Change, on db: any Database) async throws {
        switch change {
        case .walkthroughsAdded(let added):
            try await add(added.map { Visit($0.walkthrough) }, on: db)
        case .walkthroughsDeleting(let ids):
            try await refresh(try await keys(ofWalkthroughs: ids, on: db), excluding: ids, on: db)
        case .feedbackShared(let walkthrough, edited: false), .feedbackTakenBack(let walkthrough), .replied(_, on: let walkthrough):
            try await refresh([Key(walkthrough)], on: db)
        case .walkthroughsLoaded:
            try await recompute(on: db)
        default:
            break
        }
    }

    /// Recomputes the whole table from the visits, in one transaction (`lodestar rollups rebuild`).
    static func rebuild(on db: any Database) async throws {
        try await db.writeTransaction { db in try await recompute(on: db) }
    }

    /// `rebuild` inside a transaction the caller holds (bulk loads, the migration that made the table).
    static func recompute(on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM rollup_feedback_days").run()
        var days: [Key: Totals] = [:]
        for visit in try await visits(where: "1 = 1", [], on: db) { days[visit.key, default: Totals()].add(visit) }
        try await insert(days, on: db)
    }

    /// Every row, for comparing a rebuilt table with a maintained one.
    static func all(on db: any Database) async throws -> [Key: Totals] { try await stored(where: "1 = 1", [], on: db) }

    /// The stored rows `condition` selects (`?` for each of `binds`).
    private static func stored(where condition: String, _ binds: [Cell], on db: any Database) async throws -> [Key: Totals] {
        var days: [Key: Totals] = [:]
        for row in try await db.sql.rowsByPosition(
            "SELECT day, school_id, first_visit_at, last_visit_at, visits, shared, within_a_day, replied, waits, teachers FROM rollup_feedback_days WHERE \(condition)",
            binds, kinds: [.int, .text, .int, .int, .int, .int, .int, .int, .text, .text]) {
            days[Key(day: row[0].integer ?? 0, schoolId: row[1].text ?? "")] = Totals(
                visits: row[4].integer ?? 0, shared: row[5].integer ?? 0, withinADay: row[6].integer ?? 0, replied: row[7].integer ?? 0,
                waits: GroupedList.integers(row[8].text), teachers: Set(GroupedList.texts(row[9].text)),
                firstVisitAt: row[2].integer ?? 0, lastVisitAt: row[3].integer ?? 0)
        }
        return days
    }

    /// New visits added to their days as stored. Recomputing a day from its visits read every visit of the day again
    /// on each save, more as the day filled (a school's day under the benchmark's load held thousands); a stored day
    /// already counts every earlier visit, and a new visit has no reply yet.
    private static func add(_ visits: [Visit], on db: any Database) async throws {
        let keys = Set(visits.map(\.key)).sorted()
        guard !keys.isEmpty else { return }
        var days: [Key: Totals] = [:]
        for chunk in keys.chunks(of: 300) {
            days.merge(try await stored(where: chunk.map { _ in "(day = ? AND school_id = ?)" }.joined(separator: " OR "),
                                        chunk.flatMap { [Cell.int($0.day), .text($0.schoolId)] }, on: db)) { stored, _ in stored }
        }
        for visit in visits { days[visit.key, default: Totals()].add(visit) }
        try await delete(keys, on: db)
        try await insert(days, on: db)
    }

    /// Recomputes `keys`' rows from their visits, leaving out visits `excluding` (about to be deleted). Safe with two
    /// servers on PostgreSQL because every walkthrough write holds the write lock (`writeTransaction`): no other writer's
    /// uncommitted visit can be missed.
    private static func refresh(_ keys: Set<Key>, excluding: [String] = [], on db: any Database) async throws {
        guard !keys.isEmpty else { return }
        let sorted = keys.sorted()
        var days: [Key: Totals] = [:]
        for visit in try await visits(onDays: sorted, excluding: excluding, on: db) { days[visit.key, default: Totals()].add(visit) }
        try await delete(sorted, on: db)
        try await insert(days, on: db)
    }

    private static func delete(_ keys: [Key], on db: any Database) async throws {
        for chunk in keys.chunks(of: 300) {
            var query: SQLQueryString = "DELETE FROM rollup_feedback_days WHERE "
            for (index, key) in chunk.enumerated() { query += "\(unsafeRaw: index > 0 ? " OR " : "")(day = \(bind: key.day) AND school_id = \(bind: key.schoolId))" }
            try await db.sql.raw(query).run()
        }
    }

    private static func keys(ofWalkthroughs ids: [String], on db: any Database) async throws -> Set<Key> {
        var keys: Set<Key> = []
        for chunk in ids.chunks(of: 1_000) {
            keys.formUnion(try await visits(where: "id IN (\(Cell.placeholders(chunk.count)))", chunk.map(Cell.text), on: db).map(\.key))
        }
        return keys
    }

    /// The visits of `days` observed `within` a window (a window's cut days; whole days to recompute them), leaving out
    /// `excluding`; two hundred days per statement, each an index range.
    private static func visits(onDays days: [Key], within window: ClosedRange<Int> = Int.min...Int.max, excluding: [String] = [],
                               on db: any Database) async throws -> [Visit] {
        var found: [Visit] = []
        for chunk in days.chunks(of: 200) {
            var query = chunk.map { _ in "(school_id = ? AND observed_at >= ? AND observed_at <= ?)" }.joined(separator: " OR ")
            var binds = chunk.flatMap { [Cell.text($0.schoolId), .int(max(window.lowerBound, $0.day * 86_400)), .int(min(window.upperBound, $0.day * 86_400 + 86_399))] }
            if !excluding.isEmpty {
                query = "(\(query)) AND id NOT IN (\(Cell.placeholders(excluding.count)))"
                binds += excluding.map(Cell.text)
            }
            found += try await visits(where: query, binds, on: db)
        }
        return found
    }

    /// The visits `condition` selects (`?` for each of `binds`).
    private static func visits(where condition: String, _ binds: [Cell], on db: any Database) async throws -> [Visit] {
        try await db.sql.rowsByPosition("SELECT school_id, teacher_id, observed_at, shared_at, teacher_replied FROM walkthroughs WHERE \(condition)",
                                        binds, kinds: [.text, .text, .int, .optionalInt, .int]).map { row in
            let observedAt = row[2].integer ?? 0
            return Visit(key: Key(day: day(observedAt), schoolId: row[0].text ?? ""), teacher: row[1].text ?? "", observedAt: observedAt,
                         sharedAt: row[3].integer, teacherReplied: row[4].integer == 1)
        }
    }

    private static func insert(_ days: [Key: Totals], on db: any Database) async throws {
        for chunk in days.sorted(by: { $0.key < $1.key }).chunks(of: 500) {
            var query: SQLQueryString = "INSERT INTO rollup_feedback_days (day, school_id, first_visit_at, last_visit_at, visits, shared, within_a_day, replied, waits, teachers) VALUES "
            for (index, (key, totals)) in chunk.enumerated() {
                query += "\(unsafeRaw: index > 0 ? ", " : "")(\(bind: key.day), \(bind: key.schoolId), \(bind: totals.firstVisitAt), \(bind: totals.lastVisitAt), "
                query += "\(bind: totals.visits), \(bind: totals.shared), "
                query += "\(bind: totals.withinADay), \(bind: totals.replied), \(bind: GroupedList.list(integers: totals.waits.sorted())), "
                query += "\(bind: GroupedList.list(texts: totals.teachers.sorted())))"
            }
            try await db.sql.raw(query).run()
        }
    }
}

extension FeedbackDays.Visit {
    /// A walkthrough just saved, which its teacher cannot have replied to yet.
    init(_ walkthrough: Walkthrough) {
        self.init(key: FeedbackDays.Key(walkthrough), teacher: walkthrough.teacherId, observedAt: walkthrough.observedAt, sharedAt: walkthrough.sharedAt,
                  teacherReplied: false)
    }
}
