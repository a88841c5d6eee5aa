import Foundation

// How numbers read on a page, one rule each, shared by every feature.

/// Shares (0…1) as people read them: whole percentages, "—" when there is none.
enum Percent {
    static func whole(_ share: Double) -> Int { Int((share * 100).rounded()) }
    static func text(_ share: Double?) -> String { share.map { "\(whole($0))%" } ?? "—" }
}

/// Minutes as hours on a time page: "3 h", "2.5 h".
enum Hours {
    static func text(minutes: Double) -> String {
        let hours = minutes / 60
        return abs(hours - hours.rounded()) < 0.05 ? "\(Int(hours.rounded())) h" : String(format: "%.1f h", hours)
    }
}

/// A change in points with one decimal and its sign: "+3.5", "-2", "0"; "—" when there is none.
enum Points {
    static func tenths(_ value: Double?) -> String {
        value.map { let rounded = ($0 * 10).rounded() / 10; return rounded > 0 ? "+\(rounded.cleanNumber)" : rounded.cleanNumber } ?? "—"
    }
}

/// A score or a scale's value: whole numbers bare, else up to two decimals ("3", "2.75").
enum ScaleValue {
    static func text(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : value.formatted(.number.precision(.fractionLength(0...2)))
    }
}

extension Int {
    /// 1240000 → "1,240,000": counts as people read them.
    var grouped: String {
        var digits = String(magnitude), groups: [Substring] = []
        while digits.count > 3 { groups.insert(Substring(digits.suffix(3)), at: 0); digits.removeLast(3) }
        return (self < 0 ? "-" : "") + ([Substring(digits)] + groups).joined(separator: ",")
    }
}

extension Double {
    /// "12", "12.5": a number as people write it.
    var cleanNumber: String {
        abs(self - rounded()) < 1e-9 ? String(Int(rounded())) : String(format: "%g", self)
    }
}
