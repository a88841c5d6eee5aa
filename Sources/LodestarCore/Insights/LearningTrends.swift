/// The small-group rule: a share over fewer students than the minimum is not shown anywhere (it could
/// point at a handful of children). The minimum is 10 unless the district sets another.
public struct SmallGroupRule: Sendable, Equatable {
    public var minimum: Int
    public init(minimum: Int = 10) { self.minimum = max(1, minimum) }

    public func allows(_ students: Int) -> Bool { students >= minimum }
}

/// Candidate problems of learning: the standards where the fewest students are at mastery now, and
/// those where the share has fallen most from its best month. Only counts the small-group rule allows
/// are used.
public enum ProblemsOfLearning {
    /// A standard's share at or above mastery, month by month (as of each month's end).
    public struct Series: Sendable {
        public var standard: String
        public var points: [(month: String, students: Int, atOrAbove: Int)]
        public init(standard: String, points: [(month: String, students: Int, atOrAbove: Int)]) { self.standard = standard; self.points = points }
    }

    public struct Flag: Sendable, Equatable {
        public enum Reason: String, Sendable { case lowest = "lowest mastery", decline = "steepest decline" }
        public var standard: String
        public var reason: Reason
        /// The latest share (0…1), and for a decline the best earlier share it fell from.
        public var latest: Double
        public var from: Double?
        public var students: Int
    }

    /// A fall of at least this many points from the best month counts as a decline.
    public static let declinePoints = 10.0

    /// Up to `count` lowest standards, then up to `count` that fell by `declinePoints` or more (steepest first).
    public static func flags(_ series: [Series], rule: SmallGroupRule, count: Int = 3) -> [Flag] {
        var latest: [(standard: String, share: Double, students: Int, best: Double?)] = []
        for item in series {
            let allowed = item.points.filter { rule.allows($0.students) }
            guard let last = allowed.last else { continue }
            let share = Double(last.atOrAbove) / Double(last.students)
            let best = allowed.dropLast().map { Double($0.atOrAbove) / Double($0.students) }.max()
            latest.append((item.standard, share, last.students, best))
        }
        let lowest = latest.sorted { ($0.share, $0.standard) < ($1.share, $1.standard) }.prefix(count)
            .map { Flag(standard: $0.standard, reason: .lowest, latest: $0.share, from: nil, students: $0.students) }
        let declines = latest.compactMap { item -> Flag? in
            guard let best = item.best, (best - item.share) * 100 >= declinePoints - 1e-9 else { return nil }
            return Flag(standard: item.standard, reason: .decline, latest: item.share, from: best, students: item.students)
        }.sorted { (($0.from ?? 0) - $0.latest, $1.standard) > (($1.from ?? 0) - $1.latest, $0.standard) }.prefix(count)
        return lowest + declines
    }
}
