/// An instructional framework: what a school agrees good teaching looks like, as domains of
/// observable indicators. Walkthroughs mark indicators against one version of a framework.
///
/// Frameworks travel as JSON (see `FrameworkJSON`); `Framework.lodestarDefault` is the one Lodestar ships.
public struct Framework: Sendable, Equatable, Codable {
    /// Stable identifier across versions, e.g. `lodestar-core`.
    public var key: String
    public var name: String
    public var description: String
    /// How every indicator is marked.
    public var scale: MarkScale
    public var domains: [Domain]

    public init(key: String, name: String, description: String, scale: MarkScale, domains: [Domain]) {
        self.key = key; self.name = name; self.description = description; self.scale = scale; self.domains = domains
    }

    public struct Domain: Sendable, Equatable, Codable {
        public var key: String
        public var name: String
        public var indicators: [Indicator]

        public init(key: String, name: String, indicators: [Indicator]) {
            self.key = key; self.name = name; self.indicators = indicators
        }
    }

    public struct Indicator: Sendable, Equatable, Codable {
        /// Unique within the framework; kept across versions so trends can follow an indicator.
        public var key: String
        public var shortName: String
        public var description: String
        /// What an observer can see or hear in the room.
        public var lookFors: [String]
        /// Reflective questions for the teacher: coaching, not judging.
        public var questions: [String]

        public init(key: String, shortName: String, description: String, lookFors: [String], questions: [String]) {
            self.key = key; self.shortName = shortName; self.description = description
            self.lookFors = lookFors; self.questions = questions
        }
    }

    public var indicators: [Indicator] { domains.flatMap(\.indicators) }

    public func indicator(_ key: String) -> Indicator? { indicators.first { $0.key == key } }
}

/// How an indicator is marked during a walkthrough.
public enum MarkScale: Sendable, Equatable, Codable {
    /// observed / not observed / not applicable.
    case observation
    /// A scale the framework defines, lowest first, e.g. ["Beginning", "Developing", "Established"].
    case rating(levels: [String])

    /// The marks an observer can choose, as stored.
    public var marks: [String] {
        switch self {
        case .observation: ["observed", "not_observed", "not_applicable"]
        case .rating(let levels): levels + ["not_applicable"]
        }
    }

    /// A label for a stored mark.
    public func label(_ mark: String) -> String {
        switch mark {
        case "observed": "Observed"
        case "not_observed": "Not observed"
        case "not_applicable": "Not applicable"
        default: mark
        }
    }

    /// True when the mark counts as the practice being seen (for "share observed" trends).
    public func isSeen(_ mark: String) -> Bool {
        switch self {
        case .observation: mark == "observed"
        case .rating(let levels): levels.count > 1 && levels.dropFirst().contains(mark)
        }
    }

    private enum CodingKeys: String, CodingKey { case type, levels }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "observation": self = .observation
        case "rating": self = .rating(levels: try container.decode([String].self, forKey: .levels))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container,
                                                   debugDescription: "expected \"observation\" or \"rating\", found \"\(other)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .observation: try container.encode("observation", forKey: .type)
        case .rating(let levels):
            try container.encode("rating", forKey: .type)
            try container.encode(levels, forKey: .levels)
        }
    }
}
