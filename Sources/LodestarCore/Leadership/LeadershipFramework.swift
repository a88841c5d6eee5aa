/// What a district agrees instructional leadership looks like: dimensions of indicators, each with guiding
/// questions a leadership team answers with evidence, a rubric of levels, and the measures Lodestar already
/// computes that speak to it. A school's leadership team rates itself against one version of it each year.
///
/// Leadership frameworks travel as JSON (`LeadershipFrameworkJSON`); `LeadershipFramework.lodestarDefault` is ours.
public struct LeadershipFramework: Sendable, Equatable, Codable {
    /// Stable across versions, e.g. `lodestar-leadership`.
    public var key: String
    public var name: String
    public var description: String
    /// The rubric's levels, lowest first (e.g. Beginning … Leading); every indicator describes each one.
    public var levels: [String]
    public var dimensions: [Dimension]

    public init(key: String, name: String, description: String, levels: [String], dimensions: [Dimension]) {
        self.key = key; self.name = name; self.description = description; self.levels = levels; self.dimensions = dimensions
    }

    public struct Dimension: Sendable, Equatable, Codable {
        public var key: String
        public var name: String
        public var indicators: [Indicator]

        public init(key: String, name: String, indicators: [Indicator]) {
            self.key = key; self.name = name; self.indicators = indicators
        }
    }

    public struct Indicator: Sendable, Equatable, Codable {
        /// Unique within the framework and kept across versions, so ratings can be compared year over year.
        public var key: String
        public var name: String
        public var description: String
        /// The questions the team answers with evidence.
        public var questions: [String]
        /// One descriptor per level, in the order of `levels`.
        public var rubric: [String]
        /// The measures shown beside the team's answer (`LeadershipMeasure` keys).
        public var evidence: [String]

        public init(key: String, name: String, description: String, questions: [String], rubric: [String], evidence: [String]) {
            self.key = key; self.name = name; self.description = description; self.questions = questions
            self.rubric = rubric; self.evidence = evidence
        }

        public var measures: [LeadershipMeasure] { evidence.compactMap(LeadershipMeasure.init(rawValue:)) }
    }

    public var indicators: [Indicator] { dimensions.flatMap(\.indicators) }

    public func indicator(_ key: String) -> Indicator? { indicators.first { $0.key == key } }

    public func dimension(of indicatorKey: String) -> Dimension? {
        dimensions.first { $0.indicators.contains { $0.key == indicatorKey } }
    }

    /// "2 · Developing" for a stored level (1 is the lowest).
    public func label(level: Int) -> String {
        levels.indices.contains(level - 1) ? "\(level) · \(levels[level - 1])" : "—"
    }
}

/// The numbers Lodestar already computes that a framework may bind to an indicator. Each is computed by the
/// feature that owns it, by the rule of the page it links to, for one school.
public enum LeadershipMeasure: String, Sendable, CaseIterable, Codable {
    case goals
    case visitsAndFeedback = "visits-and-feedback"
    case assessmentFrequency = "assessment-frequency"
    case learningAndEquity = "learning-and-equity"
    case practiceTrends = "practice-trends"
    case professionalLearning = "professional-learning"
    case leaderTime = "leader-time"
    case plcCycles = "plc-cycles"
    case coaching
    case resources
    case hiring
    case induction
    case succession

    public var title: String {
        switch self {
        case .goals: "School goals and their status"
        case .visitsAndFeedback: "Walkthroughs and feedback, last 30 days"
        case .assessmentFrequency: "Formative assessment per class, last 30 days"
        case .learningAndEquity: "Mastery trends and equity gaps, this school year"
        case .practiceTrends: "Practices seen in walkthroughs, this school year"
        case .professionalLearning: "Professional learning this school year"
        case .leaderTime: "School leaders' time on teaching and learning, last four full weeks"
        case .plcCycles: "PLCs and their cycles of inquiry"
        case .coaching: "Coaching caseloads and conversations, last 30 days"
        case .resources: "Resources allocated this school year, and who received them"
        case .hiring: "Hiring this school year"
        case .induction: "Induction of new teachers this school year"
        case .succession: "Who could step into each leadership role"
        }
    }
}
