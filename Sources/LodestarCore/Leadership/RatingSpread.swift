/// How far apart individual ratings of one indicator are, so a team sees its disagreement before it agrees a
/// rating. Levels are 1 (lowest) to `levels`.
public struct RatingSpread: Sendable, Equatable {
    /// How many rated at each level, index 0 for level 1.
    public let counts: [Int]

    public init(_ ratings: [Int], levels: Int) {
        var counts = Array(repeating: 0, count: levels)
        for level in ratings where (1...levels).contains(level) { counts[level - 1] += 1 }
        self.counts = counts
    }

    public var raters: Int { counts.reduce(0, +) }
    public var lowest: Int? { counts.firstIndex { $0 > 0 }.map { $0 + 1 } }
    public var highest: Int? { counts.lastIndex { $0 > 0 }.map { $0 + 1 } }
    /// Highest minus lowest: 0 when everyone agrees.
    public var range: Int? { lowest.flatMap { low in highest.map { $0 - low } } }
    /// Two or more levels apart: worth talking through before the team rates.
    public var isWide: Bool { (range ?? 0) >= 2 }

    /// "3 ratings from 2 to 4 (2: one, 3: one, 4: one)"; "No ratings yet".
    public var text: String {
        guard let lowest, let highest else { return "No ratings yet" }
        let many = raters == 1 ? "1 rating" : "\(raters) ratings"
        let each = counts.enumerated().filter { $0.element > 0 }.map { "\($0.offset + 1): \($0.element)" }.joined(separator: ", ")
        return lowest == highest ? "\(many), all at \(lowest)" : "\(many) from \(lowest) to \(highest) (\(each))"
    }
}
