import Foundation

/// Reads iCalendar (RFC 5545) files exported from Google Calendar or Outlook, for leaders' time.
///
/// Supported: line folding, parameters (quoted or not), VEVENT with DTSTART/DTEND/DURATION (date-time
/// in UTC, with TZID, or floating; or all-day dates), RRULE with FREQ DAILY/WEEKLY/MONTHLY/YEARLY,
/// INTERVAL, COUNT, UNTIL and BYDAY (weekly), EXDATE, STATUS:CANCELLED. A TZID is read as an IANA zone
/// name, or a custom name that ends with one (`custom_America/New_York`); otherwise, and for floating
/// times, the district's zone is used. Malformed content stops with the file, the line and the property.
public enum ICalendar {
    /// One occurrence of an event.
    public struct Occurrence: Sendable, Equatable {
        public var uid: String
        public var summary: String
        public var categories: [String]
        public var start: Date
        public var end: Date
        public var allDay: Bool
    }

    struct ContentLine {
        var line: Int
        var name: String
        var parameters: [String: String]
        var value: String
    }

    struct Event {
        var properties: [ContentLine] = []
        func first(_ name: String) -> ContentLine? { properties.first { $0.name == name } }
        func all(_ name: String) -> [ContentLine] { properties.filter { $0.name == name } }
    }

    /// Every occurrence starting in `window`, in start order.
    /// - Parameter zone: the district's zone, for floating times and unknown TZIDs.
    public static func occurrences(in bytes: [UInt8], fileName: String, window: Range<Date>, zone: TimeZone,
                                   limit: Int = 10_000) throws(LodestarError) -> [Occurrence] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LodestarError("the file is not UTF-8 text", at: FileLocation(file: fileName))
        }
        let lines = try contentLines(text, fileName: fileName)
        var stack: [(name: String, line: Int)] = []
        var events: [Event] = []
        var current: Event?
        for line in lines {
            switch line.name {
            case "BEGIN":
                stack.append((line.value.uppercased(), line.line))
                if line.value.uppercased() == "VEVENT" { current = Event() }
            case "END":
                let open = stack.popLast()
                guard let open, open.name == line.value.uppercased() else {
                    let message = open.map { "END:\(line.value) comes while BEGIN:\($0.name) on line \($0.line) is still open" } ?? "END:\(line.value) has no BEGIN"
                    throw LodestarError(message, at: FileLocation(file: fileName, line: line.line, columnName: "END"))
                }
                if open.name == "VEVENT", let event = current { events.append(event); current = nil }
            default:
                if stack.last?.name == "VEVENT" { current?.properties.append(line) }
            }
        }
        if let open = stack.last {
            throw LodestarError("BEGIN:\(open.name) is never closed with END:\(open.name)", at: FileLocation(file: fileName, line: open.line, columnName: "BEGIN"))
        }
        guard lines.first?.name == "BEGIN", lines.first?.value.uppercased() == "VCALENDAR" else {
            throw LodestarError("an iCalendar file starts with BEGIN:VCALENDAR", at: FileLocation(file: fileName, line: 1))
        }

        var result: [Occurrence] = []
        for event in events {
            guard event.first("STATUS")?.value.uppercased() != "CANCELLED" else { continue }
            guard let startLine = event.first("DTSTART") else {
                throw LodestarError("an event has no DTSTART", at: FileLocation(file: fileName, line: event.properties.first?.line, columnName: "DTSTART"))
            }
            let (start, allDay, eventZone) = try moment(startLine, fileName: fileName, zone: zone)
            var end: Date
            if let endLine = event.first("DTEND") {
                end = try moment(endLine, fileName: fileName, zone: zone).date
            } else if let durationLine = event.first("DURATION") {
                guard let seconds = duration(durationLine.value) else {
                    throw LodestarError("expected a duration such as PT1H30M, found “\(durationLine.value)”", at: FileLocation(file: fileName, line: durationLine.line, columnName: "DURATION"))
                }
                end = start.addingTimeInterval(seconds)
            } else {
                end = allDay ? start.addingTimeInterval(86_400) : start
            }
            guard end >= start else {
                throw LodestarError("the event ends before it starts", at: FileLocation(file: fileName, line: event.first("DTEND")?.line, columnName: "DTEND"))
            }
            let length = end.timeIntervalSince(start)
            var excluded: Set<Date> = []
            for line in event.all("EXDATE") {
                for part in line.value.split(separator: ",") {
                    var single = line
                    single.value = String(part)
                    excluded.insert(try moment(single, fileName: fileName, zone: zone).date)
                }
            }
            let starts: [Date]
            if let rule = event.first("RRULE") {
                starts = try expand(rule, from: start, zone: eventZone, window: window, limit: limit, fileName: fileName)
            } else {
                starts = [start]
            }
            let uid = event.first("UID")?.value ?? ""
            let summary = unescape(event.first("SUMMARY")?.value ?? "")
            let categories = event.all("CATEGORIES").flatMap { $0.value.split(separator: ",").map { unescape(String($0)).trimmingCharacters(in: .whitespaces) } }
            for occurrence in starts where window.contains(occurrence) && !excluded.contains(occurrence) {
                result.append(Occurrence(uid: uid, summary: summary, categories: categories, start: occurrence,
                                         end: occurrence.addingTimeInterval(length), allDay: allDay))
                guard result.count <= limit else {
                    throw LodestarError("the file has more than \(limit) events in the chosen weeks", at: FileLocation(file: fileName))
                }
            }
        }
        return result.sorted { ($0.start, $0.uid) < ($1.start, $1.uid) }
    }

    // MARK: - Lines

    /// Unfolds lines (a line starting with a space or tab continues the one before) and splits each into
    /// name, parameters and value.
    static func contentLines(_ text: String, fileName: String) throws(LodestarError) -> [ContentLine] {
        var unfolded: [(line: Int, text: String)] = []
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if let first = line.first, first == " " || first == "\t", !unfolded.isEmpty {
                unfolded[unfolded.count - 1].text += line.dropFirst()
            } else if !line.isEmpty {
                unfolded.append((number, line))
            }
        }
        var result: [ContentLine] = []
        for (line, text) in unfolded {
            // The value starts at the first colon outside quotes.
            var inQuotes = false
            var colon: String.Index?
            for index in text.indices {
                if text[index] == "\"" { inQuotes.toggle() }
                if text[index] == ":" && !inQuotes { colon = index; break }
            }
            guard let colon else {
                throw LodestarError("expected NAME:value, found no colon", at: FileLocation(file: fileName, line: line))
            }
            let head = text[..<colon]
            var parts = splitOutsideQuotes(String(head), separator: ";")
            let name = parts.removeFirst().uppercased()
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw LodestarError("“\(name)” is not a property name", at: FileLocation(file: fileName, line: line))
            }
            var parameters: [String: String] = [:]
            for parameter in parts {
                guard let equals = parameter.firstIndex(of: "="), equals != parameter.startIndex else {
                    throw LodestarError("a parameter of \(name) has no name (“\(parameter)”); expected NAME=value", at: FileLocation(file: fileName, line: line, columnName: name))
                }
                var value = String(parameter[parameter.index(after: equals)...])
                if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                parameters[parameter[..<equals].uppercased()] = value
            }
            result.append(ContentLine(line: line, name: name, parameters: parameters, value: String(text[text.index(after: colon)...])))
        }
        return result
    }

    static func splitOutsideQuotes(_ text: String, separator: Character) -> [String] {
        var parts: [String] = [""]
        var inQuotes = false
        for character in text {
            if character == "\"" { inQuotes.toggle() }
            if character == separator && !inQuotes { parts.append("") } else { parts[parts.count - 1].append(character) }
        }
        return parts
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\N", with: "\n")
            .replacingOccurrences(of: "\\,", with: ",").replacingOccurrences(of: "\\;", with: ";").replacingOccurrences(of: "\\\\", with: "\\")
    }

    // MARK: - Times

    /// The moment a DTSTART/DTEND/EXDATE names, whether it is a whole day, and the zone it is in.
    static func moment(_ line: ContentLine, fileName: String, zone: TimeZone) throws(LodestarError) -> (date: Date, allDay: Bool, zone: TimeZone) {
        let value = line.value.trimmingCharacters(in: .whitespaces)
        let fail = LodestarError("expected a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS, optionally ending in Z), found “\(value)”",
                                 at: FileLocation(file: fileName, line: line.line, columnName: line.name))
        var eventZone = zone
        if let tzid = line.parameters["TZID"] {
            eventZone = TimeZone(identifier: tzid)
                ?? TimeZone.knownTimeZoneIdentifiers.filter { tzid.hasSuffix($0) }.max { $0.count < $1.count }.flatMap(TimeZone.init(identifier:))
                ?? zone
        }
        let digits = value.filter(\.isNumber)
        if value.count == 8, digits.count == 8 || line.parameters["VALUE"]?.uppercased() == "DATE" {
            guard let date = components(value, time: "000000", zone: eventZone) else { throw fail }
            return (date, true, eventZone)
        }
        guard value.count >= 15, value[value.index(value.startIndex, offsetBy: 8)] == "T" else { throw fail }
        let utc = value.hasSuffix("Z")
        if utc { eventZone = TimeZone(identifier: "UTC")! }
        let datePart = String(value.prefix(8)), timePart = String(value.dropFirst(9).prefix(6))
        guard let date = components(datePart, time: timePart, zone: eventZone) else { throw fail }
        return (date, false, eventZone)
    }

    static func components(_ date: String, time: String, zone: TimeZone) -> Date? {
        guard date.count == 8, time.count == 6, date.allSatisfy(\.isNumber), time.allSatisfy(\.isNumber) else { return nil }
        let y = Int(date.prefix(4))!, m = Int(date.dropFirst(4).prefix(2))!, d = Int(date.suffix(2))!
        let h = Int(time.prefix(2))!, min = Int(time.dropFirst(2).prefix(2))!, s = Int(time.suffix(2))!
        guard (1...12).contains(m), (1...31).contains(d), h < 24, min < 60, s < 61 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = DateComponents(year: y, month: m, day: d, hour: h, minute: min, second: s)
        guard parts.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: parts)
    }

    /// Seconds in an RFC 5545 duration such as PT1H30M, P1D or -PT15M.
    static func duration(_ text: String) -> TimeInterval? {
        var rest = Substring(text)
        var sign = 1.0
        if rest.first == "-" { sign = -1; rest = rest.dropFirst() } else if rest.first == "+" { rest = rest.dropFirst() }
        guard rest.first == "P" else { return nil }
        rest = rest.dropFirst()
        var total = 0.0, number = "", inTime = false
        for character in rest {
            if character.isNumber { number.append(character); continue }
            if character == "T" { inTime = true; continue }
            guard let value = Double(number) else { return nil }
            number = ""
            switch (character, inTime) {
            case ("W", false): total += value * 604_800
            case ("D", false): total += value * 86_400
            case ("H", true): total += value * 3_600
            case ("M", true): total += value * 60
            case ("S", true): total += value
            default: return nil
            }
        }
        return number.isEmpty ? sign * total : nil
    }

    // MARK: - Recurrence

    static func expand(_ rule: ContentLine, from start: Date, zone: TimeZone, window: Range<Date>, limit: Int,
                       fileName: String) throws(LodestarError) -> [Date] {
        func fail(_ message: String) -> LodestarError {
            LodestarError(message, at: FileLocation(file: fileName, line: rule.line, columnName: "RRULE"))
        }
        var parts: [String: String] = [:]
        for part in rule.value.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw fail("expected NAME=value parts, found “\(part)”") }
            parts[pair[0].uppercased()] = pair[1]
        }
        let frequencies: [String: Calendar.Component] = ["DAILY": .day, "WEEKLY": .weekOfYear, "MONTHLY": .month, "YEARLY": .year]
        guard let frequency = parts["FREQ"].flatMap({ frequencies[$0.uppercased()] }) else {
            throw fail("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, found “\(parts["FREQ"] ?? "")”")
        }
        let interval = Int(parts["INTERVAL"] ?? "1") ?? 0
        guard interval >= 1 else { throw fail("INTERVAL must be a positive number") }
        let count = try parts["COUNT"].map { text throws(LodestarError) -> Int in
            guard let n = Int(text), n >= 1 else { throw fail("COUNT must be a positive number") }
            return n
        }
        let until = try parts["UNTIL"].map { text throws(LodestarError) -> Date in
            try moment(ContentLine(line: rule.line, name: "RRULE", parameters: [:], value: text), fileName: fileName, zone: zone).date
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let weekdays: [String: Int] = ["SU": 1, "MO": 2, "TU": 3, "WE": 4, "TH": 5, "FR": 6, "SA": 7]
        var byDay: [Int] = []
        if frequency == .weekOfYear, let days = parts["BYDAY"] {
            for day in days.split(separator: ",") {
                guard let weekday = weekdays[String(day.suffix(2)).uppercased()] else { throw fail("BYDAY has an unknown day “\(day)”") }
                byDay.append(weekday)
            }
        }
        var result: [Date] = []
        var produced = 0
        var step = 0
        // Stop at the count, the end date, the window's end or the safety limit, whichever comes first.
        while produced < (count ?? Int.max), step < 100_000 {
            guard let base = calendar.date(byAdding: frequency, value: step * interval, to: start) else { break }
            var candidates = [base]
            if !byDay.isEmpty {
                let weekStart = calendar.date(byAdding: .day, value: -(calendar.component(.weekday, from: base) - 1), to: base)!
                candidates = byDay.sorted().map { calendar.date(byAdding: .day, value: $0 - 1, to: weekStart)! }.filter { $0 >= start }
            }
            for candidate in candidates {
                if let until, candidate > until { return result }
                if candidate >= window.upperBound { return result }
                guard produced < (count ?? Int.max) else { return result }
                produced += 1
                if candidate >= window.lowerBound { result.append(candidate) }
                guard result.count <= limit else { throw fail("the rule makes more than \(limit) events in the chosen weeks") }
            }
            step += 1
        }
        return result
    }
}
