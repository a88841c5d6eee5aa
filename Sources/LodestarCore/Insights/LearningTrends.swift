/// The small-group rule: a share over fewer students than the minimum is not shown anywhere (it could
/// point at a handful of children). The minimum is 10 unless the district sets another.
public struct SmallGroupRule: Sendable, Equatable {
    public var minimum: Int
    public init(minimum: Int = 10) { self.minimum = max(1, minimum) }

    public func allows(_ students: Int) -> Bool { students >= minimum }

    /// The cells of a partition (groups that together make up everyone, such as the race and ethnicity
    /// categories) that may not be shown: every cell under the minimum, and — when that leaves exactly one
    /// hidden cell, whose count could be worked out from the total and the others — the next smallest
    /// cell too (complementary suppression). Empty cells are never shown as groups and need no cover.
    public func hidden<Key: Hashable>(_ partition: [(key: Key, students: Int)]) -> Set<Key> {
        var hidden = Set(partition.filter { $0.students > 0 && !allows($0.students) }.map(\.key))
        if hidden.count == 1, let cover = partition.filter({ $0.students > 0 && !hidden.contains($0.key) })
            .min(by: { ($0.students, "\($0.key)") < ($1.students, "\($1.key)") }) {
            hidden.insert(cover.key)
        }
        return hidden
    }
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

/// Results of student groups beside all students and a comparison group, with the small-group rule
/// and complementary suppression applied: a hidden group shows no count, no share and no gap.
public enum EquityGaps {
    /// Students with a result, and at or above mastery, in one group ("all" for everyone).
    public struct Count: Sendable, Equatable {
        public var group: String
        public var students: Int
        public var atOrAbove: Int
        public init(group: String, students: Int, atOrAbove: Int) { self.group = group; self.students = students; self.atOrAbove = atOrAbove }
        var share: Double? { students > 0 ? Double(atOrAbove) / Double(students) : nil }
    }

    public struct Row: Sendable, Equatable {
        public var group: String
        public var hidden: Bool
        public var students: Int?
        public var share: Double?
        /// Percentage points: the group's share minus all students' (or the comparison group's).
        public var gapToAll: Double?
        public var gapToComparison: Double?
    }

    /// - Parameters:
    ///   - groups: every group's count (groups without students may be left out).
    ///   - partitions: group keys that together cover every student (see `StudentGroup.partitions`).
    ///   - comparison: the group to compare with; nil or "all" compares with all students.
    public static func rows(all: Count, groups: [Count], partitions: [[String]], comparison: String?, rule: SmallGroupRule) -> [Row] {
        var hidden = Set(groups.filter { $0.students > 0 && !rule.allows($0.students) }.map(\.group))
        for partition in partitions {
            let cells = partition.map { key in (key: key, students: groups.first { $0.group == key }?.students ?? 0) }
            // What the partition leaves out (a value not recorded) is never shown: it counts as a hidden cell.
            let rest = all.students - cells.reduce(0) { $0 + $1.students }
            hidden.formUnion(rule.hidden(cells + [(key: "\u{0}rest", students: rest)]).subtracting(["\u{0}rest"]))
        }
        if !rule.allows(all.students) { hidden.formUnion(groups.map(\.group)) }
        let allShare = rule.allows(all.students) ? all.share : nil
        let reference = comparison.flatMap { key in key == "all" ? nil : groups.first { $0.group == key } }
        let referenceShare = reference.flatMap { hidden.contains($0.group) ? nil : $0.share } ?? (comparison == nil || comparison == "all" ? allShare : nil)
        return groups.filter { $0.students > 0 }.map { count in
            guard !hidden.contains(count.group), let share = count.share else {
                return Row(group: count.group, hidden: true, students: nil, share: nil, gapToAll: nil, gapToComparison: nil)
            }
            return Row(group: count.group, hidden: false, students: count.students, share: share,
                       gapToAll: allShare.map { (share - $0) * 100 }, gapToComparison: referenceShare.map { (share - $0) * 100 })
        }
    }
}

/// Teaching and learning together: for each practice, the mastery growth of classes whose teachers
/// are often seen practicing it beside classes whose teachers rarely are. A correlation, never proof:
/// the page says so next to the numbers.
public enum PracticeAndGrowth {
    /// Often: seen in at least half of the teacher's visits that looked for the practice; rarely: in at
    /// most a quarter; both need at least `minimumVisits` visits that looked for it (`PracticeCount`).
    public static let often = 0.5, rarely = 0.25, minimumVisits = 3

    /// A class's growth: the change in its share of results at or above mastery, in points.
    public struct ClassGrowth: Sendable {
        public var teacher: String
        public var growth: Double
        public init(teacher: String, growth: Double) { self.teacher = teacher; self.growth = growth }
    }

    public struct Side: Sendable, Equatable {
        public var classes: Int
        public var teachers: Int
        /// Mean growth of the classes, in points.
        public var growth: Double?
    }

    public struct Row: Sendable, Equatable {
        public var indicator: String
        public var often: Side
        public var rarely: Side
        /// Often minus rarely, in points, when both sides have classes.
        public var difference: Double? {
            guard let a = often.growth, let b = rarely.growth else { return nil }
            return a - b
        }
    }

    public static func rows(indicators: [String], practice: [String: [String: PracticeCount]], classes: [ClassGrowth]) -> [Row] {
        indicators.map { indicator in
            func side(_ belongs: (PracticeCount) -> Bool) -> Side {
                let teachers = Set(practice.compactMap { teacher, byIndicator in
                    byIndicator[indicator].flatMap { $0.lookedFor >= minimumVisits && belongs($0) ? teacher : nil }
                })
                let chosen = classes.filter { teachers.contains($0.teacher) }
                return Side(classes: chosen.count, teachers: Set(chosen.map(\.teacher)).count,
                            growth: chosen.isEmpty ? nil : chosen.map(\.growth).reduce(0, +) / Double(chosen.count))
            }
            return Row(indicator: indicator,
                       often: side { Double($0.seen) >= often * Double($0.lookedFor) - 1e-9 },
                       rarely: side { Double($0.seen) <= rarely * Double($0.lookedFor) + 1e-9 })
        }
    }
}
