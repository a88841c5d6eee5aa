/// Why the district made a standard a priority — the standards that get more time, common assessments and
/// reteaching. A priority standard has at least one reason.
public enum PriorityReason: String, Sendable, CaseIterable, Codable {
    case endurance, leverage, readiness

    public var label: String {
        switch self {
        case .endurance: "Endurance"
        case .leverage: "Leverage"
        case .readiness: "Readiness"
        }
    }

    /// What the reason means, in our words, shown beside the choice.
    public var meaning: String {
        switch self {
        case .endurance: "students keep it well beyond the test"
        case .leverage: "it is used across subjects"
        case .readiness: "the next grade or course builds on it"
        }
    }

    /// The longest note a priority may carry.
    public static let noteLimit = 300

    /// Reasons from a form's values, in their order here; nil when one is unknown or none is given.
    public static func parse(_ values: [String]) -> [PriorityReason]? {
        let reasons = values.map { PriorityReason(rawValue: $0) }
        guard !reasons.isEmpty, !reasons.contains(nil) else { return nil }
        return allCases.filter(Set(reasons.compactMap { $0 }).contains)
    }
}
