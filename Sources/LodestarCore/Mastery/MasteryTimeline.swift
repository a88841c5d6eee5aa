/// A student's standing on one standard month by month, for trend rollups: after the scores of each
/// month with scores, whether the mastery computed from every score so far (by the method, on the scale
/// of the latest assessment) is at or above the scale's mastery level. Months without scores keep the
/// standing of the month before.
public enum MasteryTimeline {
    public enum Standing: Int, Sendable, Equatable {
        /// Scores, but the method cannot say yet (n-times before n, power law before three scores).
        case notYet = 0
        case below = 1
        case atOrAbove = 2

        var hasEvidence: Int { self == .notYet ? 0 : 1 }
        var reached: Int { self == .atOrAbove ? 1 : 0 }
    }

    /// One score, in attempt order, with the day of its assessment and that assessment's scale.
    public struct Score: Sendable {
        public var day: String
        public var value: Double
        public var scale: ProficiencyScale
        public init(day: String, value: Double, scale: ProficiencyScale) { self.day = day; self.value = value; self.scale = scale }
    }

    public typealias Entry = (month: String, standing: Standing)

    /// The standing at the end of each month with scores, in month order; scores in attempt order.
    public static func months(_ scores: [Score], method: MasteryMethod) -> [Entry] {
        var result: [Entry] = []
        for (index, score) in scores.enumerated() {
            let month = String(score.day.prefix(7))
            // The month's standing counts every score up to its last score.
            if index + 1 < scores.count, scores[index + 1].day.prefix(7) == month { continue }
            let values = scores[...index].map(\.value)
            let standing: Standing
            switch method.calculate(values, on: score.scale) {
            case .value(let value): standing = value >= score.scale.masteryValue - 1e-9 ? .atOrAbove : .below
            case .notYet, .noEvidence: standing = .notYet
            }
            result.append((month, standing))
        }
        return result
    }

    /// What a timeline adds to monthly counts of students with a mastery result and students at or above:
    /// each month's change from the month before, so that counts as of a month are sums up to it.
    public static func deltas(_ timeline: [Entry]) -> [String: (evidence: Int, atOrAbove: Int)] {
        var result: [String: (evidence: Int, atOrAbove: Int)] = [:]
        var previous = Standing.notYet
        for entry in timeline {
            let change = (entry.standing.hasEvidence - previous.hasEvidence, entry.standing.reached - previous.reached)
            if change != (0, 0) { result[entry.month, default: (0, 0)].evidence += change.0; result[entry.month, default: (0, 0)].atOrAbove += change.1 }
            previous = entry.standing
        }
        return result
    }

    /// Students with a result, and at or above mastery, as of the end of each of `months`: each timeline
    /// counts with its standing in its latest month up to that one.
    public static func counts(asOf months: [String], timelines: [[Entry]]) -> [String: (evidence: Int, atOrAbove: Int)] {
        var result: [String: (evidence: Int, atOrAbove: Int)] = [:]
        for timeline in timelines {
            for month in months {
                guard let standing = timeline.last(where: { $0.month <= month })?.standing, standing.hasEvidence > 0 else { continue }
                result[month, default: (0, 0)].evidence += 1
                result[month, default: (0, 0)].atOrAbove += standing.reached
            }
        }
        return result
    }

    /// "2026-09:2,2026-10:1": how a timeline is stored.
    public static func encode(_ timeline: [Entry]) -> String {
        timeline.map { "\($0.month):\($0.standing.rawValue)" }.joined(separator: ",")
    }

    public static func decode(_ text: String) -> [Entry] {
        text.split(separator: ",").compactMap { part in
            let pieces = part.split(separator: ":")
            guard pieces.count == 2, let raw = Int(pieces[1]), let standing = Standing(rawValue: raw) else { return nil }
            return (String(pieces[0]), standing)
        }
    }
}
