/// What a professional learning session changed, in counts: how often its practices were seen in the
/// attendees' classrooms in the weeks before the session and in the weeks after, and the mastery of the
/// attendees' students on its standards before and now. A before/after comparison, not proof of cause;
/// the page says so.
public enum SessionImpact {
    /// Visits are compared over this many days on each side of the session.
    public static let windowDays = 60

    /// One walkthrough of an attendee and what it marked on the session's practices (`PracticeCount`).
    public struct Visit: Sendable {
        public var teacher: String
        /// Seconds since 1970.
        public var observedAt: Int
        public var practice: PracticeCount
        public init(teacher: String, observedAt: Int, practice: PracticeCount) {
            self.teacher = teacher; self.observedAt = observedAt; self.practice = practice
        }
    }

    public struct Practice: Sendable, Equatable {
        /// Visits that looked for at least one of the session's practices, and their teachers.
        public var visits = 0
        public var teachers = 0
        /// Practice-visits: one for each of the session's practices a visit marked (or left unmarked).
        public var practice = PracticeCount()
        public var share: Double? { practice.share }
        public init(visits: Int = 0, teachers: Int = 0, practice: PracticeCount = PracticeCount()) {
            self.visits = visits; self.teachers = teachers; self.practice = practice
        }
    }

    /// Visits to attendees in the `windowDays` before the session's start and in the `windowDays` from its
    /// end; visits that looked for none of the session's practices count only as not looking for them.
    public static func practice(_ visits: [Visit], attendees: Set<String>, start: Int, end: Int) -> (before: Practice, after: Practice) {
        let window = windowDays * 86_400
        func total(_ range: Range<Int>) -> Practice {
            let inRange = visits.filter { attendees.contains($0.teacher) && range.contains($0.observedAt) }
            let looked = inRange.filter { $0.practice.lookedFor > 0 }
            return Practice(visits: looked.count, teachers: Set(looked.map(\.teacher)).count,
                            practice: inRange.reduce(PracticeCount()) { $0 + $1.practice })
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
