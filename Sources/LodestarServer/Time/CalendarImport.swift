import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Imports a leader's calendar (.ics) for a range of days: every occurrence (recurring events
/// expanded) becomes a time entry, sorted into a category by the leader's corrections and the
/// district's keywords. Re-importing updates the same entries and keeps corrected categories;
/// occurrences of the file's events that are gone from it in that range (cancelled, moved) are removed,
/// and entries from other calendars are left alone; for a subscription (`CalendarSubscriptions`), every
/// entry it brought in that range and no longer has is removed. All in one transaction.
enum CalendarImport {
    struct Report: Sendable, Equatable {
        var added = 0
        var updated = 0
        var removed = 0
        var allDay = 0
        /// Events no rule matched: filed under "Meetings" for the leader to check.
        var guessed = 0
        /// What the file has that was read a particular way or left out.
        var warnings: [String] = []
    }

    /// Where events no keyword matches are filed, marked as a guess.
    static let fallbackCategory = "meetings"

    static let columns: [(String, TableSync.Kind)] = [
        ("leader_id", .text), ("starts_at", .int), ("ends_at", .int), ("title", .text), ("category", .text), ("source", .text),
        ("guessed", .bool), ("all_day", .bool), ("created_at", .int), ("subscription_id", .optionalText),
    ]

    /// - Parameters:
    ///   - from, through: ISO days, both included.
    ///   - subscription: the subscription the calendar comes from, if it does.
    static func run(_ bytes: [UInt8], fileName: String, leaderId: String, from: String, through: String, subscription: String? = nil,
                    on db: any Database) async throws -> Report {
        let start = DisplayTime.startOfDay(from), end = DisplayTime.startOfDay(DisplayTime.isoDay(through, plus: 1))
        guard end > start else { throw LodestarError("The last day comes before the first day.") }
        guard end - start <= 400 * 86_400 else { throw LodestarError("Import at most a year at a time.") }
        let window = Date(timeIntervalSince1970: TimeInterval(start))..<Date(timeIntervalSince1970: TimeInterval(end))
        let reading = try ICalendar.read(bytes, fileName: fileName, window: window, zone: DisplayTime.zone)
        let occurrences = reading.occurrences

        let queries = TimeQueries(db: db)
        let categories = try await queries.categories()
        let corrections = Dictionary(try await TimeCorrection.query(on: db).filter(\.$leaderId == leaderId).all().map { ($0.title, $0.category) },
                                     uniquingKeysWith: { first, _ in first })
        let now = Int(Date().timeIntervalSince1970)
        var desired: [String: (start: Int, end: Int, title: String, allDay: Bool, category: String?)] = [:]
        for occurrence in occurrences {
            let id = TimeEntry.calendarId(leader: leaderId, uid: occurrence.uid, start: occurrence.start)
            let title = occurrence.summary.isEmpty ? "(no title)" : String(occurrence.summary.prefix(300))
            let begin = Int(occurrence.start.timeIntervalSince1970)
            // An all-day event marks the day; it says nothing about how the hours went. Nor does an event
            // longer than a day (a conference from Monday 8:00 to Wednesday 17:00): it is shown like one.
            let allDay = occurrence.allDay || occurrence.end.timeIntervalSince(occurrence.start) > TimeEntry.longest
            let finish = allDay ? begin : max(begin, Int(occurrence.end.timeIntervalSince1970))
            desired[id] = (begin, finish, title, allDay, TimeCategory.categorize(title, categories: categories, corrections: corrections))
        }

        let sync = TableSync(table: "time_entries", columns: columns)
        let events = desired
        let uids = Set(occurrences.map(\.uid))
        return try await db.writeTransaction { db in
            let sql = db.sql
            let existingRows = try await sql.raw("""
                SELECT id, category, guessed, subscription_id FROM time_entries WHERE leader_id = \(bind: leaderId) AND source = 'calendar'
                AND starts_at >= \(bind: start) AND starts_at < \(bind: end)
                """).all()
            var existing: [String: (category: String, guessed: Bool, subscription: String?)] = [:]
            for row in existingRows {
                existing[try row.decode(column: "id", as: String.self)] = (try row.decode(column: "category", as: String.self), try row.decode(column: "guessed", as: Bool.self),
                                                                           try row.decode(column: "subscription_id", as: String?.self))
            }
            var rows: [(String, [Cell])] = []
            for (id, event) in events {
                // A category the leader set by hand stays; a guess is redone with today's rules.
                let kept = existing[id].flatMap { $0.guessed ? nil : $0.category }
                let category = kept ?? event.category ?? fallbackCategory
                let guessed = kept == nil && event.category == nil
                rows.append((id, [.text(leaderId), .int(event.start), .int(event.end), .text(event.title), .text(category), .text("calendar"),
                                  .bool(guessed), .bool(event.allDay), .int(now), (subscription ?? existing[id]?.subscription).map(Cell.text) ?? .null]))
            }
            try await sync.upsert(rows, on: sql)
            // Occurrences of this file's events that it no longer has (cancelled, moved, excepted) go;
            // entries from the leader's other calendars stay.
            let gone = existing.filter { id, entry in
                guard events[id] == nil else { return false }
                if let subscription { return entry.subscription == subscription }
                return uids.contains(TimeEntry.calendarUID(fromId: id, leader: leaderId))
            }.map(\.key)
            try await sync.delete(ids: Array(gone), on: sql)
            var report = Report()
            report.added = events.keys.filter { existing[$0] == nil }.count
            report.updated = events.count - report.added
            report.removed = gone.count
            report.allDay = events.values.filter(\.allDay).count
            report.guessed = rows.filter { $0.1[6] == .bool(true) }.count
            report.warnings = reading.warnings
            return report
        }
    }
}
