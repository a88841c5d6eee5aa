import Foundation
import NIOConcurrencyHelpers
import LodestarCore
import Vapor

/// Times shown to people, in the district's time zone (`LODESTAR_TIME_ZONE`, e.g. America/Chicago;
/// default America/New_York, the demo district's).
enum DisplayTime {
    static let zone: TimeZone = Environment.get("LODESTAR_TIME_ZONE").flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "America/New_York")!

    /// "Nov 26, 8:14 AM"
    static func dateTime(_ seconds: Int) -> String {
        format(seconds, "MMM d, h:mm a")
    }

    /// "Thursday, November 26"
    static func day(_ seconds: Int) -> String {
        format(seconds, "EEEE, MMMM d")
    }

    /// "Dec 3, 2026": a day chosen without a time (a coaching conversation, a follow-up), shown without inventing one.
    static func date(_ seconds: Int) -> String {
        format(seconds, "MMM d, yyyy")
    }

    /// "Dec 3, 2026" for an ISO day ("2026-12-03"): every day without a time (a due date, a deadline, the day an
    /// assessment was given) reads this way.
    static func date(_ isoDay: String) -> String {
        ISODate.isValid(isoDay) ? format(startOfDay(isoDay) + 12 * 3_600, "MMM d, yyyy") : isoDay
    }

    /// "December 2026", the month of an ISO day.
    static func month(_ isoDay: String) -> String {
        format(startOfDay(isoDay) + 12 * 3_600, "MMMM yyyy")
    }

    /// "December 3, 2026", for an ISO day ("2026-12-03").
    static func longDate(_ isoDay: String) -> String {
        format(startOfDay(isoDay) + 12 * 3_600, "MMMM d, yyyy")
    }

    private static func format(_ seconds: Int, _ pattern: String) -> String {
        formatters.with(pattern) { $0.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))) }
    }

    /// Making a `DateFormatter` costs far more than formatting with one (a shared walkthrough's notification spent
    /// more time making its formatter than writing itself), so one is kept per pattern, used under a lock.
    private final class Formatters: @unchecked Sendable {
        private let lock = NIOLock()
        private var byPattern: [String: DateFormatter] = [:]

        func with<T>(_ pattern: String, _ body: (DateFormatter) -> T) -> T {
            lock.withLock {
                if let formatter = byPattern[pattern] { return body(formatter) }
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.timeZone = zone
                formatter.dateFormat = pattern
                byPattern[pattern] = formatter
                return body(formatter)
            }
        }
    }
    private static let formatters = Formatters()

    /// "3 hours", "2 days": how long feedback took.
    static func duration(hours: Double) -> String {
        if hours < 1 { return "under an hour" }
        if hours < 48 { return "\(Int(hours.rounded())) hours" }
        return "\(Int((hours / 24).rounded())) days"
    }

    /// The calendar day, `YYYY-MM-DD`, in the district's time zone.
    static func isoDay(_ seconds: Int) -> String {
        format(seconds, "yyyy-MM-dd")
    }

    /// The moment a day (`YYYY-MM-DD`) and time (`HH:mm`) name in the district's time zone.
    static func date(fromISODay text: String, time: String = "00:00") -> Date? {
        formatters.with("yyyy-MM-dd HH:mm") { $0.date(from: "\(text) \(time)") }
    }

    /// "8:05 AM"
    static func clock(_ seconds: Int) -> String {
        format(seconds, "h:mm a")
    }

    /// "Mon Nov 23"
    static func shortDay(_ seconds: Int) -> String {
        format(seconds, "EEE MMM d")
    }

    private static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// The ISO day `days` after (or before) another.
    static func isoDay(_ day: String, plus days: Int) -> String {
        ISODay.adding(days, to: day)
    }

    /// The Monday of the week holding an ISO day.
    static func monday(of day: String) -> String {
        ISODay.weekday(day).map { ISODay.adding(1 - $0, to: day) } ?? day
    }

    /// Midnight starting an ISO day, in seconds.
    static func startOfDay(_ day: String) -> Int {
        Int((date(fromISODay: day) ?? Date()).timeIntervalSince1970)
    }

    /// Minutes after midnight, district time.
    static func minuteOfDay(_ seconds: Int) -> Int {
        let parts = calendar.dateComponents([.hour, .minute], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    }

    /// The first day of the school year holding an ISO day: August 1.
    static func schoolYearStart(of day: String) -> String {
        let year = Int(day.prefix(4)) ?? 2026
        return day >= "\(year)-08-01" ? "\(year)-08-01" : "\(year - 1)-08-01"
    }
}

