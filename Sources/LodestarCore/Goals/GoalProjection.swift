/// Where a SMART goal is heading: a least-squares line through its measurements (baseline included),
/// projected to the deadline, and a status by a rule people can read.
///
/// Rule: on track when the projected value reaches the target by the deadline; at risk when it gets at
/// least 80% of the way from the baseline to the target; off track otherwise. With fewer than two
/// measurements there is no trend yet.
public struct GoalProjection: Sendable, Equatable {
    public enum Status: String, Sendable {
        case onTrack = "on track", atRisk = "at risk", offTrack = "off track", notEnoughData = "not enough data"
    }

    /// A measurement: when (seconds since 1970, or any consistent unit) and the metric's value.
    public struct Point: Sendable, Equatable {
        public var time: Double
        public var value: Double
        public init(time: Double, value: Double) { self.time = time; self.value = value }
    }

    public static let rule = "On track when the trend of the measurements so far reaches the target by the deadline; at risk when it gets at least 80% of the way from the baseline; off track otherwise."
    public static let atRiskShare = 0.8

    public var projected: Double?
    /// The trend line: its value at `anchorTime` and its change per unit of time.
    public var anchorTime: Double = 0, anchorValue: Double = 0, slope: Double = 0
    /// Share of the way from baseline to target the projection reaches (1 = exactly the target).
    public var progressShare: Double?
    public var status: Status

    /// The trend line's value at `time` (nil without a trend).
    public func trend(at time: Double) -> Double? {
        projected == nil ? nil : anchorValue + slope * (time - anchorTime)
    }

    /// - Parameters:
    ///   - baseline: the value when the goal was set.
    ///   - points: measurements in any order; the baseline should be among them.
    public init(baseline: Double, target: Double, deadline: Double, points: [Point]) {
        guard points.count >= 2, target != baseline else {
            projected = nil; progressShare = nil; status = .notEnoughData
            return
        }
        let n = Double(points.count)
        let meanT = points.reduce(0) { $0 + $1.time } / n, meanV = points.reduce(0) { $0 + $1.value } / n
        let stt = points.reduce(0) { $0 + ($1.time - meanT) * ($1.time - meanT) }
        guard stt > 0 else {
            projected = nil; progressShare = nil; status = .notEnoughData
            return
        }
        let slope = points.reduce(0) { $0 + ($1.time - meanT) * ($1.value - meanV) } / stt
        let value = meanV + slope * (deadline - meanT)
        (anchorTime, anchorValue, self.slope) = (meanT, meanV, slope)
        projected = value
        let share = (value - baseline) / (target - baseline)
        progressShare = share
        status = share >= 1 - 1e-9 ? .onTrack : share >= Self.atRiskShare ? .atRisk : .offTrack
    }
}
