import Foundation

/// The time zone a DATE-TIME is read in: UTC, a zone the system knows by its IANA name, or a zone the
/// file defines itself in a VTIMEZONE (RFC 5545 §3.6.5).
struct CalendarZone: Sendable {
    enum Rules: Sendable {
        case utc
        case system(TimeZone)
        case defined(DefinedZone)
    }

    let name: String
    let rules: Rules

    static let utc = CalendarZone(name: "UTC", rules: .utc)

    init(name: String, rules: Rules) { self.name = name; self.rules = rules }
    init(_ zone: TimeZone) { self.init(name: zone.identifier, rules: .system(zone)) }

    /// Seconds east of UTC at an instant (seconds since 1970).
    func offset(at instant: Int) -> Int {
        switch rules {
        case .utc: 0
        case .system(let zone): zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
        case .defined(let zone): zone.offset(at: instant)
        }
    }

    /// The instant of a wall time in this zone. RFC 5545 §3.3.5: a time skipped by a change to daylight
    /// saving time is read with the offset before the change (2:30 becomes 3:30 daylight time); a time
    /// that happens twice is the first of the two.
    func instant(of wall: WallTime) -> Int {
        let local = wall.seconds
        let before = offset(at: local - 86_400), after = offset(at: local + 86_400)
        if before == after { return local - before }
        if offset(at: local - before) == before { return local - before }
        if offset(at: local - after) == after { return local - after }
        return local - before
    }

    func wall(of instant: Int) -> WallTime { WallTime(day: 0, second: instant + offset(at: instant)) }
}

/// A zone as a VTIMEZONE defines it: each STANDARD or DAYLIGHT part starts at its DTSTART (a local time
/// in the offset it changes from) and again at each RRULE or RDATE time; from then, TZOFFSETTO applies.
/// Before the first change, the first STANDARD part's offset applies (as dateutil's `tzical` reads it).
final class DefinedZone: Sendable {
    /// Changes in time order: the instant and the offset from then on.
    let changes: [(instant: Int, offset: Int)]
    let initialOffset: Int

    /// Changes are worked out from 1900 to 2200.
    static let span = WallTime(day: ISODay.number(year: 1900, month: 1, day: 1), second: 0)...WallTime(day: ISODay.number(year: 2200, month: 1, day: 1), second: 0)

    init?(_ component: ICalendar.Component) {
        var changes: [(instant: Int, offset: Int)] = []
        var initial: Int?
        for part in component.children where part.name == "STANDARD" || part.name == "DAYLIGHT" {
            guard let from = part.first("TZOFFSETFROM").flatMap({ ICalendar.utcOffset($0.value) }),
                  let to = part.first("TZOFFSETTO").flatMap({ ICalendar.utcOffset($0.value) }),
                  let start = part.first("DTSTART").flatMap({ ICalendar.wallTime($0.value) }) else { return nil }
            if part.name == "STANDARD" && initial == nil { initial = to }
            var onsets = [start]
            if let ruleText = part.first("RRULE")?.value, let rule = try? RecurrenceRule.parse(ruleText), !rule.isSubDaily {
                let until = rule.until.flatMap { ICalendar.untilValue($0) }
                onsets = (try? rule.wallTimes(start: start, from: Self.span.lowerBound, through: Self.span.upperBound, isPastUntil: { wall in
                    switch until {
                    case .instant(let instant): wall.seconds - from > instant
                    case .wall(let limit): wall > limit
                    case nil: false
                    }
                }, limit: 10_000)) ?? [start]
                if start < Self.span.lowerBound { onsets.insert(start, at: 0) }
            }
            for rdate in part.all("RDATE") {
                onsets += rdate.value.split(separator: ",").compactMap { ICalendar.wallTime(String($0)) }
            }
            changes += onsets.map { ($0.seconds - from, to) }
        }
        guard !changes.isEmpty else { return nil }
        self.changes = changes.sorted { $0.instant < $1.instant }
        initialOffset = initial ?? self.changes[0].offset
    }

    func offset(at instant: Int) -> Int {
        var low = 0, high = changes.count
        while low < high {
            let middle = (low + high) / 2
            if changes[middle].instant <= instant { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? initialOffset : changes[low - 1].offset
    }
}

/// Finds the zone a TZID names, in the order the reference reader (Python's `icalendar`) uses: an IANA
/// name; the file's own VTIMEZONE; a Windows name (Outlook, Exchange) through CLDR's table; for a
/// "globally unique" TZID starting with `/`, the IANA name at its end. Failing those, a name that ends
/// with an IANA name (`custom_America/New_York`) is read as that zone, and anything else in the
/// district's zone, each with a warning.
struct ZoneBook {
    let district: CalendarZone
    private var defined: [String: ICalendar.Component] = [:]
    private var found: [String: CalendarZone] = [:]
    private(set) var warnings: [String] = []

    init(calendar: ICalendar.Component, district: TimeZone) {
        self.district = CalendarZone(district)
        for zone in calendar.children("VTIMEZONE") {
            if let id = zone.first("TZID")?.value, defined[id] == nil { defined[id] = zone }
        }
    }

    mutating func zone(_ tzid: String) -> CalendarZone {
        if let known = found[tzid] { return known }
        let zone = resolve(tzid)
        found[tzid] = zone
        return zone
    }

    private mutating func resolve(_ tzid: String) -> CalendarZone {
        let cleaned = tzid.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if let zone = Self.system(cleaned) { return CalendarZone(zone) }
        if let component = defined[tzid] ?? defined[cleaned], let zone = DefinedZone(component) {
            return CalendarZone(name: tzid, rules: .defined(zone))
        }
        if let name = WindowsZones.iana[cleaned], let zone = Self.system(name) { return CalendarZone(zone) }
        if tzid.hasPrefix("/") {
            let parts = cleaned.split(separator: "/")
            for start in parts.indices.dropFirst() {
                if let zone = Self.system(parts[start...].joined(separator: "/")) { return CalendarZone(zone) }
            }
        }
        // The longest IANA name the TZID ends with, after a separator.
        let characters = Array(tzid)
        for index in characters.indices.dropFirst() where "_-/ .:".contains(characters[index - 1]) {
            let name = String(characters[index...])
            if let zone = Self.system(name) {
                warnings.append("The time zone “\(tzid.prefix(80))” is not defined in the file; its times are read in \(name).")
                return CalendarZone(zone)
            }
        }
        warnings.append("The time zone “\(tzid.prefix(80))” is not known and not defined in the file; its times are read in the district's zone (\(district.name)).")
        return district
    }

    /// A zone of the IANA database by its name (Foundation also takes names such as "GMT+5" that
    /// are not in it; those are not zone names to a calendar).
    private static func system(_ name: String) -> TimeZone? {
        guard !name.isEmpty, name.count < 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_+-".contains($0)) }) else { return nil }
        if name == "UTC" || name == "Etc/UTC" || name == "GMT" || name == "Etc/GMT" || name == "Z" { return TimeZone(identifier: "UTC") }
        guard let zone = TimeZone(identifier: name), zone.identifier == name else { return nil }
        return zone
    }
}
