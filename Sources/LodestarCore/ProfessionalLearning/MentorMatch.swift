/// Mentors suggested from evidence, one practice at a time: a teacher whose walkthroughs often show the
/// practice and whose classes grow well is suggested to a colleague growing in it. A leader confirms
/// each pairing; nothing is paired automatically.
public enum MentorMatch {
    /// A mentor's visits saw the practice in at least this share of at least `minimumVisits` visits that
    /// looked for it (`PracticeCount`)…
    public static let strongShare = PracticeAndGrowth.often
    /// …and a teacher is growing in it when it was seen in at most this share (or it is their growth goal).
    public static let growingShare = PracticeAndGrowth.rarely
    public static let minimumVisits = PracticeAndGrowth.minimumVisits
    /// A mentor is suggested to at most this many colleagues per practice.
    public static let menteesPerMentor = 2

    public struct Suggestion: Sendable, Equatable {
        public var mentor: String
        public var mentee: String
        public var mentorPractice: PracticeCount
        public var menteePractice: PracticeCount?
        public var mentorGrowth: Double
        /// The mentee chose the practice as their growth goal.
        public var menteeGoal: Bool
    }

    /// Strong growth: the mean growth of the teacher's classes is positive and at least the median of all
    /// teachers with measured classes in the school.
    public static func strongGrowth(_ growth: [String: Double]) -> Set<String> {
        let values = growth.values.sorted()
        guard !values.isEmpty else { return [] }
        let median = values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
        return Set(growth.filter { $0.value > 0 && $0.value >= median - 1e-9 }.keys)
    }

    /// Suggestions for one practice.
    /// - Parameters:
    ///   - practice: each teacher's visits that looked for the practice, and those that saw it.
    ///   - growth: each teacher's mean class growth in points (teachers without measured classes absent).
    ///   - goals: teachers whose growth goal names the practice.
    ///   - paired: mentees already paired for this practice (not suggested again).
    /// Mentees in order of least seen (goal holders without visits last), each given the mentor with the
    /// highest share, then growth, then id, who has room.
    public static func suggestions(practice: [String: PracticeCount], growth: [String: Double],
                                   goals: Set<String>, paired: Set<String> = []) -> [Suggestion] {
        func share(_ p: PracticeCount) -> Double { p.share ?? 0 }
        let strong = strongGrowth(growth)
        let mentors = practice.filter { $0.value.lookedFor >= minimumVisits && share($0.value) >= strongShare - 1e-9 && strong.contains($0.key) }
            .sorted { (share($0.value), growth[$0.key]!, $1.key) > (share($1.value), growth[$1.key]!, $0.key) }
        let growing = practice.filter { $0.value.lookedFor >= minimumVisits && share($0.value) <= growingShare + 1e-9 }.map(\.key)
        let mentees = Set(growing).union(goals).subtracting(paired).subtracting(mentors.map(\.key)).sorted { a, b in
            (practice[a]?.share ?? 2, a) < (practice[b]?.share ?? 2, b)
        }
        var taken: [String: Int] = [:]
        var result: [Suggestion] = []
        for mentee in mentees {
            guard let mentor = mentors.first(where: { $0.key != mentee && taken[$0.key, default: 0] < menteesPerMentor }) else { break }
            taken[mentor.key, default: 0] += 1
            result.append(Suggestion(mentor: mentor.key, mentee: mentee, mentorPractice: mentor.value, menteePractice: practice[mentee],
                                     mentorGrowth: growth[mentor.key]!, menteeGoal: goals.contains(mentee)))
        }
        return result
    }
}
