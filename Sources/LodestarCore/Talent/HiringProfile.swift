/// What the district looks for in a hire: criteria with a descriptor of what strong looks like. A committee rates
/// every candidate on every criterion at every step, with evidence.
public struct HiringProfile: Sendable, Equatable, Codable {
    public var name: String
    /// The role it is for (`StaffRole` raw value): a principal's profile describes a lead learner.
    public var role: String
    public var criteria: [Criterion]

    public struct Criterion: Sendable, Equatable, Codable {
        public var key: String
        public var name: String
        /// What strong looks like.
        public var descriptor: String
        public init(key: String, name: String, descriptor: String) { self.key = key; self.name = name; self.descriptor = descriptor }
    }

    public init(name: String, role: String, criteria: [Criterion]) { self.name = name; self.role = role; self.criteria = criteria }

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
