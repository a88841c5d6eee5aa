/// Calendar days written `YYYY-MM-DD`, as counted days: arithmetic on school days and deadlines
/// without time zones or date formatters (Howard Hinnant's civil-day algorithms).
public enum ISODay {
    /// Days since 1970-01-01, or nil when the text is not a real date.
    public static func number(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        let number = number(year: y, month: m, day: d)
        return string(number) == text ? number : nil
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
