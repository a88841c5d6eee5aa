import Foundation

/// Writes an iCalendar feed (RFC 5545) that calendar apps subscribe to: one VEVENT per item, with a UID that
/// stays the item's, a SEQUENCE the feed raises when the item changes, and cancelled items kept for a while as
/// `STATUS:CANCELLED` so a subscribed calendar removes them. Times are written in UTC, due dates as whole days;
/// text is escaped and lines folded at 75 octets without splitting a character.
public enum ICalendarWriter {
    public struct Event: Sendable, Equatable {
        public enum When: Sendable, Equatable {
            /// Seconds since 1970, start and end.
            case time(Int, Int)
            /// A whole day, `YYYY-MM-DD`.
            case day(String)
        }

        public var uid: String
        public var sequence: Int
        public var summary: String
        public var description: String
        public var location: String
        public var url: String?
        public var when: When
        public var cancelled: Bool

        public init(uid: String, sequence: Int, summary: String, description: String = "", location: String = "", url: String? = nil,
                    when: When, cancelled: Bool = false) {
            self.uid = uid; self.sequence = sequence; self.summary = summary; self.description = description
            self.location = location; self.url = url; self.when = when; self.cancelled = cancelled
        }
    }

    /// - Parameter stamp: DTSTAMP, when the feed was written (seconds since 1970).
    public static func feed(name: String, events: [Event], stamp: Int) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Lodestar//Calendar feed//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                     "X-WR-CALNAME:" + text(name), "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
        for event in events {
            lines.append("BEGIN:VEVENT")
            lines.append("UID:" + text(event.uid))
            lines.append("DTSTAMP:" + utc(stamp))
            lines.append("SEQUENCE:\(event.sequence)")
            switch event.when {
            case .time(let start, let end):
                lines.append("DTSTART:" + utc(start))
                lines.append("DTEND:" + utc(max(start, end)))
            case .day(let day):
                let compact = day.replacingOccurrences(of: "-", with: "")
                lines.append("DTSTART;VALUE=DATE:" + compact)
                lines.append("DTEND;VALUE=DATE:" + ISODay.adding(1, to: day).replacingOccurrences(of: "-", with: ""))
                lines.append("TRANSP:TRANSPARENT")
            }
            lines.append("SUMMARY:" + text(event.summary))
            if !event.description.isEmpty { lines.append("DESCRIPTION:" + text(event.description)) }
            if !event.location.isEmpty { lines.append("LOCATION:" + text(event.location)) }
            if let url = event.url { lines.append("URL:" + url) }
            lines.append("STATUS:" + (event.cancelled ? "CANCELLED" : "CONFIRMED"))
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// `YYYYMMDDTHHMMSSZ`.
    static func utc(_ seconds: Int) -> String {
        let day = seconds.floorDivided(by: 86_400), second = seconds.floorModulo(86_400)
        let (y, m, d) = ISODay.civil(day)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", y, m, d, second / 3_600, second / 60 % 60, second % 60)
    }

    /// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks escaped.
    static func text(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\n", "\r\n", "\r": result += "\\n"
            default:
                if let ascii = character.asciiValue, ascii < 0x20 || ascii == 0x7F { continue }
                result.append(character)
            }
        }
        return result
    }

    /// Folds a line longer than 75 octets (RFC 5545 §3.1) between characters.
    static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var result = "", count = 0
        for character in line {
            let size = String(character).utf8.count
            if count + size > 75 {
                result += "\r\n "
                count = 1
            }
            result.append(character)
            count += size
        }
        return result
    }
}
