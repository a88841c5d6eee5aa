/// A local ("wall clock") time: a day number (days since 1970-01-01, as `ISODay`) and the second of
/// that day. Recurrence rules are expanded in wall time, and only then placed in a time zone, so a
/// weekly 3 pm meeting stays at 3 pm across a change to or from daylight saving time.
public struct WallTime: Hashable, Comparable, Sendable {
    public var day: Int
    public var second: Int

    public init(day: Int, second: Int) {
        self.day = day + second.floorDivided(by: 86_400)
        self.second = second.floorModulo(86_400)
    }

    /// Seconds since 1970-01-01 00:00 as if this wall time were in UTC.
    public var seconds: Int { day * 86_400 + second }

    public static func < (a: WallTime, b: WallTime) -> Bool { (a.day, a.second) < (b.day, b.second) }
}

extension Int {
    func floorDivided(by divisor: Int) -> Int { (self - floorModulo(divisor)) / divisor }
    /// The remainder that is never negative (Python's `%`).
    func floorModulo(_ divisor: Int) -> Int { ((self % divisor) + divisor) % divisor }
}

/// A recurrence rule (RFC 5545 §3.3.10) and its expansion.
///
/// The expansion follows the RFC's table of BYxxx parts that limit or expand each frequency, in the order
/// the RFC gives, period by period, as python-dateutil's `rrule` does (the reference Lodestar's tests
/// hold it to): dates that do not exist (February 30) are skipped, never moved; BYSETPOS picks from each
/// period's set; COUNT counts from DTSTART. Rules repeating within a day (HOURLY, MINUTELY, SECONDLY) are
/// read but not expanded: a leader's calendar has no use for them and they could make millions of
/// occurrences. Without COUNT, the periods wholly before the window are skipped by arithmetic, so a rule
/// that started in 1700 costs no more than one that started last week.
public struct RecurrenceRule: Sendable, Equatable {
    public enum Frequency: Int, Sendable, Comparable {
        case yearly, monthly, weekly, daily, hourly, minutely, secondly
        public static func < (a: Frequency, b: Frequency) -> Bool { a.rawValue < b.rawValue }
        static let names: [String: Frequency] = ["YEARLY": .yearly, "MONTHLY": .monthly, "WEEKLY": .weekly, "DAILY": .daily,
                                                 "HOURLY": .hourly, "MINUTELY": .minutely, "SECONDLY": .secondly]
    }

    /// A BYDAY entry: a weekday (0 = Monday … 6 = Sunday), with an ordinal (`2TU`, `-1FR`) or 0.
    public struct Day: Sendable, Equatable { public var ordinal: Int; public var weekday: Int }

    public var frequency: Frequency
    public var interval = 1
    public var count: Int?
    /// UNTIL as written: whether it is a date, a UTC time or a local one decides how it is read.
    public var until: String?
    public var bySecond: [Int] = []
    public var byMinute: [Int] = []
    public var byHour: [Int] = []
    public var byDay: [Day] = []
    public var byMonthDay: [Int] = []
    public var byYearDay: [Int] = []
    public var byWeekNo: [Int] = []
    public var byMonth: [Int] = []
    public var bySetPos: [Int] = []
    /// 0 = Monday.
    public var weekStart = 0

    static let weekdays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    /// Reads `FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=…`; the error says which part is wrong and why.
    public static func parse(_ text: String) throws(RecurrenceRuleError) -> RecurrenceRule {
        var rule = RecurrenceRule(frequency: .daily)
        var seen: Set<String> = []
        /// A list of numbers in `range`, or of their negatives too when `signed` (never 0 then).
        func numbers(_ name: String, _ value: String, _ range: ClosedRange<Int>, signed: Bool = true) throws(RecurrenceRuleError) -> [Int] {
            var result: [Int] = []
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let n = Int(part.hasPrefix("+") ? part.dropFirst() : part), signed ? range.contains(abs(n)) : range.contains(n) else {
                    throw RecurrenceRuleError("\(name) takes numbers in \(range.lowerBound)…\(range.upperBound)\(signed ? " (or their negatives)" : ""), found “\(part)”")
                }
                result.append(n)
            }
            return result
        }
        for part in text.split(separator: ";") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { throw RecurrenceRuleError("expected NAME=value parts, found “\(part)”") }
            let name = pair[0].uppercased(), value = pair[1]
            guard seen.insert(name).inserted else { throw RecurrenceRuleError("\(name) appears twice") }
            switch name {
            case "FREQ":
                guard let frequency = Frequency.names[value.uppercased()] else {
                    throw RecurrenceRuleError("FREQ must be one of YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY, SECONDLY, found “\(value)”")
                }
                rule.frequency = frequency
            case "INTERVAL":
                guard let n = Int(value), n >= 1 else { throw RecurrenceRuleError("INTERVAL must be a positive number, found “\(value)”") }
                rule.interval = n
            case "COUNT":
                guard let n = Int(value), n >= 1 else { throw RecurrenceRuleError("COUNT must be a positive number, found “\(value)”") }
                rule.count = n
            case "UNTIL":
                let digits = value.uppercased()
                guard digits.count == 8 || ((digits.count == 15 || digits.count == 16) && digits.dropFirst(8).first == "T") else {
                    throw RecurrenceRuleError("UNTIL must be a date (YYYYMMDD) or a date-time (YYYYMMDDTHHMMSSZ), found “\(value)”")
                }
                rule.until = digits
            case "BYSECOND": rule.bySecond = try numbers(name, value, 0...59, signed: false)
            case "BYMINUTE": rule.byMinute = try numbers(name, value, 0...59, signed: false)
            case "BYHOUR": rule.byHour = try numbers(name, value, 0...23, signed: false)
            case "BYMONTHDAY": rule.byMonthDay = try numbers(name, value, 1...31)
            case "BYYEARDAY": rule.byYearDay = try numbers(name, value, 1...366)
            case "BYWEEKNO": rule.byWeekNo = try numbers(name, value, 1...53)
            case "BYSETPOS": rule.bySetPos = try numbers(name, value, 1...366)
            case "BYMONTH":
                rule.byMonth = try numbers(name, value, 1...12, signed: false)
            case "BYDAY":
                for item in value.uppercased().split(separator: ",", omittingEmptySubsequences: false) {
                    let code = String(item.suffix(2)), prefix = item.dropLast(2)
                    guard let weekday = weekdays.firstIndex(of: code),
                          let ordinal = prefix.isEmpty ? 0 : Int(prefix.hasPrefix("+") ? prefix.dropFirst() : prefix),
                          prefix.isEmpty || (1...53).contains(abs(ordinal)) else {
                        throw RecurrenceRuleError("BYDAY takes days such as MO, 2TU or -1FR, found “\(item)”")
                    }
                    rule.byDay.append(Day(ordinal: ordinal, weekday: weekday))
                }
            case "WKST":
                guard let weekday = weekdays.firstIndex(of: value.uppercased()) else { throw RecurrenceRuleError("WKST must be a day such as MO or SU, found “\(value)”") }
                rule.weekStart = weekday
            default:
                guard name.hasPrefix("X-") else { throw RecurrenceRuleError("\(name) is not a part of a recurrence rule") }
            }
        }
        guard seen.contains("FREQ") else { throw RecurrenceRuleError("a recurrence rule needs FREQ") }
        return rule
    }

    /// Whether the rule repeats within a day (Lodestar does not expand those).
    public var isSubDaily: Bool { frequency > .daily }

    /// The wall times the rule gives from `start` (which counts as its first period), ascending, from
    /// `from` through `through`. `isPastUntil` says whether a time is after UNTIL (the caller knows its zone).
    public func wallTimes(start: WallTime, from: WallTime, through: WallTime, isPastUntil: (WallTime) -> Bool = { _ in false },
                          limit: Int = 100_000) throws(RecurrenceRuleError) -> [WallTime] {
        guard !isSubDaily else { throw RecurrenceRuleError("FREQ=\(frequency) repeats within a day") }
        let first = ISODay.civil(start.day)
        let startWeekday = Self.weekday(start.day)

        // BYxxx parts the rule leaves out are taken from DTSTART (RFC 5545 §3.3.10, "Information, not
        // contained in the rule, necessary to determine the various recurrence instance start time and
        // dates are derived from the Start Time").
        var byMonth = Set(byMonth)
        var monthDays = Set(byMonthDay.filter { $0 > 0 }), negativeMonthDays = Set(byMonthDay.filter { $0 < 0 })
        var weekdays = Set<Int>()
        var nthWeekdays: [Day] = []
        for day in byDay {
            if day.ordinal == 0 || frequency > .monthly { weekdays.insert(day.weekday) } else { nthWeekdays.append(day) }
        }
        if byWeekNo.isEmpty && byYearDay.isEmpty && byMonthDay.isEmpty && byDay.isEmpty {
            switch frequency {
            case .yearly:
                if byMonth.isEmpty { byMonth = [first.month] }
                monthDays = [first.day]
            case .monthly: monthDays = [first.day]
            case .weekly: weekdays = [startWeekday]
            default: break
            }
        }
        let hours = byHour.isEmpty ? [start.second / 3600] : byHour
        let minutes = byMinute.isEmpty ? [start.second / 60 % 60] : byMinute
        let seconds = bySecond.isEmpty ? [start.second % 60] : bySecond
        let times = Set(hours.flatMap { h in minutes.flatMap { m in seconds.map { s in h * 3600 + m * 60 + s } } }).sorted()
        let yearDays = Set(byYearDay), weekNumbers = Set(byWeekNo)

        var year = first.year, month = first.month
        var cursor = start.day   // weekly and daily: the first day of the period
        var count = self.count
        // Without COUNT, periods that end before `from` make nothing that is kept: skip them by arithmetic.
        if count == nil {
            let target = ISODay.civil(from.day)
            switch frequency {
            case .yearly:
                let gap = target.year - 1 - year
                if gap >= interval { year += gap / interval * interval }
            case .monthly:
                let gap = (target.year * 12 + target.month - 1) - 1 - (year * 12 + month - 1)
                if gap >= interval {
                    let months = year * 12 + month - 1 + gap / interval * interval
                    year = months.floorDivided(by: 12); month = months.floorModulo(12) + 1
                }
            case .weekly:
                let weekStartDay = cursor - (startWeekday - weekStart).floorModulo(7)
                let gap = from.day - 7 - weekStartDay
                if gap >= 7 * interval { cursor = weekStartDay + gap / (7 * interval) * 7 * interval }
            default:
                let gap = from.day - 1 - cursor
                if gap >= interval { cursor += gap / interval * interval }
            }
        }

        var years: [Int: YearInfo] = [:]
        func info(_ year: Int) -> YearInfo {
            if let known = years[year] { return known }
            let made = YearInfo(year: year, weekStart: weekStart, weekNumbers: weekNumbers)
            years[year] = made
            return made
        }
        var result: [WallTime] = []
        while true {
            // The period's days, as indexes from January 1 of `info.year`.
            let year_: YearInfo
            var days: [Int] = []
            switch frequency {
            case .yearly, .monthly:
                guard (1...9999).contains(year) else { return result }
                year_ = info(year)
                let range = frequency == .yearly ? 0..<year_.length : year_.monthStarts[month - 1]..<year_.monthStarts[month]
                guard year_.firstDay + range.lowerBound <= through.day else { return result }
                // A yearly rule with BYMONTH looks only at those months' days (the filter below would drop the rest).
                days = frequency == .yearly && !byMonth.isEmpty
                    ? byMonth.sorted().flatMap { Array(year_.monthStarts[$0 - 1]..<year_.monthStarts[$0]) } : Array(range)
            default:
                guard cursor <= through.day else { return result }
                let civil = ISODay.civil(cursor)
                guard (1...9999).contains(civil.year) else { return result }
                year_ = info(civil.year)
                var index = cursor - year_.firstDay
                if frequency == .daily {
                    days = [index]
                } else {
                    for _ in 0..<7 {
                        days.append(index)
                        index += 1
                        if year_.weekday(index) == weekStart { break }
                    }
                }
            }
            // The nth weekdays of the month (MONTHLY) or of the year or its BYMONTH months (YEARLY).
            var nth: Set<Int> = []
            if !nthWeekdays.isEmpty {
                var ranges: [(Int, Int)] = []
                if frequency == .yearly {
                    ranges = byMonth.isEmpty ? [(0, year_.length)] : byMonth.sorted().map { (year_.monthStarts[$0 - 1], year_.monthStarts[$0]) }
                } else if frequency == .monthly {
                    ranges = [(year_.monthStarts[month - 1], year_.monthStarts[month])]
                }
                for (firstIndex, end) in ranges {
                    let last = end - 1
                    for day in nthWeekdays {
                        var i: Int
                        if day.ordinal < 0 {
                            i = last + (day.ordinal + 1) * 7
                            i -= (year_.weekday(i) - day.weekday).floorModulo(7)
                        } else {
                            i = firstIndex + (day.ordinal - 1) * 7
                            i += (7 - year_.weekday(i) + day.weekday).floorModulo(7)
                        }
                        if firstIndex <= i && i <= last { nth.insert(i) }
                    }
                }
            }
            let kept = days.filter { i in
                if !byMonth.isEmpty && !byMonth.contains(year_.month(i)) { return false }
                if !weekNumbers.isEmpty && !year_.inChosenWeek(i) { return false }
                if !weekdays.isEmpty && !weekdays.contains(year_.weekday(i)) { return false }
                if !nthWeekdays.isEmpty && !nth.contains(i) { return false }
                if !(monthDays.isEmpty && negativeMonthDays.isEmpty)
                    && !monthDays.contains(year_.monthDay(i)) && !negativeMonthDays.contains(year_.negativeMonthDay(i)) { return false }
                if !yearDays.isEmpty {
                    if i < year_.length {
                        if !yearDays.contains(i + 1) && !yearDays.contains(i - year_.length) { return false }
                    } else if !yearDays.contains(i + 1 - year_.length) && !yearDays.contains(i - year_.length - year_.nextLength) {
                        return false
                    }
                }
                return true
            }
            var candidates: [WallTime] = []
            if !bySetPos.isEmpty {
                for position in bySetPos {
                    let (dayPosition, timePosition) = position < 0
                        ? (position.floorDivided(by: times.count), position.floorModulo(times.count))
                        : ((position - 1) / times.count, (position - 1) % times.count)
                    let index = dayPosition < 0 ? kept.count + dayPosition : dayPosition
                    guard kept.indices.contains(index) else { continue }
                    let time = WallTime(day: year_.firstDay + kept[index], second: times[timePosition])
                    if !candidates.contains(time) { candidates.append(time) }
                }
                candidates.sort()
            } else {
                for i in kept { for time in times { candidates.append(WallTime(day: year_.firstDay + i, second: time)) } }
            }
            for time in candidates {
                if time.day > through.day || isPastUntil(time) { return result }
                guard time >= start else { continue }
                if let remaining = count {
                    guard remaining > 0 else { return result }
                    count = remaining - 1
                }
                if time >= from && time <= through {
                    result.append(time)
                    guard result.count <= limit else { throw RecurrenceRuleError("the rule makes more than \(limit) events in the chosen weeks") }
                }
            }
            switch frequency {
            case .yearly: year += interval
            case .monthly:
                let months = year * 12 + month - 1 + interval
                year = months.floorDivided(by: 12); month = months.floorModulo(12) + 1
            case .weekly: cursor = cursor - (Self.weekday(cursor) - weekStart).floorModulo(7) + 7 * interval
            default: cursor += interval
            }
        }
    }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    static func weekday(_ day: Int) -> Int { (day + 3).floorModulo(7) }
}

public struct RecurrenceRuleError: Error, Sendable, Equatable {
    public let message: String
    init(_ message: String) { self.message = message }
}

/// The calendar facts of one year that the expansion filters days by, as dateutil's `_iterinfo`:
/// index 0 is January 1, and seven days of the next January follow the year so a week can run over.
struct YearInfo {
    let year: Int
    let firstDay: Int
    let length: Int
    let nextLength: Int
    let firstWeekday: Int
    /// Index of the first of each month, then the year's length.
    let monthStarts: [Int]
    /// The month of each day of the year.
    private let months: [UInt8]
    /// The days in a BYWEEKNO week (ISO 8601 numbering with the rule's week start).
    private var chosenWeeks: Set<Int> = []

    init(year: Int, weekStart: Int, weekNumbers: Set<Int>) {
        self.year = year
        firstDay = ISODay.number(year: year, month: 1, day: 1)
        length = Self.length(of: year)
        nextLength = Self.length(of: year + 1)
        firstWeekday = RecurrenceRule.weekday(firstDay)
        monthStarts = (1...13).map { ISODay.number(year: year, month: $0, day: 1) - ISODay.number(year: year, month: 1, day: 1) }
        months = (0..<12).flatMap { [monthStarts] month in Array(repeating: UInt8(month + 1), count: monthStarts[month + 1] - monthStarts[month]) }
        if !weekNumbers.isEmpty { chosenWeeks = weeks(weekNumbers, weekStart: weekStart) }
    }

    static func length(of year: Int) -> Int { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 366 : 365 }

    func weekday(_ i: Int) -> Int { (firstWeekday + i).floorModulo(7) }
    func month(_ i: Int) -> Int { i >= length ? 1 : Int(months[i]) }
    func monthDay(_ i: Int) -> Int { i >= length ? i - length + 1 : i - monthStarts[month(i) - 1] + 1 }
    func negativeMonthDay(_ i: Int) -> Int { i >= length ? i - length - 31 : i - monthStarts[month(i)] }
    func inChosenWeek(_ i: Int) -> Bool { chosenWeeks.contains(i) }

    /// Week 1 is the first week with at least four days of the year (RFC 5545 §3.3.10 on BYWEEKNO).
    private func weeks(_ numbers: Set<Int>, weekStart: Int) -> Set<Int> {
        var days: Set<Int> = []
        func addWeek(from index: Int) {
            var i = index
            for _ in 0..<7 {
                days.insert(i)
                i += 1
                if weekday(i) == weekStart { break }
            }
        }
        let firstWeekStart = (7 - firstWeekday + weekStart).floorModulo(7)
        var weekOneStart = firstWeekStart
        let weekYearLength: Int
        if weekOneStart >= 4 {
            weekOneStart = 0
            weekYearLength = length + (firstWeekday - weekStart).floorModulo(7)
        } else {
            weekYearLength = length - weekOneStart
        }
        let weekCount = weekYearLength / 7 + (weekYearLength % 7) / 4
        for var n in numbers {
            if n < 0 { n += weekCount + 1 }
            guard n > 0 && n <= weekCount else { continue }
            var i = weekOneStart
            if n > 1 {
                i = weekOneStart + (n - 1) * 7
                if weekOneStart != firstWeekStart { i -= 7 - firstWeekStart }
            }
            addWeek(from: i)
        }
        if numbers.contains(1) {
            // Week 1 of the next year can start in this one.
            var i = weekOneStart + weekCount * 7
            if weekOneStart != firstWeekStart { i -= 7 - firstWeekStart }
            if i < length { addWeek(from: i) }
        }
        if weekOneStart > 0 {
            // The days before week 1 belong to the last week of the year before.
            let lastYearWeeks: Int
            if !numbers.contains(-1) {
                let lastFirstWeekday = RecurrenceRule.weekday(ISODay.number(year: year - 1, month: 1, day: 1))
                var lastWeekOneStart = (7 - lastFirstWeekday + weekStart).floorModulo(7)
                let lastLength = Self.length(of: year - 1)
                if lastWeekOneStart >= 4 {
                    lastWeekOneStart = 0
                    lastYearWeeks = 52 + (lastLength + (lastFirstWeekday - weekStart).floorModulo(7)).floorModulo(7) / 4
                } else {
                    lastYearWeeks = 52 + (length - weekOneStart).floorModulo(7) / 4
                }
            } else {
                lastYearWeeks = -1
            }
            if numbers.contains(lastYearWeeks) { for i in 0..<weekOneStart { days.insert(i) } }
        }
        return days
    }
}
