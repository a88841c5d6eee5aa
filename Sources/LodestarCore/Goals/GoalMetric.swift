import Foundation

/// What a SMART goal measures, chosen from a list and computed from Lodestar's own data (or entered
/// by hand). Stored with the goal as JSON; the server computes its value as of any day.
public struct GoalMetric: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Share of students at or above mastery on a set of standards.
        case mastery
        /// Share of walkthroughs in which an indicator was observed.
        case indicatorObserved = "indicator_observed"
        /// Median hours from a visit to the feedback reaching the teacher.
        case hoursToFeedback = "hours_to_feedback"
        /// Share of school leaders' recorded time spent on instruction.
        case instructionalTime = "instructional_time"
        /// Values entered by hand, with dates.
        case manual

        public var label: String {
            switch self {
            case .mastery: "Students at or above mastery on standards"
            case .indicatorObserved: "Walkthroughs where a practice was observed"
            case .hoursToFeedback: "Hours from visit to feedback"
            case .instructionalTime: "Leaders' time on instruction"
            case .manual: "Values entered by hand"
            }
        }
    }

    /// Walkthroughs, feedback and leaders' time are measured over the days up to each measurement.
    public static let trailingDays = 30

    /// When computed measures are taken, said once on every goal page.
    public static let schedule = "Measured on the day the goal was set (the baseline), then every two weeks and as of the end of yesterday; each measurement is kept as it was taken."

    public var kind: Kind
    /// Mastery: the standards (ids, which also fix the subject) and, optionally, a grade and a student group key.
    public var standardIds: [String]
    public var grade: String?
    public var group: String?
    /// Indicator observed: the framework indicator's key.
    public var indicatorKey: String?
    /// Manual: the unit values are in ("%", "students", "visits").
    public var unit: String?

    public init(kind: Kind, standardIds: [String] = [], grade: String? = nil, group: String? = nil,
                indicatorKey: String? = nil, unit: String? = nil) {
        self.kind = kind; self.standardIds = standardIds; self.grade = grade
        self.group = group; self.indicatorKey = indicatorKey; self.unit = unit
    }

    /// The unit shown after values: percentages for shares, hours for feedback.
    public var displayUnit: String {
        switch kind {
        case .mastery, .indicatorObserved, .instructionalTime: "%"
        case .hoursToFeedback: " hours"
        case .manual: unit.map { $0 == "%" ? "%" : " \($0)" } ?? ""
        }
    }

    /// Checks the definition is complete, naming what is missing.
    public func validate() throws(LodestarError) {
        switch kind {
        case .mastery where standardIds.isEmpty:
            throw LodestarError("choose at least one standard for the mastery measure")
        case .mastery where group.map { StudentGroup(key: $0) == nil } == true:
            throw LodestarError("that student group is not one Lodestar knows")
        case .indicatorObserved where (indicatorKey ?? "").isEmpty:
            throw LodestarError("choose the practice (framework indicator) to count")
        default: break
        }
    }

    /// A sentence saying exactly how the number is computed, shown next to every chart.
    public var definition: String {
        switch kind {
        case .mastery:
            "Of the students in scope with at least one score on the chosen standards, the percentage whose mastery (by the school's mastery method, from the scores dated on or before the day) averaged over those standards is at or above the scale's mastery level."
        case .indicatorObserved:
            "Of the walkthroughs in scope in the \(Self.trailingDays) days up to the day that looked for the practice (marked it seen or not seen), the percentage that saw it. Walkthroughs that left it unmarked (not looked for), marked it not applicable, or whose framework lacks it are left out."
        case .hoursToFeedback:
            "The median number of hours between a visit and its feedback reaching the teacher, over the walkthroughs in scope in the \(Self.trailingDays) days up to the day whose feedback was shared."
        case .instructionalTime:
            "Of the time recorded by the principals and assistant principals in scope in the \(Self.trailingDays) days up to the day, the percentage in instructional categories."
        case .manual:
            "Values entered by the goal's owner, with the day each describes."
        }
    }
}

/// The at-or-above rule shared by mastery goals and the reading tracker: a student is at or above
/// when the mean of their mastery values on the standards reaches the mean of those standards'
/// mastery levels (the scales may differ per standard).
public enum MasteryShare {
    /// `results`: the student's mastery value on each standard with evidence, and the mastery level of its scale.
    public static func isAtOrAbove(_ results: [(value: Double, mastery: Double)]) -> Bool? {
        guard !results.isEmpty else { return nil }
        return results.map(\.value).reduce(0, +) >= results.map(\.mastery).reduce(0, +) - 1e-9
    }
}
