/// How well feedback closes the loop for a set of walkthroughs: how fast it reaches teachers and how
/// often teachers answer. About the observers' practice, never a measure of a teacher.
public struct FeedbackLoop: Sendable, Equatable {
    public struct Visit: Sendable {
        public var observedAt: Double
        public var sharedAt: Double?
        public var replied: Bool

        public init(observedAt: Double, sharedAt: Double?, replied: Bool) {
            self.observedAt = observedAt; self.sharedAt = sharedAt; self.replied = replied
        }
    }

    public var visits: Int
    public var shared: Int
    /// Median hours from visit to shared feedback, over shared visits.
    public var medianHoursToFeedback: Double?
    /// Share of shared feedback sent within 24 hours (0…1).
    public var sharedWithinADay: Double?
    /// Share of shared feedback with at least one teacher reply (0…1).
    public var replyRate: Double?

    /// Figures already counted (by a database query).
    public init(visits: Int, shared: Int, medianHoursToFeedback: Double?, sharedWithinADay: Double?, replyRate: Double?) {
        self.visits = visits; self.shared = shared; self.medianHoursToFeedback = medianHoursToFeedback
        self.sharedWithinADay = sharedWithinADay; self.replyRate = replyRate
    }

    public init(_ visits: [Visit]) {
        self.visits = visits.count
        let shared = visits.filter { $0.sharedAt != nil }
        self.shared = shared.count
        guard !shared.isEmpty else { return }
        let waits = shared.map { $0.sharedAt! - $0.observedAt }
        medianHoursToFeedback = Self.medianHours(ofWaits: waits)
        sharedWithinADay = Double(waits.filter { $0 <= 86_400 }.count) / Double(waits.count)
        replyRate = Double(shared.filter(\.replied).count) / Double(shared.count)
    }

    /// The median time to feedback, in hours, of waits in seconds: the middle wait, or the mean of the middle two.
    /// Feedback shared before the visit's recorded time counts as immediate. Nil when nothing was shared.
    public static func medianHours(ofWaits waits: [Double]) -> Double? {
        guard !waits.isEmpty else { return nil }
        let sorted = waits.map { max(0, $0) }.sorted(), middle = sorted.count / 2
        return (sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2) / 3_600
    }
}

/// The school day's periods, for suggesting which class a teacher is teaching right now.
public struct BellSchedule: Sendable, Codable, Equatable {
    public struct Period: Sendable, Codable, Equatable {
        public var name: String
        /// Minutes after midnight, local school time.
        public var start: Int
        public var end: Int
    }

    public var periods: [Period]

    /// The schedule the demo district keeps: six periods with lunch after the fourth.
    public static let standard = BellSchedule(periods: [
        Period(name: "1", start: 8 * 60, end: 8 * 60 + 50), Period(name: "2", start: 8 * 60 + 55, end: 9 * 60 + 45),
        Period(name: "3", start: 9 * 60 + 50, end: 10 * 60 + 40), Period(name: "4", start: 10 * 60 + 45, end: 11 * 60 + 35),
        Period(name: "5", start: 12 * 60 + 15, end: 13 * 60 + 5), Period(name: "6", start: 13 * 60 + 10, end: 14 * 60),
    ])

    /// The period running at `minute` (or starting within five minutes, for a visit during passing time).
    public func period(atMinute minute: Int) -> String? {
        periods.first { minute >= $0.start - 5 && minute < $0.end }?.name
    }
}
