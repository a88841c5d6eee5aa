/// How a resource reached a school's students, group by group, against each group's share of enrollment and of need.
/// One rule, stated on the equity page and used everywhere the ledger speaks of equity:
/// - An allocation's amount is shared equally among the students it reaches (a whole school, a grade, a class, a
///   student group, an intervention group, a teacher's students).
/// - A group's share received is what its students received over what every student received.
/// - A student is in need when their latest standing is below mastery on at least half of the priority standards they
///   have a standing on (`inNeed`).
/// - A group's gap is its share of students in need minus all students' share in need, in points.
/// - A group is flagged when its gap is at least `flagPoints` (its students are in need clearly more often than all
///   students) and it received less than its share of need.
/// - A group under the small-group minimum is hidden, and within a partition one more when only one would be
///   (`SmallGroupRule.hidden`).
public enum ResourceEquity {
    /// A gap in need this wide, in points, or wider is worth a flag; a narrower one is noise at a school's scale.
    public static let flagPoints = 5.0

    /// Below mastery on at least half of the priority standards with a standing.
    public static func inNeed(below: Int, measured: Int) -> Bool { measured > 0 && 2 * below >= measured }

    public struct Student: Sendable {
        public var id: String
        /// `StudentGroup` keys the student belongs to.
        public var groups: [String]
        public var inNeed: Bool
        public init(id: String, groups: [String], inNeed: Bool) { self.id = id; self.groups = groups; self.inNeed = inNeed }
    }

    public struct Row: Sendable, Equatable {
        /// "all" or a `StudentGroup` key.
        public var group: String
        public var students: Int
        public var inNeed: Int
        public var received: Double
        public var shareOfEnrollment: Double
        /// Nil when no student of the school is in need.
        public var shareOfNeed: Double?
        /// Nil when nothing was received.
        public var shareReceived: Double?
        /// Points; nil for all students and when no student has a result.
        public var gap: Double?
        public var flagged: Bool
        /// Under the small-group minimum (or covering one that is): no number of it may be shown.
        public var hidden: Bool
    }

    /// Each allocation's amount shared equally among the students it reaches; an allocation reaching no student adds nothing.
    public static func received(_ allocations: [(amount: Double, students: [String])]) -> [String: Double] {
        var result: [String: Double] = [:]
        for allocation in allocations {
            let reached = Set(allocation.students)
            guard !reached.isEmpty else { continue }
            let each = allocation.amount / Double(reached.count)
            for student in reached { result[student, default: 0] += each }
        }
        return result
    }

    /// All students first, then each group with students, in `StudentGroup.all`'s order.
    public static func rows(students: [Student], received: [String: Double], rule: SmallGroupRule) -> [Row] {
        let total = students.reduce(0) { $0 + (received[$1.id] ?? 0) }
        let needy = students.filter(\.inNeed).count
        let allShareInNeed = students.isEmpty ? 0 : Double(needy) / Double(students.count)
        func row(_ key: String, _ members: [Student], hidden: Bool) -> Row {
            let inNeed = members.filter(\.inNeed).count
            let got = members.reduce(0) { $0 + (received[$1.id] ?? 0) }
            let shareOfNeed = needy > 0 ? Double(inNeed) / Double(needy) : nil
            let shareReceived = total > 0 ? got / total : nil
            let gap = key == "all" || members.isEmpty ? nil : (Double(inNeed) / Double(members.count) - allShareInNeed) * 100
            // A gap of exactly the threshold counts, whatever the last binary digit of the division says.
            let flagged = !hidden && (gap ?? 0) + 1e-9 >= flagPoints && shareOfNeed != nil && shareReceived != nil && shareReceived! < shareOfNeed!
            return Row(group: key, students: members.count, inNeed: inNeed, received: got,
                       shareOfEnrollment: students.isEmpty ? 0 : Double(members.count) / Double(students.count),
                       shareOfNeed: shareOfNeed, shareReceived: shareReceived, gap: gap, flagged: flagged, hidden: hidden)
        }
        var byGroup: [String: [Student]] = [:]
        for student in students { for group in student.groups { byGroup[group, default: []].append(student) } }
        var hidden = Set(byGroup.filter { !rule.allows($0.value.count) }.map(\.key))
        for partition in StudentGroup.partitionKeys {
            hidden.formUnion(rule.hidden(partition.map { (key: $0, students: byGroup[$0]?.count ?? 0) }))
        }
        return [row("all", students, hidden: false)]
            + StudentGroup.all.map(\.key).filter { byGroup[$0] != nil }.map { row($0, byGroup[$0]!, hidden: hidden.contains($0)) }
    }

    /// One school's resource beside its need, for the district's comparison of schools.
    public struct School: Sendable, Equatable {
        public var id: String
        public var students: Int
        public var inNeed: Int
        public var amount: Double
        public var perStudent: Double { students > 0 ? amount / Double(students) : 0 }
        public var shareInNeed: Double { students > 0 ? Double(inNeed) / Double(students) : 0 }
        public init(id: String, students: Int, inNeed: Int, amount: Double) { self.id = id; self.students = students; self.inNeed = inNeed; self.amount = amount }
    }

    /// Schools whose students are in need more often than the district's and that received less per student than the
    /// district: where a resource does not follow need.
    public static func schoolsBelowNeed(_ schools: [School]) -> Set<String> {
        let students = schools.reduce(0) { $0 + $1.students }
        guard students > 0 else { return [] }
        let perStudent = schools.reduce(0) { $0 + $1.amount } / Double(students)
        let shareInNeed = Double(schools.reduce(0) { $0 + $1.inNeed }) / Double(students)
        return Set(schools.filter { $0.students > 0 && $0.shareInNeed > shareInNeed && $0.perStudent < perStudent }.map(\.id))
    }
}
