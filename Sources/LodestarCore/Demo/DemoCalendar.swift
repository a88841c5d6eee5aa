import Foundation

/// The demo district's school calendar: school is in session on weekdays from the first day of the year
/// to the last, except the US federal holidays that fall in the school year, the Friday after Thanksgiving
/// and the winter break (December 21 to January 1). Visits, assessments, leaders' days and sessions all
/// fall on school days.
public enum DemoCalendar {
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = DemoWalkthroughs.timeZone
        return calendar
    }()

    /// Midnight, district time, of a day of the school year 2026–27.
    public static func date(_ month: Int, _ day: Int) -> Date {
        calendar.date(from: DateComponents(year: month >= 7 ? 2026 : 2027, month: month, day: day))!
    }

    /// The first day for staff (visits and leaders' time begin) and the last day of the year.
    public static let firstDay = date(8, 17)
    public static let lastDay = date(6, 4)

    /// True on a weekday that is not a holiday or break.
    public static func isSchoolDay(_ day: Date) -> Bool {
        let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
        guard let weekday = parts.weekday, (2...6).contains(weekday), let year = parts.year, let month = parts.month, let dayOfMonth = parts.day else { return false }
        if (month == 12 && dayOfMonth >= 21) || (month == 1 && dayOfMonth <= 1) { return false }
        return !holidays(year).contains(where: { $0 == (month, dayOfMonth) })
    }

    /// The school days from `from` through `through` (midnights, district time).
    public static func schoolDays(from: Date, through: Date) -> [Date] {
        var days: [Date] = []
        var day = calendar.startOfDay(for: from)
        while day <= through {
            if isSchoolDay(day) { days.append(day) }
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        return days
    }

    /// The school day on or before a moment's day (going back), or on or after it (going forward).
    public static func schoolDay(near moment: Date, forward: Bool) -> Date {
        var day = calendar.startOfDay(for: moment)
        while !isSchoolDay(day) { day = calendar.date(byAdding: .day, value: forward ? 1 : -1, to: day)! }
        return day
    }

    /// A moment moved forward to the same time of day on the next school day, if its day is not one.
    public static func onSchoolDay(_ seconds: Int, forward: Bool = true) -> Int {
        let moment = Date(timeIntervalSince1970: TimeInterval(seconds))
        let day = calendar.startOfDay(for: moment)
        let school = schoolDay(near: moment, forward: forward)
        return Int(school.timeIntervalSince1970) + Int(moment.timeIntervalSince(day))
    }

    /// The federal holidays of a calendar year, as (month, day) when observed on a weekday: New Year's Day,
    /// Martin Luther King Jr. Day, Washington's Birthday, Memorial Day, Juneteenth, Independence Day, Labor
    /// Day, Columbus Day, Veterans Day, Thanksgiving (and the Friday after, a school holiday), Christmas.
    static func holidays(_ year: Int) -> [(Int, Int)] {
        func nth(_ n: Int, _ weekday: Int, of month: Int) -> (Int, Int) {
            var parts = DateComponents(year: year, month: month, weekday: weekday, weekdayOrdinal: n)
            if n < 0 { parts.weekdayOrdinal = -1 }
            let date = calendar.date(from: parts)!
            return (month, calendar.component(.day, from: date))
        }
        /// A fixed date on a Saturday is observed the Friday before; on a Sunday, the Monday after.
        func observed(_ month: Int, _ day: Int) -> (Int, Int) {
            let date = calendar.date(from: DateComponents(year: year, month: month, day: day))!
            let shift = [1: 1, 7: -1][calendar.component(.weekday, from: date)] ?? 0
            let moved = calendar.date(byAdding: .day, value: shift, to: date)!
            return (calendar.component(.month, from: moved), calendar.component(.day, from: moved))
        }
        let thanksgiving = nth(4, 5, of: 11)
        return [observed(1, 1), nth(3, 2, of: 1), nth(3, 2, of: 2), nth(-1, 2, of: 5), observed(6, 19), observed(7, 4),
                nth(1, 2, of: 9), nth(2, 2, of: 10), observed(11, 11), thanksgiving, (11, thanksgiving.1 + 1), observed(12, 25)]
    }
}
