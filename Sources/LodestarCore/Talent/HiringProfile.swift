import Foundation

/// What the district looks for in a hire: criteria with a descriptor of what strong looks like. A committee rates
/// every candidate on every criterion at every step, with evidence.
public struct HiringProfile: Sendable, Equatable, Codable {
    public var name: String
    /// The role it is for (`StaffRole` raw value): a principal's profile describes a lead learner.
    public var role: String
    public var criteria: [Criterion]
    /// The steps an opening hired against this profile goes through, in order.
    public var steps: [String]

    public struct Criterion: Sendable, Equatable, Codable {
        public var key: String
        public var name: String
        /// What strong looks like.
        public var descriptor: String
        public init(key: String, name: String, descriptor: String) { self.key = key; self.name = name; self.descriptor = descriptor }
    }

    public init(name: String, role: String, criteria: [Criterion], steps: [String] = HiringProfile.defaultSteps) {
        self.name = name; self.role = role; self.criteria = criteria; self.steps = steps
    }

    enum CodingKeys: String, CodingKey { case name, role, criteria, steps }

    /// Profiles stored before steps were part of them take the default steps.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name), role: try container.decode(String.self, forKey: .role),
                  criteria: try container.decode([Criterion].self, forKey: .criteria),
                  steps: try container.decodeIfPresent([String].self, forKey: .steps) ?? HiringProfile.defaultSteps)
    }

    /// The levels a committee member gives a criterion, lowest first.
    public static let levels = ["Not seen", "Emerging", "Solid", "Strong"]

    /// The steps every opening has, in order.
    public static let defaultSteps = ["Screening", "Interview", "Demonstration lesson"]

    /// Lodestar's own profiles, in our words.
    public static let lodestarDefaults: [HiringProfile] = [
        HiringProfile(name: "Lead learner (principal)", role: "principal", criteria: [
            .init(key: "instructional-vision", name: "A vision of learning", descriptor: "Describes the learning they want for every student and how a school gets there, with examples from their own work."),
            .init(key: "leads-learning", name: "Leads adult learning", descriptor: "Has led teachers through cycles of observation, feedback and practice, and can show what changed in classrooms."),
            .init(key: "uses-evidence", name: "Uses evidence", descriptor: "Reads student and classroom data to set goals, and adjusts plans when the evidence says so."),
            .init(key: "builds-teams", name: "Builds a leadership team", descriptor: "Shares leadership with assistant principals, coaches and teacher leaders, and grows the next leaders."),
            .init(key: "equity", name: "Serves every student", descriptor: "Notices which students are not served and moves time, people and money to them."),
            .init(key: "community", name: "Works with families and community", descriptor: "Builds trust with families and partners, and brings them into the school's goals."),
        ]),
        HiringProfile(name: "Teacher", role: "teacher", criteria: [
            .init(key: "knows-content", name: "Knows the content and standards", descriptor: "Plans lessons from the standards and knows where students typically struggle."),
            .init(key: "checks-understanding", name: "Checks for understanding", descriptor: "Checks what students learned during the lesson and changes course from it."),
            .init(key: "engages-students", name: "Engages every student", descriptor: "Gets every student thinking and talking about the work, not only the volunteers."),
            .init(key: "takes-feedback", name: "Learns from feedback", descriptor: "Takes feedback on the demonstration lesson and uses it in the next attempt."),
            .init(key: "collaborates", name: "Works in a team", descriptor: "Describes planning with colleagues and sharing student work in a team."),
        ]),
    ]
}

/// A profile as a district admin or leader writes it on the profiles page: a name, one step per line, and one criterion
/// per line as "Name: what strong looks like". A bad line is refused with its field and line, and nothing is saved.
extension HiringProfile {
    public struct FormError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public static let limits = (name: 120, steps: 8, stepName: 80, criteria: 12, criterionName: 80, descriptor: 400)

    public static func fromForm(role: String, name: String, steps: String, criteria: String) throws -> HiringProfile {
        let l = limits
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= l.name else { throw FormError(description: "Name the profile (up to \(l.name) characters).") }
        var stepNames: [String] = []
        for (index, line) in steps.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let step = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if step.isEmpty { continue }
            guard step.count <= l.stepName else { throw FormError(description: "Steps, line \(index + 1): a step's name is at most \(l.stepName) characters.") }
            guard !stepNames.contains(where: { $0.lowercased() == step.lowercased() }) else { throw FormError(description: "Steps, line \(index + 1): “\(step)” is already a step.") }
            stepNames.append(step)
        }
        guard (1...l.steps).contains(stepNames.count) else { throw FormError(description: "Steps: write one to \(l.steps) steps, one per line.") }
        var list: [Criterion] = []
        for (index, line) in criteria.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            guard let colon = text.firstIndex(of: ":") else {
                throw FormError(description: "Criteria, line \(index + 1): write the criterion's name, a colon, then what strong looks like.")
            }
            let criterion = text[..<colon].trimmingCharacters(in: .whitespaces), descriptor = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !criterion.isEmpty, criterion.count <= l.criterionName, !descriptor.isEmpty, descriptor.count <= l.descriptor else {
                throw FormError(description: "Criteria, line \(index + 1): a name of up to \(l.criterionName) characters and a description of up to \(l.descriptor), both needed.")
            }
            let key = Self.key(criterion)
            guard !key.isEmpty, !list.contains(where: { $0.key == key }) else { throw FormError(description: "Criteria, line \(index + 1): “\(criterion)” is already a criterion.") }
            list.append(Criterion(key: key, name: criterion, descriptor: descriptor))
        }
        guard (1...l.criteria).contains(list.count) else { throw FormError(description: "Criteria: write one to \(l.criteria) criteria, one per line.") }
        return HiringProfile(name: name, role: role, criteria: list, steps: stepNames)
    }

    /// The criteria as the form shows them, one per line.
    public var criteriaText: String { criteria.map { "\($0.name): \($0.descriptor)" }.joined(separator: "\n") }

    /// "Uses evidence" → "uses-evidence": the key ratings are stored under in an opening's copy of the profile.
    static func key(_ name: String) -> String {
        let words = name.lowercased().unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : " " }
        return String(words).split(separator: " ").joined(separator: "-")
    }
}
