import Foundation

/// Time on a chart's x axis: a day is its noon counted in seconds from 1970 in whole days, so time zones
/// and clock changes never move a point or a trend. Goal charts, the leader's time chart and month
/// labels share it.
public enum ChartTime {
    /// A day as a moment for the projection and the chart: its noon, counted in days (time zones do not move a trend).
    public static func time(_ day: String) -> Double {
        Double(ISODay.number(day) ?? 0) * 86_400 + 43_200
    }

    public static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The first of each month between two chart times (see `time(_:)`), labelled "Sep" (every third
    /// month, "Sep 26", over more than a year).
    public static func monthTicks(from start: Double, to end: Double) -> [(x: Double, label: String)] {
        let first = Int(start / 86_400), last = Int(end / 86_400)
        let long = last - first > 400
        let opening = ISODay.string(first)
        var year = Int(opening.prefix(4)) ?? 1970, month = Int(opening.dropFirst(5).prefix(2)) ?? 1
        var ticks: [(Double, String)] = []
        while let day = ISODay.number(String(format: "%04d-%02d-01", year, month)), day <= last {
            if day >= first { ticks.append((Double(day) * 86_400 + 43_200, long ? "\(monthNames[month - 1]) \(year)" : monthNames[month - 1])) }
            month += long ? 3 : 1
            if month > 12 { month -= 12; year += 1 }
        }
        return ticks
    }
}
