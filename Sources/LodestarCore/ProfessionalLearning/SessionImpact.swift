/// What a professional learning session changed, in counts: how often its practices were seen in the
/// attendees' classrooms in the weeks before the session and in the weeks after, and the mastery of the
/// attendees' students on its standards before and now. A before/after comparison, not proof of cause;
/// the page says so.
public enum SessionImpact {
    /// Visits are compared over this many days on each side of the session.
    public static let windowDays = 60

    /// One walkthrough of an attendee: the session's practices it could have seen (not marked not
    /// applicable) and those it saw.
    public struct Visit: Sendable {
        public var teacher: String
        /// Seconds since 1970.
        public var observedAt: Int
        public var possible: Int
        public var seen: Int
        public init(teacher: String, observedAt: Int, possible: Int, seen: Int) {
            self.teacher = teacher; self.observedAt = observedAt; self.possible = possible; self.seen = seen
        }
    }

    public struct Practice: Sendable, Equatable {
        public var visits = 0
        public var teachers = 0
        /// Practice-visits: one for each of the session's practices a visit could have seen.
        public var possible = 0
        public var seen = 0
        public var share: Double? { possible > 0 ? Double(seen) / Double(possible) : nil }
        public init(visits: Int = 0, teachers: Int = 0, possible: Int = 0, seen: Int = 0) {
            self.visits = visits; self.teachers = teachers; self.possible = possible; self.seen = seen
        }
    }

    /// Visits to attendees in the `windowDays` before the session's start and in the `windowDays` from its
    /// end; visits without any of the session's practices possible do not count.
    public static func practice(_ visits: [Visit], attendees: Set<String>, start: Int, end: Int) -> (before: Practice, after: Practice) {
        let window = windowDays * 86_400
        func total(_ range: Range<Int>) -> Practice {
            let chosen = visits.filter { attendees.contains($0.teacher) && range.contains($0.observedAt) && $0.possible > 0 }
            return Practice(visits: chosen.count, teachers: Set(chosen.map(\.teacher)).count,
                            possible: chosen.reduce(0) { $0 + $1.possible }, seen: chosen.reduce(0) { $0 + $1.seen })
        }
        return (total((start - window)..<start), total(end..<(end + window)))
    }

    public struct Mastery: Sendable, Equatable {
        /// Distinct students with a result on any of the standards.
        public var students = 0
        /// Student-standard results, and those at or above mastery.
        public var results = 0
        public var atOrAbove = 0
        public var share: Double? { results > 0 ? Double(atOrAbove) / Double(results) : nil }
        public init(students: Int = 0, results: Int = 0, atOrAbove: Int = 0) { self.students = students; self.results = results; self.atOrAbove = atOrAbove }
    }

    /// Standing of each student on each standard as of the end of `beforeMonth` (the month before the
    /// session) and as of the end of `nowMonth`.
    public static func mastery(_ timelines: [(student: String, entries: [MasteryTimeline.Entry])], beforeMonth: String, nowMonth: String) -> (before: Mastery, now: Mastery) {
        func total(_ month: String) -> Mastery {
            var result = Mastery()
            var students: Set<String> = []
            for timeline in timelines {
                guard let standing = timeline.entries.last(where: { $0.month <= month })?.standing, standing != .notYet else { continue }
                students.insert(timeline.student)
                result.results += 1
                if standing == .atOrAbove { result.atOrAbove += 1 }
            }
            result.students = students.count
            return result
        }
        return (total(beforeMonth), total(nowMonth))
    }
}
