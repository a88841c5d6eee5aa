import Foundation
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

    private static func format(_ seconds: Int, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = pattern
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// "3 hours", "2 days": how long feedback took.
    static func duration(hours: Double) -> String {
        if hours < 1 { return "under an hour" }
        if hours < 48 { return "\(Int(hours.rounded())) hours" }
        return "\(Int((hours / 24).rounded())) days"
    }

    /// The calendar day, `YYYY-MM-DD`, in the district's time zone.
    static func isoDay(_ seconds: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The moment a day (`YYYY-MM-DD`) and time (`HH:mm`) name in the district's time zone.
    static func date(fromISODay text: String, time: String = "00:00") -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: "\(text) \(time)")
    }
}
