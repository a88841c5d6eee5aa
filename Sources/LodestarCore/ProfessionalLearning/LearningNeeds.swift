/// Professional learning needs proposed from the evidence a school already has: practices of the
/// framework rarely seen in its classrooms, standards with low or falling mastery, and wide gaps
/// between a student group and all students. Each proposal carries the numbers behind it; a leader
/// decides whether it becomes a need.
public enum LearningNeeds {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case practice, mastery, equity

        public var label: String {
            switch self {
            case .practice: "Practice rarely observed"
            case .mastery: "Low mastery"
            case .equity: "Equity gap"
            }
        }
    }

    /// A practice is proposed when it was seen in at most this share of the visits that looked for it…
    public static let rarelySeen = 0.25
    /// …over at least this many visits that looked for it (fewer say too little about a school).
    public static let minimumVisits = 10
    /// A student group's share at least this many points below all students' is a wide gap.
    public static let wideGapPoints = 15.0
    /// A standard is proposed when at most this share of students is at or above mastery (or it fell; see `ProblemsOfLearning`).
    public static let lowMastery = 0.5

    /// One proposed need and its evidence.
    public struct Proposal: Sendable, Equatable {
        public var kind: Kind
        /// What it is about: an indicator key, a standard id, or "standard id|group key".
        public var key: String
        /// Visits that saw the practice, or students at or above mastery (of the group, for a gap).
        public var count: Int
        /// Visits that looked for it (`PracticeCount`), or students with a mastery result.
        public var outOf: Int
        /// For a decline, the best earlier share; for a gap, all students' share.
        public var comparedWith: Double?
        public var share: Double { outOf > 0 ? Double(count) / Double(outOf) : 0 }

        public init(kind: Kind, key: String, count: Int, outOf: Int, comparedWith: Double? = nil) {
            self.kind = kind; self.key = key; self.count = count; self.outOf = outOf; self.comparedWith = comparedWith
        }
    }

    /// Practices seen in at most `rarelySeen` of at least `minimumVisits` visits, rarest first.
    public static func practices(_ counts: [String: PracticeCount]) -> [Proposal] {
        counts.filter { $0.value.lookedFor >= minimumVisits && Double($0.value.seen) <= rarelySeen * Double($0.value.lookedFor) + 1e-9 }
            .map { Proposal(kind: .practice, key: $0.key, count: $0.value.seen, outOf: $0.value.lookedFor) }
            .sorted { ($0.share, $0.key) < ($1.share, $1.key) }
    }

    /// Standards flagged as problems of learning whose latest share is at most `lowMastery`, or that fell.
    public static func mastery(_ flags: [ProblemsOfLearning.Flag]) -> [Proposal] {
        var seen: Set<String> = []
        return flags.filter { $0.reason == .decline || $0.latest <= lowMastery + 1e-9 }.compactMap { flag in
            guard seen.insert(flag.standard).inserted else { return nil }
            return Proposal(kind: .mastery, key: flag.standard, count: Int((flag.latest * Double(flag.students)).rounded()), outOf: flag.students, comparedWith: flag.from)
        }
    }

    /// Groups at least `wideGapPoints` below all students on a standard (rows the small-group rule hides
    /// have no gap and are never proposed), widest first, at most `limit`.
    public static func equity(_ gaps: [(standard: String, row: EquityGaps.Row)], limit: Int = 5) -> [Proposal] {
        gaps.compactMap { item -> (Proposal, Double)? in
            guard !item.row.hidden, let gap = item.row.gapToAll, gap <= -wideGapPoints + 1e-9,
                  let students = item.row.students, let share = item.row.share else { return nil }
            return (Proposal(kind: .equity, key: "\(item.standard)|\(item.row.group)", count: Int((share * Double(students)).rounded()),
                             outOf: students, comparedWith: share - gap / 100), gap)
        }
        .sorted { ($0.1, $0.0.key) < ($1.1, $1.0.key) }
        .prefix(limit).map(\.0)
    }
}
