import Foundation

/// Reads iCalendar files (RFC 5545) exported by Google Calendar, Outlook and Exchange, Thunderbird and
/// the like, for leaders' time: the occurrences of every VEVENT that start in a window.
///
/// A recurring event's occurrences are its DTSTART, each RRULE's (`RecurrenceRule`) and each RDATE
/// (dates, times or periods), less its EXDATEs; an event with the same UID and a RECURRENCE-ID replaces
/// the occurrence it names, and with `RANGE=THISANDFUTURE` moves the later ones by as much (RFC 5545
/// §3.8.4.4, §3.8.5). Times are read in their TZID's zone (`ZoneBook`), floating times and dates in the
/// district's. Cancelled events and cancelled occurrences are left out. What the reference reader
/// (Python's `icalendar` with `recurring-ical-events`) makes of a file is what this makes of it; the
/// tests hold the two to each other. Malformed content stops with the file, the line and the property;
/// what can be read but not used is said in `warnings`.
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

    public struct Reading: Sendable, Equatable {
        /// In start order.
        public var occurrences: [Occurrence]
        /// What the file has that Lodestar read a particular way or left out, in words for the leader.
        public var warnings: [String]
    }

    /// Every occurrence starting in `window`.
    /// - Parameter zone: the district's zone, for floating times, dates and unknown TZIDs.
    public static func read(_ bytes: [UInt8], fileName: String, window: Range<Date>, zone: TimeZone,
                            limit: Int = 10_000) throws(LodestarError) -> Reading {
        let calendar = try calendar(bytes, fileName: fileName)
        var reader = Reader(fileName: fileName, zones: ZoneBook(calendar: calendar, district: zone),
                            window: Int(window.lowerBound.timeIntervalSince1970.rounded(.down))..<Int(window.upperBound.timeIntervalSince1970.rounded(.up)),
                            limit: limit)
        var result = try reader.read(calendar.children("VEVENT"))
        result.occurrences.sort { ($0.start, $0.uid, $0.end) < ($1.start, $1.uid, $1.end) }
        return result
    }

    // MARK: - Values

    /// `YYYYMMDD` or `YYYYMMDDTHHMMSS` (a trailing Z is the caller's business) as a wall time, if real.
    static func wallTime(_ text: String) -> WallTime? {
        let value = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        func number(_ range: Range<Int>) -> Int? {
            var result = 0
            for index in range {
                guard index < value.count, (0x30...0x39).contains(value[index]) else { return nil }
                result = result * 10 + Int(value[index] - 0x30)
            }
            return result
        }
        guard value.count == 8 || ((value.count == 15 || (value.count == 16 && value[15] == UInt8(ascii: "Z"))) && value[8] == UInt8(ascii: "T")),
              let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), year >= 1,
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        let dayNumber = ISODay.number(year: year, month: month, day: day)
        guard ISODay.civil(dayNumber) == (year, month, day) else { return nil }
        guard value.count > 8 else { return WallTime(day: dayNumber, second: 0) }
        guard let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
              hour < 24, minute < 60, second < 60 else { return nil }
        return WallTime(day: dayNumber, second: hour * 3_600 + minute * 60 + second)
    }

    enum Until {
        case instant(Int)
        case wall(WallTime)
    }

    /// An RRULE's UNTIL: an instant when it ends in Z, else a wall time.
    static func untilValue(_ text: String) -> Until? {
        guard let wall = wallTime(text) else { return nil }
        return text.hasSuffix("Z") ? .instant(wall.seconds) : .wall(wall)
    }
}

/// The state of reading one file: its zones, the window, and what has been said about it.
private struct Reader {
    let fileName: String
    var zones: ZoneBook
    let window: Range<Int>
    let limit: Int
    var warnings: [String] = []

    init(fileName: String, zones: ZoneBook, window: Range<Int>, limit: Int) {
        self.fileName = fileName; self.zones = zones; self.window = window; self.limit = limit
    }

    /// A DTSTART, DTEND, RECURRENCE-ID, EXDATE or RDATE value: a wall time in a zone (nil: floating),
    /// or a date.
    struct Moment {
        var wall: WallTime
        var isDate: Bool
        var zone: CalendarZone?
    }

    /// An occurrence before it is placed in the window: its start as a wall time in the event's zone
    /// and as an instant, and its end instant.
    struct Instance {
        var wall: WallTime
        var start: Int
        var end: Int
        /// The length an RDATE period gives it.
        var period: Int?
    }

    func location(_ property: ICalendar.Property?, _ name: String? = nil) -> FileLocation {
        FileLocation(file: fileName, line: property?.line, columnName: name ?? property?.name)
    }

    mutating func moment(_ property: ICalendar.Property, value: String? = nil) throws(LodestarError) -> Moment {
        let text = (value ?? property.value).trimmingCharacters(in: .whitespaces)
        let isDate = property.parameters["VALUE"]?.uppercased() == "DATE" || (text.count == 8 && !text.contains("T"))
        guard let wall = ICalendar.wallTime(text), isDate == (text.count == 8) else {
            throw LodestarError("expected a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS, optionally ending in Z), found “\(text.prefix(40))”",
                                at: location(property))
        }
        if isDate { return Moment(wall: wall, isDate: true, zone: nil) }
        if text.hasSuffix("Z") { return Moment(wall: wall, isDate: false, zone: .utc) }
        return Moment(wall: wall, isDate: false, zone: property.parameters["TZID"].map { zones.zone($0) })
    }

    func instant(_ moment: Moment) -> Int { (moment.zone ?? zones.district).instant(of: moment.wall) }

    // MARK: Events

    /// One VEVENT read: its times and what it says.
    struct Event {
        let component: ICalendar.Component
        let uid: String
        let start: Moment
        let startInstant: Int
        /// The length of each occurrence: whole days for a date, else nominal days then exact seconds.
        let days: Int
        let seconds: Int
        let recurrenceId: Moment?
        let recurrenceInstant: Int?
        let thisAndFuture: Bool
        let sequence: Int
        let cancelled: Bool
        let summary: String
        let categories: [String]
    }

    mutating func event(_ component: ICalendar.Component, uid: String) throws(LodestarError) -> Event {
        guard let startLine = component.first("DTSTART") else {
            throw LodestarError("an event has no DTSTART", at: FileLocation(file: fileName, line: component.line, columnName: "DTSTART"))
        }
        let start = try moment(startLine)
        let startInstant = instant(start)
        var days = start.isDate ? 1 : 0, seconds = 0
        if let endLine = component.first("DTEND") {
            let end = try moment(endLine)
            if start.isDate {
                days = end.wall.day - start.wall.day
            } else {
                seconds = instant(end) - startInstant
            }
            guard days >= 0, seconds >= 0 else { throw LodestarError("the event ends before it starts", at: location(endLine)) }
        } else if let durationLine = component.first("DURATION") {
            guard let duration = ICalendar.duration(durationLine.value), duration.days >= 0, duration.seconds >= 0 else {
                throw LodestarError("expected a duration such as PT1H30M or P1D, found “\(durationLine.value.prefix(40))”", at: location(durationLine))
            }
            (days, seconds) = start.isDate ? (duration.days + (duration.seconds + 86_399) / 86_400, 0) : duration
        }
        let recurrenceLine = component.first("RECURRENCE-ID")
        let recurrenceId = try recurrenceLine.map { line throws(LodestarError) in try moment(line) }
        let sequenceText = component.first("SEQUENCE")?.value.trimmingCharacters(in: .whitespaces)
        return Event(
            component: component, uid: uid, start: start, startInstant: startInstant, days: days, seconds: seconds,
            recurrenceId: recurrenceId, recurrenceInstant: recurrenceId.map { instant($0) },
            thisAndFuture: recurrenceLine?.parameters["RANGE"]?.uppercased() == "THISANDFUTURE",
            sequence: sequenceText.flatMap { Int($0) } ?? -1,
            cancelled: component.first("STATUS")?.value.trimmingCharacters(in: .whitespaces).uppercased() == "CANCELLED",
            summary: ICalendar.text(component.first("SUMMARY")?.value ?? ""),
            categories: component.all("CATEGORIES").flatMap { ICalendar.textList($0.value) })
    }

    /// The end instant of an occurrence of `event` that starts at `wall` (in the event's zone).
    func end(of event: Event, wall: WallTime, start: Int) -> Int {
        if event.start.isDate { return zones.district.instant(of: WallTime(day: wall.day + event.days, second: 0)) }
        guard event.days != 0 else { return start + event.seconds }
        return (event.start.zone ?? zones.district).instant(of: WallTime(day: wall.day + event.days, second: wall.second)) + event.seconds
    }

    mutating func read(_ components: [ICalendar.Component]) throws(LodestarError) -> ICalendar.Reading {
        // Events are grouped by UID; one without a UID is its own series (RFC 5545 requires a UID).
        var series: [String: [Event]] = [:]
        var order: [String] = []
        var withoutUID: [Int] = []
        var seenSynthetic: [String: Int] = [:]
        for component in components {
            var uid = component.first("UID")?.value.trimmingCharacters(in: .whitespaces) ?? ""
            if uid.isEmpty {
                withoutUID.append(component.line)
                uid = Self.syntheticUID(component)
                seenSynthetic[uid, default: 0] += 1
                if seenSynthetic[uid]! > 1 { uid += "-\(seenSynthetic[uid]!)" }
            }
            let event = try event(component, uid: uid)
            if series[uid] == nil { order.append(uid) }
            series[uid, default: []].append(event)
        }
        if !withoutUID.isEmpty {
            warnings.append("\(withoutUID.count) event\(withoutUID.count == 1 ? " has" : "s have") no UID (line\(withoutUID.count == 1 ? "" : "s") \(Self.lines(withoutUID))); each is kept as its own event, and one changed in the calendar is imported again as a new event.")
        }
        var occurrences: [ICalendar.Occurrence] = []
        for uid in order {
            for occurrence in try occurrencesOf(series[uid]!) {
                occurrences.append(occurrence)
                guard occurrences.count <= limit else {
                    throw LodestarError("the file has more than \(limit) events in the chosen weeks", at: FileLocation(file: fileName))
                }
            }
        }
        return ICalendar.Reading(occurrences: occurrences, warnings: zones.warnings + warnings)
    }

    /// A series: the event without RECURRENCE-ID (the one with the highest SEQUENCE) and the
    /// occurrences it replaces.
    mutating func occurrencesOf(_ events: [Event]) throws(LodestarError) -> [ICalendar.Occurrence] {
        var master: Event?
        var overrides: [Event] = []
        var masters: [Int] = []
        for event in events {
            if event.recurrenceId != nil {
                if let index = overrides.firstIndex(where: { same($0, event) }) {
                    if event.sequence > overrides[index].sequence { overrides[index] = event }
                } else {
                    overrides.append(event)
                }
            } else {
                masters.append(event.component.line)
                if master == nil || event.sequence > master!.sequence { master = event }
            }
        }
        if masters.count > 1 {
            warnings.append("The UID “\(events[0].uid.prefix(60))” is on \(masters.count) events (lines \(Self.lines(masters))); the one with the highest SEQUENCE is read.")
        }
        var instances: [(Instance, Event)] = []
        if let master {
            let futures = overrides.filter(\.thisAndFuture).sorted { $0.recurrenceInstant! < $1.recurrenceInstant! }
            let shift = futures.map { abs($0.startInstant - $0.recurrenceInstant!) }.max() ?? 0
            let excluded = try exclusions(master)
            var taken: Set<Int> = []
            let starts = try starts(of: master, margin: 2 * 86_400 + min(shift, 400 * 86_400))
            // An RDATE period gives the occurrence at its start its length, whatever else makes it.
            let periods = Dictionary(starts.compactMap { instance in instance.period.map { (instance.start, $0) } }, uniquingKeysWith: { first, _ in first })
            for var instance in starts {
                if let length = periods[instance.start] { instance.end = instance.start + length }
                if excluded.days.contains(instance.wall.day) || excluded.instants.contains(key(instance, master)) { continue }
                if overrides.contains(where: { matches($0, instance, master) }) { continue }
                guard taken.insert(instance.start).inserted else { continue }
                // A THISANDFUTURE change before this occurrence moves it and gives it its length and words.
                if let future = futures.last(where: { $0.recurrenceInstant! < instance.start }) {
                    // Moved by as much on the clock: a meeting moved from 3 pm to 4 pm stays at 4 pm after
                    // a change of daylight saving time.
                    let changeZone = future.start.zone ?? zones.district
                    let shift = changeZone.wall(of: future.startInstant).seconds - changeZone.wall(of: future.recurrenceInstant!).seconds
                    let start = zone(of: master).instant(of: WallTime(day: instance.wall.day, second: instance.wall.second + shift))
                    let length = periods[instance.start] ?? (end(of: future, wall: future.start.wall, start: future.startInstant) - future.startInstant)
                    instances.append((Instance(wall: instance.wall, start: start, end: start + length), future))
                } else {
                    instances.append((instance, master))
                }
            }
            for change in overrides {
                // An EXDATE removes the occurrence even when it was changed.
                let id = change.recurrenceId!
                if id.isDate ? excluded.days.contains(id.wall.day) : excluded.instants.contains(master.start.isDate ? id.wall.day : change.recurrenceInstant!) { continue }
                instances.append((at(change), change))
            }
        } else {
            // Changed occurrences of an event the file does not hold (a meeting someone else organizes).
            for change in overrides {
                instances.append((at(change), change))
            }
        }
        return instances.compactMap { instance, event in
            guard !event.cancelled, window.contains(instance.start) else { return nil }
            return ICalendar.Occurrence(uid: event.uid, summary: event.summary, categories: event.categories,
                                        start: Date(timeIntervalSince1970: TimeInterval(instance.start)),
                                        end: Date(timeIntervalSince1970: TimeInterval(max(instance.end, instance.start))),
                                        allDay: event.start.isDate)
        }
    }

    /// A changed occurrence where its own DTSTART puts it.
    func at(_ change: Event) -> Instance {
        Instance(wall: change.start.wall, start: change.startInstant, end: end(of: change, wall: change.start.wall, start: change.startInstant))
    }

    /// Two changes of the same occurrence.
    func same(_ a: Event, _ b: Event) -> Bool {
        a.recurrenceId!.isDate || b.recurrenceId!.isDate ? a.recurrenceId!.wall.day == b.recurrenceId!.wall.day : a.recurrenceInstant == b.recurrenceInstant
    }

    /// Whether a change (RECURRENCE-ID) replaces this occurrence: the same instant, or the same day
    /// when either is a date.
    func matches(_ change: Event, _ instance: Instance, _ master: Event) -> Bool {
        if change.recurrenceId!.isDate || master.start.isDate { return change.recurrenceId!.wall.day == instance.wall.day }
        return change.recurrenceInstant == instance.start
    }

    func key(_ instance: Instance, _ master: Event) -> Int { master.start.isDate ? instance.wall.day : instance.start }

    /// EXDATE dates (every occurrence on that day) and times (the occurrence at that instant; the day's
    /// number for an all-day event).
    mutating func exclusions(_ master: Event) throws(LodestarError) -> (days: Set<Int>, instants: Set<Int>) {
        var days: Set<Int> = [], instants: Set<Int> = []
        for line in master.component.all("EXDATE") {
            for part in line.value.split(separator: ",") {
                let value = try moment(line, value: String(part))
                if value.isDate { days.insert(value.wall.day) }
                else if master.start.isDate { instants.insert(value.wall.day) }
                else { instants.insert(instant(value)) }
            }
        }
        return (days, instants)
    }

    /// The zone an event's occurrences are worked out in.
    func zone(of event: Event) -> CalendarZone { event.start.isDate ? zones.district : (event.start.zone ?? zones.district) }

    /// DTSTART, the RRULEs' occurrences and the RDATEs, from a little before the window to its end.
    mutating func starts(of master: Event, margin: Int) throws(LodestarError) -> [Instance] {
        let zone = zone(of: master)
        var result: [Instance] = []
        func add(_ wall: WallTime) {
            let start = master.start.isDate ? zone.instant(of: WallTime(day: wall.day, second: 0)) : zone.instant(of: wall)
            result.append(Instance(wall: wall, start: start, end: end(of: master, wall: wall, start: start)))
        }
        var lastUntil: (WallTime) -> Bool = { _ in false }
        var anyWithoutUntil = false
        let rules = master.component.all("RRULE")
        for line in rules {
            let rule: RecurrenceRule
            do { rule = try RecurrenceRule.parse(line.value) } catch {
                throw LodestarError(error.message, at: location(line, "RRULE"))
            }
            if rule.isSubDaily {
                warnings.append("The event “\(master.summary.prefix(60))” (line \(master.component.line)) repeats within a day (FREQ=\(String(describing: rule.frequency).uppercased())); Lodestar does not import events that repeat more often than daily.")
                return []
            }
            let isPastUntil = try untilTest(rule, master: master, zone: zone, line: line)
            if rule.until == nil { anyWithoutUntil = true } else { lastUntil = isPastUntil }
            let from = zone.wall(of: window.lowerBound - margin), through = zone.wall(of: window.upperBound + margin)
            do {
                for wall in try rule.wallTimes(start: master.start.wall, from: from, through: through, isPastUntil: isPastUntil, limit: limit) { add(wall) }
            } catch {
                throw LodestarError(error.message, at: location(line, "RRULE"))
            }
        }
        // DTSTART is the first occurrence, unless it comes after UNTIL (as the reference reads it).
        if rules.isEmpty || anyWithoutUntil || !lastUntil(master.start.wall) { add(master.start.wall) }
        for line in master.component.all("RDATE") {
            for part in line.value.split(separator: ",") {
                let text = String(part)
                if line.parameters["VALUE"]?.uppercased() == "PERIOD" || text.contains("/") {
                    let pieces = text.split(separator: "/", maxSplits: 1).map(String.init)
                    guard pieces.count == 2 else { throw LodestarError("a period is START/END or START/DURATION, found “\(text.prefix(40))”", at: location(line)) }
                    var single = line
                    single.parameters["VALUE"] = nil
                    let begin = try moment(single, value: pieces[0])
                    let start = instant(begin)
                    let finish: Int
                    if let duration = ICalendar.duration(pieces[1]) {
                        finish = (begin.zone ?? zones.district).instant(of: WallTime(day: begin.wall.day + duration.days, second: begin.wall.second)) + duration.seconds
                    } else {
                        finish = instant(try moment(single, value: pieces[1]))
                    }
                    guard finish >= start else { throw LodestarError("the period ends before it starts", at: location(line)) }
                    result.append(Instance(wall: zone.wall(of: start), start: start, end: finish, period: finish - start))
                } else {
                    let value = try moment(line, value: text)
                    if master.start.isDate || value.isDate {
                        add(master.start.isDate ? value.wall : WallTime(day: value.wall.day, second: value.isDate ? 0 : zone.wall(of: instant(value)).second))
                    } else {
                        add(zone.wall(of: instant(value)))
                    }
                }
            }
        }
        return result
    }

    /// How UNTIL is read: a date against the occurrence's day; a UTC time against its instant; a time
    /// without Z as UTC when DTSTART has a zone (the reference does so), as a wall time when DTSTART floats.
    func untilTest(_ rule: RecurrenceRule, master: Event, zone: CalendarZone, line: ICalendar.Property) throws(LodestarError) -> (WallTime) -> Bool {
        guard let text = rule.until else { return { _ in false } }
        guard let until = ICalendar.wallTime(text) else {
            throw LodestarError("UNTIL is not a real date or time: “\(text.prefix(40))”", at: location(line, "RRULE"))
        }
        if master.start.isDate || text.count == 8 {
            // A date: through that day (in the event's zone).
            return { $0.day > until.day }
        }
        if master.start.zone == nil { return { $0 > until } }
        return { zone.instant(of: $0) > until.seconds }
    }

    static func syntheticUID(_ component: ICalendar.Component) -> String {
        let text = component.properties.map { "\($0.name):\($0.value)" }.joined(separator: "\n")
        return "no-uid-" + SHA256Hex.of(text, bytes: 8)
    }

    static func lines(_ numbers: [Int]) -> String {
        numbers.prefix(5).map(String.init).joined(separator: ", ") + (numbers.count > 5 ? " and \(numbers.count - 5) more" : "")
    }
}
