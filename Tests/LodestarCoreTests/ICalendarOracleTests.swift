import Foundation
import Testing
@testable import LodestarCore

/// Lodestar's iCalendar reading held to an independent reference: Python's `icalendar` and
/// `recurring-ical-events` (Tests/calendar/oracle.py) read the same random calendars, and every
/// occurrence must agree — summary, start, end, all day. The calendars are made from a seed (printed
/// on failure; set LODESTAR_CALENDAR_SEED to run one again) with random rules, zones and exceptions.
@Suite("iCalendar against the reference")
struct ICalendarOracleTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    struct Case: Codable {
        let id: Int
        let ics: String
        let from: Int
        let to: Int
        let zone: String
    }

    struct Answer: Decodable {
        let id: Int
        let occurrences: [[Value]]?
        let error: String?
        enum Value: Decodable, Equatable, CustomStringConvertible {
            var description: String {
                switch self {
                case .text(let text): text
                case .number(let seconds): ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
                case .flag(let flag): flag ? "all day" : ""
                }
            }
            case text(String), number(Int), flag(Bool)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let flag = try? container.decode(Bool.self) { self = .flag(flag) }
                else if let number = try? container.decode(Int.self) { self = .number(number) }
                else { self = .text(try container.decode(String.self)) }
            }
        }
    }

    /// The reference's occurrences of each case, in one run of the oracle.
    static func reference(_ cases: [Case]) throws -> [Int: Answer] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("lodestar-calendar-cases-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: input) }
        let encoder = JSONEncoder()
        var data = Data()
        for item in cases { data += try encoder.encode(item); data.append(0x0A) }
        try data.write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("Tests/calendar/oracle.py").path]
        process.standardInput = try FileHandle(forReadingFrom: input)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let answers = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the oracle (Tests/calendar/oracle.py) needs python3 with icalendar and recurring-ical-events")
        var result: [Int: Answer] = [:]
        for line in answers.split(separator: 0x0A) {
            let answer = try JSONDecoder().decode(Answer.self, from: Data(line))
            result[answer.id] = answer
        }
        return result
    }

    func lodestar(_ item: Case) throws -> [[Answer.Value]] {
        let window = Date(timeIntervalSince1970: TimeInterval(item.from))..<Date(timeIntervalSince1970: TimeInterval(item.to))
        return try ICalendar.read(Array(item.ics.utf8), fileName: "case.ics", window: window, zone: TimeZone(identifier: item.zone)!, limit: 100_000)
            .occurrences.map { [.text($0.summary), .number(Int($0.start.timeIntervalSince1970)), .number(Int($0.end.timeIntervalSince1970)), .flag($0.allDay)] }
            .sorted { a, b in Self.order(a) < Self.order(b) }
    }

    static func order(_ row: [Answer.Value]) -> (Int, String, Int) {
        guard case .number(let start) = row[1], case .text(let summary) = row[0], case .number(let end) = row[2] else { return (0, "", 0) }
        return (start, summary, end)
    }

    @Test func randomCalendarsReadAsTheReferenceReadsThem() throws {
        let count = Int(ProcessInfo.processInfo.environment["LODESTAR_CALENDAR_CASES"] ?? "") ?? 5_000
        let seed = UInt64(ProcessInfo.processInfo.environment["LODESTAR_CALENDAR_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970)
        var random = SeededRandom(seed: seed)
        let cases = (0..<count).map { RandomCalendar.make(id: $0, random: &random) }
        let answers = try Self.reference(cases)
        var failures: [String] = []
        var occurrences = 0
        for item in cases {
            guard let answer = answers[item.id] else { failures.append("case \(item.id): the oracle gave no answer"); continue }
            if let error = answer.error { failures.append("case \(item.id): the reference failed: \(error)\n\(item.ics)"); continue }
            let ours: [[Answer.Value]]
            do { ours = try lodestar(item) } catch { failures.append("case \(item.id): Lodestar refused: \(error)\n\(item.ics)"); continue }
            occurrences += ours.count
            let theirs = answer.occurrences!.sorted { a, b in Self.order(a) < Self.order(b) }
            if ours != theirs {
                let missing = theirs.filter { !ours.contains($0) }.prefix(5), extra = ours.filter { !theirs.contains($0) }.prefix(5)
                failures.append("case \(item.id) (window \(item.from)..<\(item.to), district \(item.zone)): reference has \(theirs.count), Lodestar \(ours.count); missing \(missing), extra \(extra)\n\(item.ics)")
            }
        }
        #expect(failures.isEmpty, "seed \(seed) (LODESTAR_CALENDAR_SEED=\(seed)): \(failures.count) of \(count) cases differ; first:\n\(failures.prefix(3).joined(separator: "\n---\n"))")
        // The cases are not empty on the whole: the comparison compares something.
        #expect(occurrences > count, "seed \(seed): only \(occurrences) occurrences in \(count) cases")
    }
}

/// Random calendars in the shapes real exports take: IANA, Windows and self-defined zones, UTC and
/// floating times and all-day dates; rules with every RRULE part; EXDATE, RDATE and changed or cancelled
/// occurrences. Times stay between 6:00 and 20:59 so no occurrence falls in a daylight-saving gap,
/// where dateutil's reading of a VTIMEZONE departs from RFC 5545 §3.3.5.
enum RandomCalendar {
    static let districts = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Pacific/Honolulu", "Europe/London"]
    static let iana = ["America/New_York", "America/Denver", "America/Phoenix", "America/Anchorage", "Europe/Berlin", "Europe/London",
                       "Australia/Sydney", "Asia/Kolkata", "Asia/Tokyo", "America/Sao_Paulo", "Pacific/Auckland"]
    static let windows = ["Pacific Standard Time", "Eastern Standard Time", "Central Standard Time", "Mountain Standard Time",
                          "W. Europe Standard Time", "GMT Standard Time", "AUS Eastern Standard Time", "India Standard Time", "Tokyo Standard Time"]
    static let days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    enum Kind { case utc, iana(String), windows(String), defined(String), floating, date }

    static func make(id: Int, random: inout SeededRandom) -> ICalendarOracleTests.Case {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Lodestar tests//random//EN"]
        var zones: [String] = []
        let eventCount = Int.random(in: 1...3, using: &random)
        for event in 0..<eventCount {
            let kind: Kind = random.weighted([
                (.utc, 1), (.iana(random.pick(iana)), 3), (.windows(random.pick(windows)), 1),
                (.defined("Lodestar Zone \(id)-\(event)"), 1.5), (.floating, 1), (.date, 1.5),
            ])
            if case .defined(let name) = kind { zones += definedZone(name, random: &random) }
            lines += makeEvent(kind, summary: "E\(event)", random: &random)
        }
        lines.insert(contentsOf: zones, at: 3)
        lines.append("END:VCALENDAR")
        let from = Int(ISODay.number(year: 2025, month: 1, day: 1) * 86_400) + Int.random(in: 0..<(3 * 365 * 86_400), using: &random)
        let length = random.weighted([(Int.random(in: 1...14, using: &random), 1), (Int.random(in: 15...400, using: &random), 2)]) * 86_400
        return .init(id: id, ics: lines.joined(separator: "\r\n") + "\r\n", from: from, to: from + length, zone: random.pick(districts))
    }

    /// A zone the file defines: a standard offset and, mostly, a daylight-saving offset an hour ahead,
    /// changing at 2:00 on a weekday rule (or on the dates of a period with RDATE).
    static func definedZone(_ name: String, random: inout SeededRandom) -> [String] {
        let standard = Int.random(in: -11...12, using: &random) * 3_600 + random.pick([0, 0, 0, 1_800])
        func offset(_ seconds: Int) -> String {
            let sign = seconds < 0 ? "-" : "+", value = abs(seconds)
            return String(format: "%@%02d%02d", sign, value / 3_600, value % 3_600 / 60)
        }
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(name)"]
        guard random.chance(0.8) else {
            return lines + ["BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:\(offset(standard))", "TZOFFSETTO:\(offset(standard))", "END:STANDARD", "END:VTIMEZONE"]
        }
        let daylight = standard + 3_600
        let (springMonth, fallMonth) = random.pick([(3, 11), (3, 10), (4, 10), (10, 4), (9, 4)])
        let springDay = random.pick(["2SU", "-1SU", "1SU"]), fallDay = random.pick(["1SU", "-1SU"])
        lines += ["BEGIN:DAYLIGHT", "DTSTART:1970\(String(format: "%02d", springMonth))01T020000",
                  "RRULE:FREQ=YEARLY;BYMONTH=\(springMonth);BYDAY=\(springDay)", "TZOFFSETFROM:\(offset(standard))", "TZOFFSETTO:\(offset(daylight))",
                  "TZNAME:DT", "END:DAYLIGHT",
                  "BEGIN:STANDARD", "DTSTART:1970\(String(format: "%02d", fallMonth))01T020000",
                  "RRULE:FREQ=YEARLY;BYMONTH=\(fallMonth);BYDAY=\(fallDay)", "TZOFFSETFROM:\(offset(daylight))", "TZOFFSETTO:\(offset(standard))",
                  "TZNAME:ST", "END:STANDARD", "END:VTIMEZONE"]
        return lines
    }

    static func stamp(_ day: Int, _ second: Int?) -> String {
        let (y, m, d) = ISODay.civil(day)
        let date = String(format: "%04d%02d%02d", y, m, d)
        guard let second else { return date }
        return date + String(format: "T%02d%02d%02d", second / 3_600, second / 60 % 60, second % 60)
    }

    static func makeEvent(_ kind: Kind, summary: String, random: inout SeededRandom) -> [String] {
        let isDate: Bool
        var parameter = "", suffix = ""
        switch kind {
        case .utc: isDate = false; suffix = "Z"
        case .iana(let name), .windows(let name), .defined(let name): isDate = false; parameter = ";TZID=\(name.contains(" ") ? "\"\(name)\"" : name)"
        case .floating: isDate = false
        case .date: isDate = true; parameter = ";VALUE=DATE"
        }
        // Quoting a TZID is allowed; Outlook leaves it bare.
        if parameter.contains("\"") && random.chance(0.5) { parameter = parameter.replacingOccurrences(of: "\"", with: "") }
        let startDay = ISODay.number(year: 2024, month: 1, day: 1) + Int.random(in: 0..<(4 * 365), using: &random)
        let startSecond = isDate ? nil : Int.random(in: 6...19, using: &random) * 3_600 + random.pick([0, 15, 30, 45]) * 60
        func moment(_ day: Int, _ second: Int?) -> String { "\(parameter):\(stamp(day, second))\(isDate ? "" : suffix)" }
        var lines = ["BEGIN:VEVENT", "UID:\(summary)-\(Int.random(in: 0..<1_000_000, using: &random))@lodestar.test", "SUMMARY:\(summary)",
                     "DTSTAMP:20250101T000000Z", "DTSTART\(moment(startDay, startSecond))"]
        let length = isDate ? Int.random(in: 1...3, using: &random) : random.pick([30, 45, 60, 90, 120]) * 60
        switch Int.random(in: 0..<3, using: &random) {
        case 0: lines.append(isDate ? "DTEND\(moment(startDay + length, nil))" : "DTEND\(moment(startDay, startSecond! + length))")
        case 1: lines.append(isDate ? "DURATION:P\(length)D" : "DURATION:PT\(length / 60)M")
        default: if !isDate { lines.append("DTEND\(moment(startDay, startSecond! + length))") }
        }
        guard random.chance(0.85) else { return lines + ["END:VEVENT"] }

        let frequency = random.weighted([("DAILY", 2.0), ("WEEKLY", 3), ("MONTHLY", 3), ("YEARLY", 2)])
        var parts = ["FREQ=\(frequency)"]
        if random.chance(0.4) { parts.append("INTERVAL=\(Int.random(in: 2...4, using: &random))") }
        func some(_ values: [Int], _ most: Int) -> [Int] { Array(Set((0..<Int.random(in: 1...most, using: &random)).map { _ in random.pick(values) })).sorted() }
        let positive = Array(1...31), monthDays = Array(1...31) + Array(-31 ... -1)
        switch frequency {
        case "DAILY":
            if random.chance(0.4) { parts.append("BYDAY=" + some(Array(0..<7), 5).map { days[$0] }.joined(separator: ",")) }
            if random.chance(0.2) { parts.append("BYMONTH=" + some(Array(1...12), 4).map(String.init).joined(separator: ",")) }
            if random.chance(0.15) { parts.append("BYMONTHDAY=" + some(monthDays, 4).map(String.init).joined(separator: ",")) }
        case "WEEKLY":
            if random.chance(0.6) { parts.append("BYDAY=" + some(Array(0..<7), 4).map { days[$0] }.joined(separator: ",")) }
            if random.chance(0.15) { parts.append("BYMONTH=" + some(Array(1...12), 4).map(String.init).joined(separator: ",")) }
            if random.chance(0.3) { parts.append("WKST=\(random.pick(days))") }
        case "MONTHLY":
            switch Int.random(in: 0..<4, using: &random) {
            case 0: parts.append("BYDAY=" + some(Array(0..<7), 2).map { "\(random.pick([1, 2, 3, 4, -1, -2, 5]))\(days[$0])" }.joined(separator: ","))
            case 1: parts.append("BYMONTHDAY=" + some(monthDays, 3).map(String.init).joined(separator: ","))
            case 2:
                parts.append("BYDAY=" + some(Array(0..<7), 5).map { days[$0] }.joined(separator: ","))
                parts.append("BYSETPOS=" + some([1, 2, 3, -1, -2], 2).map(String.init).joined(separator: ","))
            default: break
            }
            if random.chance(0.15) { parts.append("BYMONTH=" + some(Array(1...12), 6).map(String.init).joined(separator: ",")) }
        default:
            switch Int.random(in: 0..<6, using: &random) {
            case 0: parts.append("BYMONTH=\(Int.random(in: 1...12, using: &random))"); parts.append("BYDAY=\(random.pick([1, 2, 3, 4, -1]))\(random.pick(days))")
            case 1: parts.append("BYWEEKNO=" + some(Array(1...53) + [-1, -2], 3).map(String.init).joined(separator: ",")); parts.append("BYDAY=\(random.pick(days))")
            case 2: parts.append("BYYEARDAY=" + some(Array(1...366) + [-1, -100, -366], 3).map(String.init).joined(separator: ","))
            case 3: parts.append("BYMONTH=" + some(Array(1...12), 3).map(String.init).joined(separator: ",")); parts.append("BYMONTHDAY=" + some(positive, 2).map(String.init).joined(separator: ","))
            case 4:
                parts.append("BYMONTH=\(Int.random(in: 1...12, using: &random))")
                parts.append("BYDAY=" + some(Array(0..<5), 5).map { days[$0] }.joined(separator: ","))
                parts.append("BYSETPOS=\(random.pick([1, -1, 2]))")
            default: break
            }
        }
        if !isDate && random.chance(0.15) { parts.append("BYHOUR=" + some(Array(6...20), 2).map(String.init).joined(separator: ",")) }
        if !isDate && random.chance(0.1) { parts.append("BYMINUTE=" + some([0, 10, 30, 45], 2).map(String.init).joined(separator: ",")) }
        switch Int.random(in: 0..<3, using: &random) {
        case 0: parts.append("COUNT=\(Int.random(in: 1...40, using: &random))")
        case 1:
            let untilDay = startDay + Int.random(in: 0...900, using: &random)
            switch kind {
            case .date: parts.append("UNTIL=\(stamp(untilDay, nil))")
            case .floating: parts.append("UNTIL=\(stamp(untilDay, startSecond))")
            default: parts.append("UNTIL=\(stamp(untilDay, Int.random(in: 0..<86_400, using: &random)))Z")
            }
        default: break
        }
        parts.shuffle(using: &random)
        lines.append("RRULE:" + parts.joined(separator: ";"))
        // The reference keys an occurrence by its UTC and its local time in one table, so with several times a
        // day an exception at 18:30 local also removes the occurrence at 18:30 UTC (12:30 in Denver). Exceptions
        // are made only where that cannot happen: one time a day, or times that are UTC or floating.
        let severalTimesADay = parts.contains { $0.hasPrefix("BYHOUR") || $0.hasPrefix("BYMINUTE") }
        if severalTimesADay, case .iana = kind { return lines + ["END:VEVENT"] }
        if severalTimesADay, case .windows = kind { return lines + ["END:VEVENT"] }
        if severalTimesADay, case .defined = kind { return lines + ["END:VEVENT"] }

        // Exceptions fall on days the rule may well give, at the same time of day.
        func candidateDay() -> Int {
            let step = ["DAILY": 1, "WEEKLY": 7, "MONTHLY": 30, "YEARLY": 365][frequency]!
            return startDay + step * Int.random(in: 0...12, using: &random) + (frequency == "MONTHLY" ? Int.random(in: -1...1, using: &random) : 0)
        }
        if random.chance(0.3) {
            lines.append("EXDATE\(moment(candidateDay(), startSecond))" + (random.chance(0.3) ? ",\(stamp(candidateDay(), startSecond))\(isDate ? "" : suffix)" : ""))
        }
        if random.chance(0.25) {
            if !isDate && random.chance(0.3) {
                lines.append("RDATE;VALUE=PERIOD\(parameter):\(stamp(candidateDay() + 3, startSecond))\(suffix)/PT\(Int.random(in: 1...3, using: &random))H")
            } else {
                lines.append("RDATE\(moment(candidateDay() + 2, startSecond))")
            }
        }
        lines.append("END:VEVENT")
        // Changed occurrences: moved, cancelled, or this-and-future.
        let uidLine = lines[1]
        var changed: Set<Int> = []
        for index in 0..<random.weighted([(0, 2.0), (1, 1), (2, 0.5)]) {
            // Two different changes of one occurrence with the same SEQUENCE contradict each other.
            let day = candidateDay()
            guard changed.insert(day).inserted else { continue }
            var change = ["BEGIN:VEVENT", uidLine, "SUMMARY:\(summary) changed \(index)", "DTSTAMP:20250101T000000Z", "SEQUENCE:1"]
            let future = !isDate && random.chance(0.25)
            change.append("RECURRENCE-ID\(future ? ";RANGE=THISANDFUTURE" : "")\(moment(day, startSecond))")
            let newDay = day + (random.chance(0.3) ? Int.random(in: -2...2, using: &random) : 0)
            let newSecond = startSecond.map { min(20 * 3_600, max(6 * 3_600, $0 + random.pick([-2, -1, 0, 1, 2]) * 3_600)) }
            change.append("DTSTART\(moment(newDay, newSecond))")
            change.append(isDate ? "DTEND\(moment(newDay + 1, nil))" : "DTEND\(moment(newDay, newSecond! + random.pick([30, 60, 90]) * 60))")
            if random.chance(0.2) { change.append("STATUS:CANCELLED") }
            change.append("END:VEVENT")
            lines += change
        }
        return lines
    }
}
