/// How often a practice was seen: the one rule behind every practice share Lodestar shows (trends,
/// goals, needs, practice and growth, mentors, PLCs, growth goals and their CSVs).
///
/// A visit counts for a practice only when it looked for it, that is, marked it seen or not seen. A
/// visit that left it unmarked did not look for it: it is counted apart ("not looked for") and kept out
/// of the share, since an observer who did not look says nothing about whether the practice was there.
/// A mark of not applicable, or a framework without the practice, counts nowhere.
public struct PracticeCount: Sendable, Equatable, Hashable {
    public var seen: Int
    public var notSeen: Int
    public var notLookedFor: Int

    public init(seen: Int = 0, notSeen: Int = 0, notLookedFor: Int = 0) {
        self.seen = seen; self.notSeen = notSeen; self.notLookedFor = notLookedFor
    }

    /// The rule in words, for the pages that show a share.
    public static let rule = "A practice’s share is the visits that saw it out of the visits that looked for it (marked it seen or not seen). Visits that left it unmarked are counted as not looked for and kept out of the share; a mark of not applicable is left out."

    /// Visits that marked the practice seen or not seen: the share's denominator.
    public var lookedFor: Int { seen + notSeen }

    /// Seen ÷ looked for; nil when no visit looked for it.
    public var share: Double? { lookedFor > 0 ? Double(seen) / Double(lookedFor) : nil }

    /// Adds one visit's mark (nil when the visit left the practice unmarked) on a framework that has the practice.
    public mutating func add(mark: String?, on scale: MarkScale) {
        switch mark {
        case nil: notLookedFor += 1
        case "not_applicable": break
        case let mark?: if scale.isSeen(mark) { seen += 1 } else { notSeen += 1 }
        }
    }

    public static func + (a: PracticeCount, b: PracticeCount) -> PracticeCount {
        PracticeCount(seen: a.seen + b.seen, notSeen: a.notSeen + b.notSeen, notLookedFor: a.notLookedFor + b.notLookedFor)
    }

    public static func += (a: inout PracticeCount, b: PracticeCount) { a = a + b }
}
