import Foundation

/// How a student's scores on one standard become one mastery value. Chosen by the district, with
/// a per-school override. Scores are given in attempt order: by assessment date, then entry time.
public enum MasteryMethod: Sendable, Equatable, Codable, Hashable {
    /// The latest score.
    case mostRecent
    /// The best score.
    case highest
    /// The mean of all scores.
    case mean
    /// The most frequent score; ties broken by the rule given.
    case mode(tieBreak: ModeTieBreak)
    /// The mean of the latest `count` scores.
    case mostRecentMean(count: Int)
    /// Once at least `count` scores are at or above mastery, the mean of those scores; before that, not yet.
    case nTimes(count: Int)
    /// weight × latest + (1 − weight) × mean of the earlier scores.
    case weightedAverage(weight: Double)
    /// D₁ = x₁, Dₖ = (1 − weight) Dₖ₋₁ + weight xₖ.
    case decayingAverage(weight: Double)
    /// Least-squares fit of ln y = ln a + b ln x over attempts x = 1…n, reported at x = n; needs three scores.
    case powerLaw

    public enum ModeTieBreak: String, Sendable, Codable, CaseIterable, Hashable {
        /// Of the tied values, the highest.
        case highest
        /// Of the tied values, the one scored most recently.
        case mostRecent
        /// Of the tied values, the lowest.
        case lowest
    }

    /// The default weight for weighted and decaying averages.
    public static let defaultWeight = 0.65

    /// What the method says about a student's scores on a standard.
    public enum Result: Sendable, Equatable {
        case value(Double)
        /// Some evidence, but the method cannot say yet (n-times before n, power law before three scores).
        case notYet
        case noEvidence

        public var value: Double? { if case .value(let v) = self { v } else { nil } }
    }

    /// Applies the method to `scores` (attempt order), clamped to `scale`.
    public func calculate(_ scores: [Double], on scale: ProficiencyScale) -> Result {
        guard let latest = scores.last else { return .noEvidence }
        let value: Double
        switch self {
        case .mostRecent:
            value = latest
        case .highest:
            value = scores.max()!
        case .mean:
            value = Self.mean(scores)
        case .mode(let tieBreak):
            var counts: [Double: Int] = [:]
            for score in scores { counts[score, default: 0] += 1 }
            let top = counts.values.max()!
            let tied = counts.filter { $0.value == top }.map(\.key)
            switch tieBreak {
            case .highest: value = tied.max()!
            case .lowest: value = tied.min()!
            case .mostRecent: value = scores.last { tied.contains($0) }!
            }
        case .mostRecentMean(let count):
            value = Self.mean(Array(scores.suffix(max(1, count))))
        case .nTimes(let count):
            let mastered = scores.filter { $0 >= scale.masteryValue - 1e-9 }
            guard mastered.count >= max(1, count) else { return .notYet }
            value = Self.mean(mastered)
        case .weightedAverage(let weight):
            guard scores.count > 1 else { value = latest; break }
            value = weight * latest + (1 - weight) * Self.mean(Array(scores.dropLast()))
        case .decayingAverage(let weight):
            value = scores.dropFirst().reduce(scores[0]) { (1 - weight) * $0 + weight * $1 }
        case .powerLaw:
            guard scores.count >= 3 else { return .notYet }
            // Scores of zero have no logarithm; the fit uses a floor just above zero.
            let xs = (1...scores.count).map { log(Double($0)) }
            let ys = scores.map { log(max($0, 0.01)) }
            let n = Double(scores.count)
            let meanX = xs.reduce(0, +) / n, meanY = ys.reduce(0, +) / n
            let sxy = zip(xs, ys).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
            let sxx = xs.reduce(0) { $0 + ($1 - meanX) * ($1 - meanX) }
            let b = sxy / sxx
            let lnA = meanY - b * meanX
            value = exp(lnA + b * log(n))
        }
        return .value(scale.clamp(value))
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// For people: "Decaying average (weight 0.65)".
    public var label: String {
        switch self {
        case .mostRecent: "Most recent score"
        case .highest: "Highest score"
        case .mean: "Mean of all scores"
        case .mode(let tie): "Most frequent score (ties: \(tie == .highest ? "highest" : tie == .lowest ? "lowest" : "most recent"))"
        case .mostRecentMean(let count): "Mean of the \(count) most recent scores"
        case .nTimes(let count): "Mastered \(count) times"
        case .weightedAverage(let weight): "Weighted average (latest weighs \(weight.formatted(.number.precision(.fractionLength(0...2)))))"
        case .decayingAverage(let weight): "Decaying average (weight \(weight.formatted(.number.precision(.fractionLength(0...2)))))"
        case .powerLaw: "Power law (trend of at least three scores)"
        }
    }
}

extension MasteryMethod {
    /// The methods as a settings form offers them, by key.
    public static let formKeys: [(key: String, label: String)] = [
        ("decaying", "Decaying average"), ("weighted", "Weighted average"), ("most_recent", "Most recent score"),
        ("recent_mean", "Mean of the most recent scores"), ("highest", "Highest score"), ("mean", "Mean of all scores"),
        ("mode", "Most frequent score"), ("n_times", "Mastered n times"), ("power_law", "Power law"),
    ]

    public var formKey: String {
        switch self {
        case .mostRecent: "most_recent"
        case .highest: "highest"
        case .mean: "mean"
        case .mode: "mode"
        case .mostRecentMean: "recent_mean"
        case .nTimes: "n_times"
        case .weightedAverage: "weighted"
        case .decayingAverage: "decaying"
        case .powerLaw: "power_law"
        }
    }

    /// Builds a method from the settings form; only the fields the method uses are read.
    public init(formKey: String, tieBreak: String?, count: Int?, weight: Double?) throws(LodestarError) {
        func needCount() throws(LodestarError) -> Int {
            guard let count, (1...20).contains(count) else { throw LodestarError("give a number of scores from 1 to 20") }
            return count
        }
        func needWeight() throws(LodestarError) -> Double {
            guard let weight, weight > 0, weight < 1 else { throw LodestarError("give a weight between 0 and 1, such as 0.65") }
            return weight
        }
        switch formKey {
        case "most_recent": self = .mostRecent
        case "highest": self = .highest
        case "mean": self = .mean
        case "mode":
            guard let tie = ModeTieBreak(rawValue: tieBreak ?? "") else { throw LodestarError("choose how ties are broken") }
            self = .mode(tieBreak: tie)
        case "recent_mean": self = .mostRecentMean(count: try needCount())
        case "n_times": self = .nTimes(count: try needCount())
        case "weighted": self = .weightedAverage(weight: try needWeight())
        case "decaying": self = .decayingAverage(weight: try needWeight())
        case "power_law": self = .powerLaw
        default: throw LodestarError("choose a mastery method from the list")
        }
    }
}
