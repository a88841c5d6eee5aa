import Fluent
import Foundation
import LodestarCore
import SQLKit

/// The demo district's professional learning, built from its own evidence: in each school, the
/// leaders accepted the first practice and the first standard the data proposed as needs; a practice
/// lab was held a month ago for the practice (half of the teachers attended) and a session on the
/// standard is coming up; grade or subject PLCs run cycles of inquiry on their own assessments; some
/// teachers set growth goals; the first mentor the evidence suggests is paired, and the pair visit each other. Rows have stable demo
/// ids; a school whose demo needs exist is left alone.
enum DemoLearningLoader {
    static func load(_ district: DemoDistrict, seed: UInt64, through: Date, on db: any Database) async throws {
        let now = Int(through.timeIntervalSince1970)
        let day = 86_400
        let today = DisplayTime.isoDay(now)
        let framework = try await FrameworkStore.active(on: db).framework
        let teams = DemoPlanLoader.teams(district)
        let featuredTeacher = district.accounts.first { $0.isFeatured && $0.grants.isEmpty }?.sourcedId
        let classes = Dictionary(uniqueKeysWithValues: district.bundle.classes.map { ($0.sourcedId, $0) })
        var firstClass: [String: String] = [:]
        for enrollment in district.bundle.enrollments where enrollment.role == "teacher" {
            firstClass[enrollment.userSourcedId] = min(firstClass[enrollment.userSourcedId] ?? enrollment.classSourcedId, enrollment.classSourcedId)
        }
        var random = SeededRandom(seed: seed &+ 7_001)
        for org in district.bundle.orgs where org.type == "school" {
            let school = org.sourcedId
            // Loaded once: a school with any demo need has had its learning loaded.
            guard let team = teams[school], let lead = team.lead,
                  try await LearningNeed.query(on: db).filter(\.$id ~~ ["practice", "mastery"].map { "demo-need|\(school)|\($0)" }).count() == 0 else { continue }
            let facilitator = team.coach ?? lead
            let teachers = try await RosterQueries(db).teachers(inSchool: school).map(\.id).sorted()
            guard !teachers.isEmpty else { continue }
            let proposals = try await LearningQueries(db: db).proposedNeeds(scope: school, today: today)
            var needs: [LearningNeed] = []
            for (kind, suffix) in [(LearningNeeds.Kind.practice, "practice"), (.mastery, "mastery")] {
                guard let proposed = proposals.first(where: { $0.proposal.kind == kind }) else { continue }
                let need = LearningNeed()
                need.id = "demo-need|\(school)|\(suffix)"
                need.scope = school
                need.kind = kind.rawValue
                need.subjectKey = proposed.proposal.key
                need.title = proposed.title
                need.evidence = proposed.evidence
                need.evidenceLink = proposed.link
                need.status = "open"
                need.acceptedBy = lead
                need.acceptedAt = now - 35 * day
                needs.append(need)
            }
            var sessions: [LearningSession] = []
            var attendance: [SessionAttendance] = []
            let practiceNeed = needs.first { $0.kind == LearningNeeds.Kind.practice.rawValue }
            let practiceKey = practiceNeed?.subjectKey ?? "checks-for-understanding"
            if let indicator = framework.indicator(practiceKey) {
                let lab = session(id: "demo-session|\(school)|lab", school: school, title: "Practice lab: \(indicator.shortName)", series: "Fall practice labs",
                                  needId: practiceNeed?.id, facilitator: facilitator, audience: "All teachers", day: Self.schoolDay(now - 30 * day),
                                  indicators: [practiceKey], standards: [], lookFors: Array(indicator.lookFors.prefix(2)), createdBy: lead, createdAt: now - 34 * day)
                sessions.append(lab)
                for (index, teacher) in teachers.enumerated() where index % 2 == 0 || teacher == featuredTeacher {
                    let record = SessionAttendance()
                    record.id = "\(lab.id!)|\(teacher)"
                    record.sessionId = lab.id!
                    record.staffId = teacher
                    record.recordedBy = facilitator
                    record.recordedAt = lab.endsAt
                    attendance.append(record)
                }
                sessions.append(session(id: "demo-session|\(school)|lab-2", school: school, title: "Practice lab: \(indicator.shortName), part 2", series: "Fall practice labs",
                                        needId: practiceNeed?.id, facilitator: facilitator, audience: "All teachers", day: Self.schoolDay(now + 14 * day),
                                        indicators: [practiceKey], standards: [], lookFors: Array(indicator.lookFors.prefix(2)), createdBy: lead, createdAt: now - 34 * day))
            }
            if let masteryNeed = needs.first(where: { $0.kind == LearningNeeds.Kind.mastery.rawValue }) {
                sessions.append(session(id: "demo-session|\(school)|standard", school: school, title: "Teaching for mastery: \(masteryNeed.title.split(separator: ":").first ?? "")", series: "",
                                        needId: masteryNeed.id, facilitator: lead, audience: "Teachers of the grade", day: Self.schoolDay(now + 7 * day),
                                        indicators: ["checks-for-understanding"], standards: [masteryNeed.subjectKey], lookFors: [], createdBy: lead, createdAt: now - 3 * day))
            }

            // PLCs: teachers grouped by the grade (elementary homerooms) or subject of their first class.
            var groups: [String: [String]] = [:]
            var gradeOfTeam: [String: String] = [:]
            for teacher in teachers {
                guard let classId = firstClass[teacher], let schoolClass = classes[classId] else { continue }
                let grade = schoolClass.grades.first ?? ""
                let name = schoolClass.subjects.count > 1 ? "\(grade == "KG" ? "Kindergarten" : GradeLevel.label(grade)) team" : "\(schoolClass.subjects.first ?? "Teaching") team"
                groups[name, default: []].append(teacher)
                if schoolClass.subjects.count > 1 { gradeOfTeam[name] = grade }
            }
            let prioritized = try await StandardsQueries(db: db).prioritiesByGrade()
            // The featured teacher's team first, then by name.
            let rank = { (members: [String]) in members.contains(featuredTeacher ?? "") ? 0 : 1 }
            let chosen = groups.filter { $0.value.count >= 2 }.sorted { (rank($0.value), $0.key) < (rank($1.value), $1.key) }.prefix(2)
            var plcRows: [any Model] = []
            for (index, group) in chosen.enumerated() {
                let teamId = "demo-plc|\(school)|\(index)"
                let plc = PLCTeam()
                plc.id = teamId
                plc.schoolId = school
                plc.name = group.key
                plc.focus = "Cycle of inquiry on our common formative assessments"
                plc.createdBy = team.teacherLeader ?? lead
                plc.createdAt = now - 60 * day
                plcRows.append(plc)
                let members = Array(group.value.prefix(6))
                for member in members {
                    let row = PLCMember()
                    row.id = "\(teamId)|\(member)"
                    row.teamId = teamId
                    row.staffId = member
                    plcRows.append(row)
                }
                for (offset, notes) in [(21, "Sorted last week's check into three piles: got it, almost, not yet. Most of the “almost” pile made the same mistake."),
                                        (7, "Shared what we tried. Re-teach groups helped the “almost” pile; the “not yet” pile needs a different way in.")] {
                    let meeting = PLCMeeting()
                    meeting.id = "\(teamId)|meeting|\(offset)"
                    meeting.teamId = teamId
                    meeting.heldOn = Self.schoolDay(now - offset * day, forward: false)
                    meeting.notes = notes
                    meeting.authorId = members[0]
                    meeting.createdAt = now - offset * day
                    plcRows.append(meeting)
                }
                let assessments = try await db.sql.raw("""
                    SELECT DISTINCT a.id, a.assessed_on FROM assessments a JOIN assessment_classes c ON c.assessment_id = a.id
                    JOIN enrollments e ON e.class_id = c.class_id AND e.role = 'teacher'
                    WHERE a.school_id = \(bind: school) AND e.user_id IN (\(binds: members)) ORDER BY a.assessed_on DESC LIMIT 2
                    """).all().map { try $0.decode(column: "id", as: String.self) }
                let cycle = InquiryCycle()
                cycle.id = "\(teamId)|cycle"
                cycle.teamId = teamId
                cycle.question = index == 0 ? "Which students are “almost” on our latest checks, and what do they have in common?"
                    : "Why do students who can do the steps struggle to explain their reasoning?"
                cycle.assessments = assessments.joined(separator: ",")
                cycle.plan = "Re-teach groups twice a week for the “almost” pile; one new way in for the “not yet” pile."
                cycle.action = index == 0 ? "Two weeks of re-teach groups; each of us tried one new representation." : ""
                cycle.learned = ""
                // A grade team's cycle is about its grade's priority standards, when the grade has them.
                cycle.priorityGrade = gradeOfTeam[group.key].flatMap { prioritized[$0] == nil ? nil : $0 } ?? ""
                cycle.status = index == 0 ? InquiryStage.action.rawValue : InquiryStage.plan.rawValue
                cycle.openedAt = now - 21 * day
                cycle.updatedAt = now - 7 * day
                plcRows.append(cycle)
            }

            // Growth goals: the featured teacher and about a third of the others, each with a reflection.
            var goalRows: [any Model] = []
            for teacher in teachers where teacher == featuredTeacher || Int.random(in: 0..<3, using: &random) == 0 {
                let key = teacher == featuredTeacher ? "discourse" : framework.indicators[Int.random(in: 0..<framework.indicators.count, using: &random)].key
                guard let indicator = framework.indicator(key) else { continue }
                let goal = GrowthGoal()
                goal.id = "demo-goal|\(teacher)"
                goal.teacherId = teacher
                goal.statement = teacher == featuredTeacher ? "Every student talks about their thinking with a partner in every lesson."
                    : "Grow in \(indicator.shortName.lowercased()): \(indicator.lookFors.first ?? indicator.description)"
                goal.indicators = key
                goal.setAt = now - 40 * day
                goalRows.append(goal)
                let reflection = GrowthReflection()
                reflection.id = "demo-reflection|\(teacher)"
                reflection.goalId = goal.id!
                reflection.authorId = teacher
                reflection.body = "Tried it every day this week. It works best when I plan the question before the lesson; I still run out of time at the end."
                reflection.createdAt = now - 10 * day
                goalRows.append(reflection)
            }
            let rows = needs as [any Model] + sessions as [any Model] + attendance as [any Model] + plcRows + goalRows
            try await db.writeTransaction { db in try await db.createAll(rows) }
            // The first mentor the evidence suggests (goals now count) is paired by the school's leader.
            if let first = try await LearningQueries(db: db).mentorSuggestions(schoolId: school, framework: framework).first {
                let pairing = MentorPairing()
                pairing.id = "demo-mentor|\(school)"
                pairing.schoolId = school
                pairing.indicatorKey = first.indicator
                pairing.mentorId = first.suggestion.mentor
                pairing.menteeId = first.suggestion.mentee
                pairing.confirmedBy = lead
                pairing.confirmedAt = now - 20 * day
                try await db.writeTransaction { db in try await pairing.create(on: db) }
                // The pair visit each other: peer visits with feedback between peers.
                for (index, (observer, teacher)) in [(pairing.menteeId, pairing.mentorId), (pairing.mentorId, pairing.menteeId)].enumerated() {
                    // A demo reaching past today (`--through` later in the year) keeps its peer visits in the past.
                    // On a school day, mid-morning.
                    let back = Date(timeIntervalSince1970: TimeInterval(min(now, Int(Date().timeIntervalSince1970)) - (14 - 8 * index) * day))
                    let at = Int(DemoCalendar.schoolDay(near: back, forward: false).timeIntervalSince1970) + (10 * 60 + 15) * 60
                    guard let staff = try await Staff.find(observer, on: db) else { continue }
                    let peer = Viewer(staff: staff, policy: AccessPolicy(grants: [RoleGrant(role: .teacher, schoolId: school)]))
                    let visit = WalkthroughSubmission(
                        id: peerVisitId(school: school, index: index), teacherId: teacher, classId: nil, visitType: .peer,
                        observedAt: Double(at), marks: [.init(indicator: first.indicator, mark: index == 0 ? "observed" : "not_observed")],
                        glow: index == 0 ? "I saw how you set it up in the first five minutes — I am borrowing that." : "You tried it on day one; the students went with you.",
                        grow: index == 0 ? "" : "Next time, give them the sentence starter before they turn to a partner.",
                        question: index == 0 ? "" : "What would you keep, and what would you change, for tomorrow's lesson?")
                    _ = try await WalkthroughStore.save(visit, by: peer, on: db)
                }
            }
        }
    }

    /// A stable UUID for a demo peer visit (walkthrough ids are UUIDs made by the capturing device).
    static func peerVisitId(school: String, index: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(school)|\(index)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(format: "5eed0000-0000-4000-8000-%012llx", hash & 0xffff_ffff_ffff)
    }

    /// The ISO day of the school day on or after (or before) a moment: sessions and meetings fall on school days.
    private static func schoolDay(_ seconds: Int, forward: Bool = true) -> String {
        DisplayTime.isoDay(DemoCalendar.onSchoolDay(seconds, forward: forward))
    }

    private static func session(id: String, school: String, title: String, series: String, needId: String?, facilitator: String, audience: String, day: String,
                                indicators: [String], standards: [String], lookFors: [String], createdBy: String, createdAt: Int) -> LearningSession {
        let session = LearningSession()
        session.id = id
        session.scope = school
        session.title = title
        session.series = series
        session.needId = needId
        session.facilitatorId = facilitator
        session.audience = audience
        session.startsAt = DisplayTime.startOfDay(day) + 15 * 3_600 + 30 * 60
        session.endsAt = session.startsAt + 3_600
        session.location = "Library"
        session.materials = "https://cedarvalley.example.org/learning/\(id.split(separator: "|").last ?? "session")"
        session.lookFors = lookFors.joined(separator: "\n")
        session.indicators = indicators.joined(separator: ",")
        session.standards = standards.joined(separator: ",")
        session.createdBy = createdBy
        session.createdAt = createdAt
        return session
    }
}
