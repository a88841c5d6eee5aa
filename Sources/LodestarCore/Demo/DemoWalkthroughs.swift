import Foundation

/// A year of walkthroughs for a demo district, up to a reference day: leaders' visits with marks on
/// the default framework, feedback (usually shared within hours), teachers' replies, coaching caseloads.
///
/// Patterns are deliberate: routines and learning targets are commonly seen, discourse and
/// culturally responsive practice rarely; schools differ; teachers differ with their strength (as their
/// classes' growth does: `DemoDistrict.teacherStrength`); practice improves a little over the year.
/// Visits fall on school days (`DemoCalendar`).
/// Deterministic for a district, seed and reference day.
public struct DemoWalkthroughs: Sendable {
    public struct Visit: Sendable, Equatable {
        public var id: String
        public var observerId: String
        public var teacherId: String
        public var classId: String?
        public var schoolId: String
        public var visitType: VisitType
        public var announced: Bool
        public var observedAt: Int
        public var studentsOnTask: Int?
        public var studentsPresent: Int?
        public var marks: [WalkthroughSubmission.Mark]
        public var glow: String
        public var grow: String
        public var question: String
        public var sharedAt: Int?
        public var readAt: Int?
        /// The teacher's reflection, if they replied.
        public var replyText: String?
        public var repliedAt: Int?
    }

    /// The district's time zone, for times of day.
    public static let timeZone = TimeZone(identifier: "America/New_York")!

    /// A coaching conversation after a coaching visit, with its next steps.
    public struct Conversation: Sendable, Equatable {
        public struct Step: Sendable, Equatable {
            public var text: String
            public var owner: String
            public var dueOn: String
            public var doneAt: Int?
        }
        public var id: String
        public var coachId: String
        public var teacherId: String
        public var schoolId: String
        public var walkthroughId: String
        public var heldAt: Int
        public var focus: [String]
        public var notes: String
        public var followUpAt: Int?
        public var steps: [Step]
    }

    public var visits: [Visit] = []
    public var conversations: [Conversation] = []
    /// Coach sourcedId → teacher sourcedIds.
    public var caseloads: [String: [String]] = [:]

    /// Walkthroughs per year for each size, as in DESIGN.md.
    static func yearlyCount(_ size: DemoDistrict.Size) -> Int {
        switch size {
        case .small: 600
        case .medium: 15_000
        case .large: 90_000
        }
    }

    /// - Parameter through: the last day with visits (seconds since 1970); clamped to the school year.
    public init(district: DemoDistrict, size: DemoDistrict.Size, seed: UInt64, through: Double) {
        var random = SeededRandom(seed: seed &* 0x2545_F491_4F6C_DD1D &+ 17)
        let framework = Framework.lodestarDefault
        let calendar = DemoCalendar.calendar
        let start = DemoCalendar.firstDay, yearEnd = DemoCalendar.lastDay
        let last = min(max(Date(timeIntervalSince1970: through), start.addingTimeInterval(7 * 86_400)), yearEnd)
        let days = DemoCalendar.schoolDays(from: start, through: last)
        let yearDays = Double(calendar.dateComponents([.day], from: start, to: yearEnd).day!)

        // Who teaches what, per school.
        let bundle = district.bundle
        let periods = Dictionary(uniqueKeysWithValues: bundle.classes.map { ($0.sourcedId, $0) })
        var teacherClasses: [String: [RosterClass]] = [:]
        for enrollment in bundle.enrollments where enrollment.role == "teacher" {
            teacherClasses[enrollment.userSourcedId, default: []].append(periods[enrollment.classSourcedId]!)
        }
        let schools = bundle.orgs.filter { $0.type == "school" }.map(\.sourcedId)
        var teachersBySchool: [String: [String]] = [:]
        for user in bundle.users where user.role == "teacher" {
            teachersBySchool[user.orgSourcedIds[0], default: []].append(user.sourcedId)
        }
        var observersBySchool: [String: [(id: String, role: StaffRole)]] = [:]
        for account in district.accounts {
            guard let id = account.sourcedId else { continue }
            for grant in account.grants {
                guard let school = grant.schoolId, [.principal, .assistantPrincipal, .coach, .teacherLeader].contains(grant.role) else { continue }
                observersBySchool[school, default: []].append((id, grant.role))
            }
        }

        // Common and rare practices; each school a little stronger or weaker.
        let prevalence: [String: Double] = [
            "learning-target": 0.72, "use-of-time": 0.68, "rigor": 0.34, "questioning": 0.4, "discourse": 0.28,
            "checks-for-understanding": 0.55, "feedback-to-students": 0.45, "responsive-adjustment": 0.3,
            "differentiation": 0.38, "language-access": 0.42, "culturally-responsive": 0.22, "engagement": 0.7,
            "respectful-environment": 0.85, "routines": 0.8,
        ]
        let perSchool = max(1, Self.yearlyCount(size) / max(1, schools.count))
        for school in schools {
            let strength = Double.random(in: -0.15...0.15, using: &random)
            let teachers = teachersBySchool[school] ?? []
            let observers = observersBySchool[school] ?? []
            guard !teachers.isEmpty, !observers.isEmpty else { continue }
            let coach = observers.first { $0.role == .coach }?.id
            if let coach {
                var pool = teachers
                pool.shuffle(using: &random)
                caseloads[coach] = Array(pool.prefix(min(10, max(3, teachers.count / 3))))
            }
            for n in 0..<perSchool {
                let observer: (id: String, role: StaffRole) = random.weighted(observers.map { ($0, $0.role == .teacherLeader ? 0.5 : $0.role == .coach ? 1.5 : 2.0) })
                let pool = observer.role == .coach ? (caseloads[observer.id] ?? teachers) : teachers
                // Some teachers are visited more than others, and a few rarely.
                let teacher = pool[min(pool.count - 1, Int(Double(pool.count) * pow(Double.random(in: 0..<1, using: &random), 1.3)))]
                guard teacher != observer.id else { continue }
                let teacherStrength = DemoDistrict.teacherStrength(teacher, seed: seed)
                let dayIndex = (n * days.count / perSchool + Int.random(in: 0..<3, using: &random)) % days.count
                let period = BellSchedule.standard.periods[Int.random(in: 0..<6, using: &random)]
                let minute = period.start + Int.random(in: 5...35, using: &random)
                let observedAt = Int(days[dayIndex].timeIntervalSince1970) + minute * 60
                let progress = Double(observedAt - Int(start.timeIntervalSince1970)) / (yearDays * 86_400)
                let classes = teacherClasses[teacher] ?? []
                let taught = classes.first { $0.classType == "homeroom" || $0.periods.contains(period.name) }

                let visitType: VisitType = switch observer.role {
                case .coach: .coaching
                case .teacherLeader: .peer
                default: random.chance(0.06) ? .rounds : .informal
                }
                var marks: [WalkthroughSubmission.Mark] = []
                let chosen = framework.indicators.filter { _ in random.chance(0.72) }
                for indicator in chosen.isEmpty ? [framework.indicators[0]] : chosen {
                    let p = min(0.97, max(0.03, prevalence[indicator.key]! + strength + 0.35 * teacherStrength + 0.12 * progress))
                    let mark = random.chance(0.03) ? "not_applicable" : random.chance(p) ? "observed" : "not_observed"
                    let ticked = mark == "observed" ? Array(indicator.lookFors.filter { _ in random.chance(0.4) }.prefix(2)) : []
                    marks.append(.init(indicator: indicator.key, mark: mark, lookFors: ticked))
                }
                let seen = marks.filter { $0.mark == "observed" }.compactMap { framework.indicator($0.indicator) }
                let missed = marks.filter { $0.mark == "not_observed" }.compactMap { framework.indicator($0.indicator) }
                let glow = seen.first.map { DemoFeedback.glow(for: $0.key, using: &random) } ?? ""
                let grow = missed.first.map { DemoFeedback.grow(for: $0.key, using: &random) } ?? ""
                let present = Int.random(in: 16...30, using: &random)
                let snapshot = random.chance(0.6)
                let onTask = Int((Double(present) * min(1, max(0.5, 0.78 + strength + Double.random(in: -0.1...0.15, using: &random)))).rounded())

                // Most feedback goes out within hours; some waits a day or more; a few stay drafts.
                var sharedAt: Int?
                if random.chance(0.93) {
                    let hours = random.weighted([(Double.random(in: 0.2...4, using: &random), 0.68), (Double.random(in: 4...24, using: &random), 0.22),
                                                 (Double.random(in: 24...96, using: &random), 0.1)])
                    sharedAt = observedAt + Int(hours * 3_600)
                }
                var readAt: Int?
                var replyText: String?
                var repliedAt: Int?
                if let sharedAt, random.chance(0.85) {
                    readAt = sharedAt + Int.random(in: 600...86_400, using: &random)
                    if random.chance(0.55) {
                        replyText = DemoFeedback.reply(using: &random)
                        repliedAt = readAt! + Int.random(in: 120...7_200, using: &random)
                    }
                }
                visits.append(Visit(
                    id: Self.uuid(&random), observerId: observer.id, teacherId: teacher, classId: taught?.sourcedId, schoolId: school,
                    visitType: visitType, announced: visitType == .coaching ? random.chance(0.5) : random.chance(0.08), observedAt: observedAt,
                    studentsOnTask: snapshot ? min(onTask, present) : nil, studentsPresent: snapshot ? present : nil, marks: marks,
                    glow: glow, grow: grow, question: framework.suggestedQuestion(for: marks) ?? "",
                    sharedAt: sharedAt, readAt: readAt, replyText: replyText, repliedAt: repliedAt))
            }
        }
        // Coaching visits often lead to a conversation a day or two later, with next steps.
        let end = Int(through)
        let dayFormatter: DateFormatter = {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = Self.timeZone
            formatter.dateFormat = "yyyy-MM-dd"
            return formatter
        }()
        for visit in visits where visit.visitType == .coaching && random.chance(0.5) {
            let later = visit.observedAt + Int.random(in: 1...2, using: &random) * 86_400 + Int.random(in: 0...3_600, using: &random)
            let heldAt = DemoCalendar.onSchoolDay(later)
            guard heldAt <= end else { continue }
            let missed = visit.marks.first { $0.mark == "not_observed" } ?? visit.marks[0]
            let indicator = framework.indicator(missed.indicator)!
            var steps: [Conversation.Step] = []
            for (index, text) in DemoFeedback.steps(for: indicator.shortName, using: &random).enumerated() {
                let due = heldAt + (7 + 7 * index) * 86_400
                steps.append(.init(text: text, owner: index == 0 ? "teacher" : random.pick(["teacher", "coach"]),
                                   dueOn: dayFormatter.string(from: Date(timeIntervalSince1970: TimeInterval(due))),
                                   doneAt: due - 2 * 86_400 <= end && random.chance(0.7) ? due - Int.random(in: 86_400...4 * 86_400, using: &random) : nil))
            }
            conversations.append(Conversation(
                id: Self.uuid(&random), coachId: visit.observerId, teacherId: visit.teacherId, schoolId: visit.schoolId,
                walkthroughId: visit.id, heldAt: heldAt, focus: [indicator.key],
                notes: "We looked at \(indicator.shortName.lowercased()) in the lesson I visited. \(random.pick(DemoFeedback.conversationNotes))",
                followUpAt: heldAt + 14 * 86_400, steps: steps))
        }

        // Nothing after the reference moment: later feedback is still a draft, later replies not yet written.
        visits = visits.filter { $0.observedAt <= end }.map { visit in
            var visit = visit
            if let shared = visit.sharedAt, shared > end { visit.sharedAt = nil; visit.readAt = nil }
            if let read = visit.readAt, read > end { visit.readAt = nil }
            if visit.readAt == nil || (visit.repliedAt ?? 0) > end { visit.replyText = nil; visit.repliedAt = nil }
            return visit
        }
    }

    /// A UUID (version 4 layout) from the seeded generator, so demo ids are stable.
    static func uuid(_ random: inout SeededRandom) -> String {
        let hex = (0..<32).map { _ in String(Int.random(in: 0..<16, using: &random), radix: 16) }
        var chars = hex
        chars[12] = "4"
        let s = chars.joined()
        let parts = [s.prefix(8), s.dropFirst(8).prefix(4), s.dropFirst(12).prefix(4), s.dropFirst(16).prefix(4), s.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}

/// Feedback sentences for demo walkthroughs, written the way good observers write: specific and kind.
enum DemoFeedback {
    static let glows: [String: [String]] = [
        "learning-target": ["Three students I asked could tell me what they were learning and why.", "The target was posted in student-friendly words and you referred back to it twice."],
        "use-of-time": ["Students were working within two minutes of the bell.", "The transition to groups took under a minute — that routine is paying off."],
        "rigor": ["Students were asked to justify their answers, not just give them.", "The task asked students to apply the idea to a new situation."],
        "questioning": ["Your follow-up 'How do you know?' pushed two students to explain their reasoning.", "You waited after each question and more hands went up."],
        "discourse": ["Partners built on each other's ideas using the sentence frames.", "Students were talking to each other, not only to you."],
        "checks-for-understanding": ["The whiteboard check gave you an answer from every student.", "You circulated and looked at every group's work during practice."],
        "feedback-to-students": ["Your feedback named the next step and students acted on it right away.", "Students used the checklist to give each other feedback."],
        "responsive-adjustment": ["When the check showed confusion you pulled a small group right away.", "You changed the plan when most students were ready to move on."],
        "differentiation": ["The three entry points meant every student could start the task.", "The manipulatives helped students who needed a concrete model."],
        "language-access": ["The vocabulary wall and frames helped English learners join the discussion.", "Partner talk before sharing gave everyone a way in."],
        "culturally-responsive": ["The examples came from students' own neighborhood.", "You invited more than one perspective on the question."],
        "engagement": ["Nearly every student was writing or discussing during the task.", "Students were eager to share their solutions."],
        "respectful-environment": ["A student shared a wrong answer and the class treated it as something to learn from.", "Students listened to each other respectfully."],
        "routines": ["Materials were handed out without a single direction from you.", "Students knew exactly what to do when they finished."],
    ]
    static let grows: [String: [String]] = [
        "learning-target": ["Try asking two students to restate the target in their own words at the start.", "Consider showing an example of finished work so students can see what success looks like."],
        "use-of-time": ["The start-up took about eight minutes; a do-now could get students working sooner.", "Consider a timer for the group transition."],
        "rigor": ["Next time, ask students to explain why their method works.", "Try one problem without an obvious path before showing the steps."],
        "questioning": ["Try a few more seconds of wait time before calling on a volunteer.", "Consider random calling so more voices are heard."],
        "discourse": ["A quick turn-and-talk before whole-class answers would let every student rehearse.", "Try having students add on to a classmate's idea before you respond."],
        "checks-for-understanding": ["An all-student check mid-lesson would show who needs help before practice.", "Consider an exit ticket to see who met the target."],
        "feedback-to-students": ["Try naming one specific next step in your feedback to each group.", "Consider having students use the criteria to check their own work."],
        "responsive-adjustment": ["When several students are stuck, consider pausing to reteach the key step.", "Try planning one way to regroup based on the check."],
        "differentiation": ["Consider an extension for students who finish early.", "A scaffold such as a worked example could help students who were stuck."],
        "language-access": ["Try posting three key words with visuals before the discussion.", "Sentence frames could help English learners share their thinking."],
        "culturally-responsive": ["Consider connecting the example to students' own experiences.", "Try inviting students to share how the idea shows up in their lives."],
        "engagement": ["During the lecture portion, a quick write could keep every student thinking.", "Consider giving each group member a role."],
        "respectful-environment": ["Try modeling how to respond when a classmate's idea is different from yours.", "Consider a norm for building on others' ideas."],
        "routines": ["A posted routine for finishing early could free you to work with a small group.", "Try practicing the materials routine so it runs without directions."],
    ]
    static let replies = [
        "Thank you — I'm going to try the turn-and-talk tomorrow and let you know how it goes.",
        "Good catch. I noticed that too and I'm planning a do-now for next week.",
        "Thanks for coming by! Could you visit again during the group work on Thursday?",
        "I appreciate the specific feedback. I'd love ideas for the extension piece.",
        "That group was really proud of their work — thanks for noticing.",
        "Yes, wait time is something I'm working on. I'll count to five next time.",
        "Thanks. I tried the exit ticket today and it showed me who needs a small group.",
        "Helpful, thank you. Can we talk about differentiation at our next coaching meeting?",
    ]

    static let conversationNotes = [
        "We watched a short clip together and named what students were doing.",
        "The teacher chose the next step; we agreed to look at student work next time.",
        "We planned the opening of tomorrow's lesson together.",
        "We compared two classes and talked about what was different for students.",
    ]

    /// One or two next steps toward a practice.
    static func steps(for practice: String, using random: inout SeededRandom) -> [String] {
        let options = ["Try one new routine for \(practice.lowercased()) in two lessons",
                       "Collect student work from one lesson and bring it to our next meeting",
                       "Observe a colleague's lesson with a focus on \(practice.lowercased())",
                       "Share a model lesson plan with the teacher"]
        return Array(options.shuffled(using: &random).prefix(Int.random(in: 1...2, using: &random)))
    }

    static func glow(for key: String, using random: inout SeededRandom) -> String { random.pick(glows[key] ?? ["Students were engaged in the task."]) }
    static func grow(for key: String, using random: inout SeededRandom) -> String { random.pick(grows[key] ?? ["Consider one small next step."]) }
    static func reply(using random: inout SeededRandom) -> String { random.pick(replies) }
}
