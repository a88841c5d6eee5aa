import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// A leader's calendar connected by its secret iCalendar address (Google's "Secret address in iCal
/// format", Outlook's published ICS link), refreshed on a schedule.
final class CalendarSubscription: Model, @unchecked Sendable {
    static let schema = "calendar_subscriptions"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "leader_id") var leaderId: String
    @Field(key: "label") var label: String
    /// The secret address: it is a password to the calendar, so pages show only its host.
    @Field(key: "address") var address: String
    @OptionalField(key: "etag") var etag: String?
    @OptionalField(key: "last_modified") var lastModified: String?
    /// Seconds since 1970 of the last try, and of the last one that worked.
    @OptionalField(key: "refreshed_at") var refreshedAt: Int?
    @OptionalField(key: "succeeded_at") var succeededAt: Int?
    @OptionalField(key: "last_error") var lastError: String?
    /// Occurrences the last refresh brought in.
    @Field(key: "events") var events: Int
    @Field(key: "interval_seconds") var intervalSeconds: Int
    @Field(key: "next_refresh_at") var nextRefreshAt: Int
    @Field(key: "created_at") var createdAt: Int
    init() {}

    static let defaultInterval = 3_600
    static let labelLimit = 100
    /// The `leaderId` of a calendar the district connects for every leader who keeps their time.
    static let everyone = "district"

    var isForEveryone: Bool { leaderId == Self.everyone }

    /// The host of the address, the only part of it shown.
    var host: String { URL(string: address)?.host ?? "?" }
}

private struct CalendarFetcherSettingsKey: StorageKey { typealias Value = CalendarFetcher.Settings }

extension Application {
    var calendarFetcher: CalendarFetcher {
        CalendarFetcher(settings: storage[CalendarFetcherSettingsKey.self] ?? CalendarFetcher.Settings(), eventLoopGroup: eventLoopGroup)
    }

    var calendarFetcherSettings: CalendarFetcher.Settings {
        get { storage[CalendarFetcherSettingsKey.self] ?? CalendarFetcher.Settings() }
        set { storage[CalendarFetcherSettingsKey.self] = newValue }
    }
}

/// Refreshing subscriptions: each fetch is conditional, and what it brings is imported like a file for the
/// school year around today (`CalendarImport` with the subscription), so the leader's corrected categories
/// stay and occurrences the source no longer has go. A failure is kept on the subscription for the leader
/// to see, and the next try is at the usual time.
struct CalendarSubscriptions {
    let db: any Database
    let fetcher: CalendarFetcher

    struct Outcome: Sendable {
        var report: CalendarImport.Report?
        var notModified = false
        var error: String?
    }

    /// The days a refresh covers: the current school year from its first day, and at least two months
    /// ahead of today (into the next school year at the end of this one), 400 days at most.
    static func window(today: String) -> (from: String, through: String) {
        var from = DisplayTime.schoolYearStart(of: today)
        let through = max(DisplayTime.isoDay(from, plus: 364), DisplayTime.isoDay(today, plus: 60))
        if DisplayTime.isoDay(through, plus: -399) > from { from = DisplayTime.isoDay(through, plus: -399) }
        return (from, through)
    }

    func refresh(_ subscription: CalendarSubscription, now: Int = Int(Date().timeIntervalSince1970)) async throws -> Outcome {
        var outcome = Outcome()
        do {
            // The district's calendar is read in full each time, so a leader who joined since receives it too.
            let conditional = !subscription.isForEveryone
            switch try await fetcher.fetch(subscription.address, etag: conditional ? subscription.etag : nil,
                                           lastModified: conditional ? subscription.lastModified : nil) {
            case .notModified:
                outcome.notModified = true
            case .calendar(let bytes, let etag, let lastModified):
                let window = Self.window(today: DisplayTime.isoDay(now))
                let leaders = subscription.isForEveryone
                    ? Set(try await StaffDirectory(db: db).holders(of: StaffRole.timeKeepers).map(\.id)).sorted() : [subscription.leaderId]
                var total = CalendarImport.Report()
                for leader in leaders {
                    let report = try await CalendarImport.run(bytes, fileName: subscription.label, leaderId: leader,
                                                              from: window.from, through: window.through, subscription: subscription.id!, on: db)
                    total.added += report.added; total.updated += report.updated; total.removed += report.removed
                    total.allDay += report.allDay; total.guessed += report.guessed; total.warnings = report.warnings
                }
                outcome.report = total
                subscription.etag = etag.map { String($0.prefix(300)) }
                subscription.lastModified = lastModified.map { String($0.prefix(100)) }
                subscription.events = subscription.isForEveryone ? (total.added + total.updated) / max(1, leaders.count) : total.added + total.updated
            }
            subscription.succeededAt = now
            subscription.lastError = nil
        } catch let error as LodestarError {
            outcome.error = error.description
            subscription.lastError = String(error.description.prefix(500))
            // Read again in full next time: what failed may have been the file, not the server.
            subscription.etag = nil
            subscription.lastModified = nil
        }
        subscription.refreshedAt = now
        subscription.nextRefreshAt = now + subscription.intervalSeconds
        if subscription.id != nil, try await CalendarSubscription.find(subscription.id, on: db) != nil {
            try await subscription.save(on: db)
        }
        return outcome
    }

    /// Refreshes every subscription that is due, one after another; returns how many.
    func refreshDue(now: Int = Int(Date().timeIntervalSince1970), logger: Logger) async throws -> Int {
        let due = try await CalendarSubscription.query(on: db).filter(\.$nextRefreshAt <= now).sort(\.$nextRefreshAt).limit(100).all()
        for subscription in due {
            let outcome = try await refresh(subscription, now: now)
            if let error = outcome.error { logger.info("Calendar subscription \(subscription.id ?? "?"): \(error)") }
        }
        return due.count
    }

    /// Removes a subscription and the entries it brought in.
    func remove(_ subscription: CalendarSubscription) async throws {
        let id = subscription.id!
        try await db.writeTransaction { db in
            try await db.sql.raw("DELETE FROM time_entries WHERE subscription_id = \(bind: id)").run()
            try await CalendarSubscription.query(on: db).filter(\.$id == id).delete()
        }
    }
}

/// The server's background refresh of calendar subscriptions, every minute for those due.
final class CalendarSubscriptionWorker: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?

    func didBoot(_ application: Application) throws {
        guard application.servesRequests else { return }
        let subscriptions = CalendarSubscriptions(db: application.db, fetcher: application.calendarFetcher)
        let logger = application.logger
        task = Task {
            while !Task.isCancelled {
                do { _ = try await subscriptions.refreshDue(logger: logger) } catch {
                    logger.error("Calendar subscriptions: \(String(reflecting: error))")
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }

    func shutdown(_ application: Application) {
        task?.cancel()
    }
}
