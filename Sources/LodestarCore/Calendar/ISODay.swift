/// Calendar days written `YYYY-MM-DD`, as counted days: arithmetic on school days and deadlines
/// without time zones or date formatters (Howard Hinnant's civil-day algorithms).
public enum ISODay {
    /// Days since 1970-01-01, or nil when the text is not a real date of a year from 1000 (`string` writes no
    /// leading zeros, so earlier years would not read back the same).
    public static func number(_ text: String) -> Int? {
        guard let (year, month, day) = civil(text.utf8), year >= 1_000 else { return nil }
        return number(year: year, month: month, day: day)
    }

    /// The year, month and day of `YYYY-MM-DD` bytes when they are a real date in the Gregorian calendar, read in place:
    /// an import checks millions of dates. The one reading of a written date, for `number` and `ISODate.isValid`.
    public static func civil(_ bytes: some Collection<UInt8>) -> (year: Int, month: Int, day: Int)? {
        guard bytes.count == 10 else { return nil }
        var year = 0, month = 0, day = 0
        for (position, byte) in bytes.enumerated() {
            if position == 4 || position == 7 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            switch position {
            case ..<4: year = year * 10 + digit
            case ..<7: month = month * 10 + digit
            default: day = day * 10 + digit
            }
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = switch month {
        case 2: leap ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
        return (1...12).contains(month) && (1...days).contains(day) ? (year, month, day) : nil
    }

    /// Days since 1970-01-01 of a civil date (a day past the month's end runs into the next month).
    public static func number(year y: Int, month m: Int, day d: Int) -> Int {
        let year = m <= 2 ? y - 1 : y
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The year, month and day of a day number.
    public static func civil(_ number: Int) -> (year: Int, month: Int, day: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The `YYYY-MM-DD` of a day number.
    public static func string(_ number: Int) -> String {
        let (year, month, day) = civil(number)
        return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }

    /// The day `days` after (or before) another; the text unchanged when it is not a date.
    public static func adding(_ days: Int, to text: String) -> String {
        number(text).map { string($0 + days) } ?? text
    }

    /// 1 = Monday … 7 = Sunday.
    public static func weekday(_ text: String) -> Int? {
        number(text).map { (($0 % 7) + 7 + 3) % 7 + 1 }
    }
}

/// Calendar dates as ISO `YYYY-MM-DD` text: sortable, portable across SQLite and PostgreSQL.
public enum ISODate {
    public static func isValid(_ text: String) -> Bool {
        isValid(text.utf8)
    }

    public static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        ISODay.civil(bytes) != nil
    }
}
