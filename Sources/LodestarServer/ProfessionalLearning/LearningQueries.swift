import Fluent
import Foundation
import LodestarCore
import SQLKit

/// The questions professional learning asks of the walkthrough and mastery data: what the evidence
/// proposes as needs, and what changed in the classrooms of a session's attendees.
struct LearningQueries {
    let db: any Database
    var sql: any SQLDatabase { db.sql }

    /// Hours of professional learning each of `staff` attended in sessions that began in `[from, to)`: each
    /// session's length, once for each attendee. For the resource ledger.
    func attendedHours(byStaff staff: [String], from: Int, to: Int) async throws -> [String: Double] {
        guard !staff.isEmpty else { return [:] }
        var hours: [String: Double] = [:]
        for chunk in staff.chunks(of: 500) {
            let attended = try await SessionAttendance.query(on: db).filter(\.$staffId ~~ Array(chunk)).all()
            let sessions = Dictionary(uniqueKeysWithValues: try await LearningSession.query(on: db).filter(\.$id ~~ Array(Set(attended.map(\.sessionId))))
                .filter(\.$startsAt >= from).filter(\.$startsAt < to).all().map { ($0.id!, $0) })
            for row in attended {
                guard let session = sessions[row.sessionId], session.endsAt > session.startsAt else { continue }
                hours[row.staffId, default: 0] += Double(session.endsAt - session.startsAt) / 3_600
            }
        }
        return hours
    }

    /// "The priority standards of grade X" for some of the grade's students: the standards, and how many of the students
    /// with a standing on them are in need — below mastery on at least half (`ResourceEquity.inNeed`, the rule the
    /// resources' equity page weighs resources against). Nil when the grade has no priority standards.
    struct PriorityScope: Sendable {
        let grade: String
        let codes: [String]
        let standardIds: [String]
        let measured: Int
        let inNeed: Int

        /// One sentence for a need's evidence or a cycle's scope; counts under the small-group minimum are not shown.
        var evidence: String {
            let label = GradeLevel.label(grade)
            let standards = "\(label)'s \(codes.count) priority standard\(codes.count == 1 ? "" : "s") (\(codes.joined(separator: ", ")))"
            guard measured > 0 else { return "No \(label) student has a standing on \(standards) yet." }
            guard DistrictSettings.smallGroups.allows(measured) else {
                return "Fewer than \(DistrictSettings.smallGroups.minimum) \(label) students have a standing on \(standards); counts not shown."
            }
            return "Of the \(measured) \(label) students with a standing on \(standards), \(inNeed) (\(Percent.text(Double(inNeed) / Double(measured)))) "
                + "are below mastery on at least half of them (each student's latest standing)."
        }
    }

    func priorityScope(ofGrade grade: String, students: [String]) async throws -> PriorityScope? {
        guard let standards = try await StandardsQueries(db: db).prioritiesByGrade()[grade] else { return nil }
        let standings = try await InsightsQueries(db: db).latestStandings(students: students, standards: standards.compactMap(\.id))
        return PriorityScope(grade: grade, codes: standards.map(\.code), standardIds: standards.compactMap(\.id), measured: standings.count,
                             inNeed: standings.values.filter { ResourceEquity.inNeed(below: $0.below, measured: $0.measured) }.count)
    }

    /// The needs accepted for a school (or the district), newest first: priorities a resource can serve.
    func needs(scope: String) async throws -> [LearningNeed] {
        try await LearningNeed.query(on: db).filter(\.$scope == scope).sort(\.$acceptedAt, .descending).sort(\.$id).all()
    }

    /// The teacher's open growth goal (the latest set) and how many reflections it has.
    func openGrowthGoal(ofTeacher teacher: String) async throws -> (goal: GrowthGoal, reflections: Int)? {
        guard let goal = try await GrowthGoal.query(on: db).filter(\.$teacherId == teacher).filter(\.$closedAt == nil)
            .sort(\.$setAt, .descending).first() else { return nil }
        return (goal, try await GrowthReflection.query(on: db).filter(\.$goalId == goal.id!).count())
    }

    func mentorSuggestions(schoolId: String, framework: Framework) async throws -> [(indicator: String, suggestion: MentorMatch.Suggestion)] {
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let from = DisplayTime.startOfDay(DisplayTime.schoolYearStart(of: today))
        let practice = try await WalkthroughQueries(db: db).practice(schoolId: schoolId, from: from, to: Int(Date().timeIntervalSince1970) + 1)
        var byTeacher: [String: [Double]] = [:]
        for item in try await InsightsQueries(db: db).classGrowth(schoolId: schoolId, through: String(today.prefix(7))) {
            byTeacher[item.teacher, default: []].append(item.growth)
        }
        let growth = byTeacher.mapValues { $0.reduce(0, +) / Double($0.count) }
        let teachers = Set(try await RosterQueries(db).teachers(inSchool: schoolId).map(\.id))
        let goals = try await GrowthGoal.query(on: db).filter(\.$teacherId ~~ Array(teachers)).filter(\.$closedAt == nil).all()
        let pairings = try await MentorPairing.query(on: db).filter(\.$schoolId == schoolId).filter(\.$endedAt == nil).all()
        var result: [(String, MentorMatch.Suggestion)] = []
        for indicator in framework.indicators {
            var perTeacher: [String: PracticeCount] = [:]
            for (teacher, practices) in practice where teachers.contains(teacher) { perTeacher[teacher] = practices[indicator.key] }
            let suggestions = MentorMatch.suggestions(practice: perTeacher, growth: growth,
                                                      goals: Set(goals.filter { $0.indicatorKeys.contains(indicator.key) }.map(\.teacherId)),
                                                      paired: Set(pairings.filter { $0.indicatorKey == indicator.key }.map(\.menteeId)))
            result += suggestions.map { (indicator.key, $0) }
        }
        return result
    }

    /// A proposal with what a person reads: a title, the evidence in words and where to see it.
    struct ProposedNeed: Sendable {
        let proposal: LearningNeeds.Proposal
        let title: String
        let evidence: String
        let link: String
    }

    /// Needs proposed from a school's evidence (or the district's, for scope "district") this school year:
    /// practices rarely seen, standards with low or falling mastery, and wide gaps between a group and
    /// all students in the latest month. For a PLC team (at least `LearningQueries.teamMinimum` members),
    /// the practices seen in its members' walkthroughs and its members' students' mastery; no group gaps
    /// (a team's groups are too small to show). Proposals already accepted and still open are left out.
    func proposedNeeds(scope: String, team: PLCTeam? = nil, today: String = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))) async throws -> [ProposedNeed] {
        let schoolIds = scope == LearningScope.district ? nil : [scope]
        let fromMonth = String(DisplayTime.schoolYearStart(of: today).prefix(7)), throughMonth = String(today.prefix(7))
        let months = InsightsScope.months(from: fromMonth, through: throughMonth)
        let framework = try await FrameworkStore.active(on: db).framework
        var practice: [String: PracticeCount] = [:]
        var mastery: [String: [String: InsightsQueries.MasteryCount]] = [:]
        var gaps: [(standard: String, row: EquityGaps.Row)] = []
        let links: (practice: (String) -> String, mastery: String, equity: (String) -> String)
        if let team {
            let members = try await PLCMember.query(on: db).filter(\.$teamId == team.id!).all().map(\.staffId)
            guard members.count >= Self.teamMinimum else { return [] }
            let from = DisplayTime.startOfDay(fromMonth + "-01"), to = DisplayTime.startOfDay(InsightsScope.month(after: throughMonth) + "-01")
            for (teacher, practices) in try await WalkthroughQueries(db: db).practice(schoolId: team.schoolId, from: from, to: to) where members.contains(teacher) {
                for (key, count) in practices where framework.indicator(key) != nil { practice[key, default: PracticeCount()] += count }
            }
            var byStandard: [String: [[MasteryTimeline.Entry]]] = [:]
            for timeline in try await timelines(studentsOf: members, standards: nil) { byStandard[timeline.standard, default: []].append(timeline.entries) }
            for (standard, timelines) in byStandard {
                mastery[standard] = MasteryTimeline.counts(asOf: months, timelines: timelines).mapValues { .init(evidence: $0.evidence, atOrAbove: $0.atOrAbove) }
            }
            links = ({ _ in "/plcs/\(team.id!)" }, "/plcs/\(team.id!)", { _ in "" })
        } else {
            let filter = InsightsQueries.PracticeFilter(schoolIds: schoolIds, fromMonth: fromMonth, throughMonth: throughMonth)
            for cell in try await InsightsQueries(db: db).practiceTotals(filter) where framework.indicator(cell.indicator) != nil {
                practice[cell.indicator] = cell.count
            }
            let byGroup = try await InsightsQueries(db: db).masteryByGroup(schoolIds: schoolIds, grade: nil, standardIds: nil, groups: nil, months: months)
            mastery = byGroup["all"] ?? [:]
            for standard in mastery.keys.sorted() {
                let count = { (group: String) in byGroup[group]?[standard]?[throughMonth] ?? .init(evidence: 0, atOrAbove: 0) }
                let everyone = count("all")
                for row in EquityGaps.rows(all: .init(group: "all", students: everyone.evidence, atOrAbove: everyone.atOrAbove),
                                           groups: StudentGroup.all.map { let c = count($0.key); return .init(group: $0.key, students: c.evidence, atOrAbove: c.atOrAbove) },
                                           partitions: StudentGroup.partitionKeys, comparison: "all", rule: DistrictSettings.smallGroups) {
                    gaps.append((standard, row))
                }
            }
            let inSchool = scope == LearningScope.district ? "" : "school=\(scope.urlQueryEncoded)&"
            let query = inSchool + "from=\(fromMonth)&through=\(throughMonth)"
            // A practice's evidence is the list of walkthroughs that looked for it (`LearningController` falls
            // back to the heatmap for those who may not open single walkthroughs).
            links = ({ "/insights/practice/visits?\(query)&indicator=\($0.urlQueryEncoded)" }, "/insights/learning?\(query)", { standard in
                "/insights/equity?\(inSchool)standard=\(standard.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&month=\(throughMonth)"
            })
        }
        let flags = ProblemsOfLearning.flags(mastery.map { standard, counts in
            ProblemsOfLearning.Series(standard: standard, points: months.compactMap { month in
                counts[month].flatMap { $0.evidence > 0 ? (month, $0.evidence, $0.atOrAbove) : nil }
            })
        }.sorted { $0.standard < $1.standard }, rule: DistrictSettings.smallGroups)
        let proposals = LearningNeeds.practices(practice) + LearningNeeds.mastery(flags) + LearningNeeds.equity(gaps)
        let standardIds = Set(proposals.filter { $0.kind != .practice }.map { String($0.key.split(separator: "|")[0]) })
        let standards = Dictionary(uniqueKeysWithValues: try await StandardsQueries(db: db).standards(ids: standardIds).map { ($0.id!, $0) })
        let accepted = Set(try await LearningNeed.query(on: db).filter(\.$scope == scope).filter(\.$status == "open").filter(\.$teamId == team?.id).all()
            .map { "\($0.kind)|\($0.subjectKey)" })
        let since = team == nil ? "this school year" : "in the team's classrooms this school year"
        return proposals.filter { !accepted.contains("\($0.kind.rawValue)|\($0.key)") }.compactMap { proposal in
            switch proposal.kind {
            case .practice:
                guard let indicator = framework.indicator(proposal.key) else { return nil }
                let unmarked = practice[proposal.key]?.notLookedFor ?? 0
                return ProposedNeed(proposal: proposal, title: indicator.shortName,
                                    evidence: "Seen in \(proposal.count) of the \(proposal.outOf) walkthroughs that looked for it (\(Percent.text(proposal.share))) \(since)"
                                        + (unmarked > 0 ? "; \(unmarked) more did not look for it." : "."),
                                    link: links.practice(proposal.key))
            case .mastery:
                guard let standard = standards[proposal.key] else { return nil }
                let fell = proposal.comparedWith.map { " — down from \(Percent.text($0))" } ?? ""
                return ProposedNeed(proposal: proposal, title: "\(standard.code): \(standard.statement.prefix(120))",
                                    evidence: "\(Percent.text(proposal.share)) of \(proposal.outOf) students at or above mastery\(fell).",
                                    link: links.mastery)
            case .equity:
                let parts = proposal.key.split(separator: "|").map(String.init)
                guard parts.count == 2, let standard = standards[parts[0]] else { return nil }
                let points = Int(((proposal.comparedWith ?? 0) - proposal.share) * 100 + 0.5)
                return ProposedNeed(proposal: proposal, title: "\(StudentGroup.label(ofKey: parts[1])) on \(standard.code)",
                                    evidence: "\(Percent.text(proposal.share)) of \(proposal.outOf) students at or above mastery, \(points) points below all students (\(Percent.text(proposal.comparedWith))).",
                                    link: links.equity(standard.id!))
            }
        }
    }

    /// The walkthroughs of `teachers` between two moments, per indicator of `indicators` that its framework
    /// version has: what it marked (`PracticeCount`); and each walkthrough once with all of them (`combined`).
    func visits(of teachers: [String], from: Int, to: Int, indicators: [String]) async throws -> (byIndicator: [String: [SessionImpact.Visit]], combined: [SessionImpact.Visit]) {
        guard !teachers.isEmpty, !indicators.isEmpty else { return ([:], []) }
        let walkthroughs = try await WalkthroughQueries(db: db).visitsWithMarks(ofTeachers: teachers, from: from, to: to, indicators: indicators)
        let frameworks = try await FrameworkStore.frameworks(ids: walkthroughs.map(\.frameworkId), on: db)
        var byIndicator: [String: [SessionImpact.Visit]] = [:]
        var combined: [SessionImpact.Visit] = []
        for visit in walkthroughs {
            guard let framework = frameworks[visit.frameworkId] else { continue }
            var all = SessionImpact.Visit(teacher: visit.teacherId, observedAt: visit.observedAt, practice: PracticeCount())
            for key in indicators where framework.indicator(key) != nil {
                var count = PracticeCount()
                count.add(mark: visit.marks[key], on: framework.scale)
                byIndicator[key, default: []].append(.init(teacher: visit.teacherId, observedAt: visit.observedAt, practice: count))
                all.practice += count
            }
            combined.append(all)
        }
        return (byIndicator, combined)
    }

    /// Each standing of the students in the teachers' classes on the standards (every standard for nil),
    /// month by month.
    func timelines(studentsOf teachers: [String], standards: [String]?) async throws -> [(student: String, standard: String, entries: [MasteryTimeline.Entry])] {
        guard !teachers.isEmpty, standards?.isEmpty != true else { return [] }
        let students = try await RosterQueries(db).students(taughtBy: teachers)
        return try await InsightsQueries(db: db).timelines(ofStudents: students.sorted(), standards: standards)
    }

    /// A PLC's evidence is proposed from only when it has at least this many members, so that no one
    /// teacher's walkthroughs are read through a team's numbers.
    static let teamMinimum = 3
}

extension LearningQueries {
    /// Sessions of the scopes (school ids or "district") starting between now and `days` from now, soonest first.
    func upcomingSessions(scopes: [String], days: Int = 7, now: Int = Int(Date().timeIntervalSince1970)) async throws -> [LearningSession] {
        guard !scopes.isEmpty else { return [] }
        return try await LearningSession.query(on: db).filter(\.$scope ~~ scopes).filter(\.$startsAt >= now)
            .filter(\.$startsAt < now + days * 86_400).sort(\.$startsAt).all()
    }

    /// Open needs of a scope with no session planned for them.
    func needsWithoutSession(scope: String) async throws -> Int {
        try await sql.raw("""
            SELECT COUNT(*) AS n FROM learning_needs n WHERE n.scope = \(bind: scope) AND n.status = 'open'
            AND NOT EXISTS (SELECT 1 FROM learning_sessions s WHERE s.need_id = n.id)
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The look-fors of sessions each attendee took part in that ended in the last `SessionImpact.windowDays`
    /// days, newest first: what a visitor looks for in their classroom now.
    func followUpLookFors(now: Int = Int(Date().timeIntervalSince1970)) async throws -> [String: [WalkthroughQueries.CaptureTeacher.FollowUp]] {
        var result: [String: [WalkthroughQueries.CaptureTeacher.FollowUp]] = [:]
        for row in try await sql.raw("""
            SELECT a.staff_id, s.title, s.look_fors FROM session_attendance a JOIN learning_sessions s ON s.id = a.session_id
            WHERE s.ends_at >= \(bind: now - SessionImpact.windowDays * 86_400) AND s.ends_at <= \(bind: now) AND s.look_fors <> ''
            ORDER BY s.ends_at DESC
            """).all() {
            result[try row.decode(column: "staff_id", as: String.self), default: []].append(.init(
                session: try row.decode(column: "title", as: String.self),
                lookFors: try row.decode(column: "look_fors", as: String.self).split(separator: "\n").map(String.init)))
        }
        return result
    }

    func hasGrowthGoal(teacher: String) async throws -> Bool {
        try await GrowthGoal.query(on: db).filter(\.$teacherId == teacher).filter(\.$closedAt == nil).count() > 0
    }
}

/// Sessions and needs belong to the district (`"district"`) or a school (its id), as goals do.
enum LearningScope {
    static let district = "district"

    static func schoolId(_ scope: String) -> String? { scope == district ? nil : scope }
}

extension LearningQueries {
    /// Sessions starting in `from..<to` that a person leads or attended, and those still to come that are
    /// planned for their schools or the district.
    func sessions(for person: String, schools: Set<String>, from: Int, to: Int, now: Int) async throws -> [LearningSession] {
        let attended = Set(try await SessionAttendance.query(on: db).filter(\.$staffId == person).all().map(\.sessionId))
        return try await LearningSession.query(on: db).filter(\.$startsAt >= from).filter(\.$startsAt < to)
            .group(.or) { any in
                any.filter(\.$facilitatorId == person).filter(\.$id ~~ attended)
                    .group(.and) { $0.filter(\.$startsAt >= now).filter(\.$scope ~~ schools.union([LearningScope.district])) }
            }.sort(\.$startsAt).all()
    }
}

extension LearningQueries {
    /// A school's PLCs as its PLC page lists them: how many teams, how many have a cycle of inquiry under way (not
    /// closed), and how many met in the last 30 days (a meeting held on or after the day 30 days before `today`).
    struct PLCSummary: Sendable, Equatable { var teams = 0, inCycle = 0, metRecently = 0 }
    func plcSummary(atSchool schoolId: String, today: String) async throws -> PLCSummary {
        let teams = try await PLCTeam.query(on: db).filter(\.$schoolId == schoolId).all().compactMap(\.id)
        guard !teams.isEmpty else { return PLCSummary() }
        let open = Set(try await InquiryCycle.query(on: db).filter(\.$teamId ~~ teams).filter(\.$status != InquiryStage.closed.rawValue).all().map(\.teamId))
        let met = Set(try await PLCMeeting.query(on: db).filter(\.$teamId ~~ teams).filter(\.$heldOn >= DisplayTime.isoDay(today, plus: -30)).all().map(\.teamId))
        return PLCSummary(teams: teams.count, inCycle: open.count, metRecently: met.count)
    }
}

extension LearningQueries {
    /// A person's PLC work, for their succession bench: the teams they belong to and the cycles of inquiry in them.
    func plcWork(of staffIds: [String]) async throws -> [String: (teams: Int, cycles: Int)] {
        guard !staffIds.isEmpty else { return [:] }
        let memberships = try await PLCMember.query(on: db).filter(\.$staffId ~~ staffIds).all()
        let cycles = Dictionary(grouping: try await InquiryCycle.query(on: db).filter(\.$teamId ~~ Array(Set(memberships.map(\.teamId)))).all(), by: \.teamId)
        var result: [String: (teams: Int, cycles: Int)] = [:]
        for (person, rows) in Dictionary(grouping: memberships, by: \.staffId) {
            result[person] = (rows.count, rows.reduce(0) { $0 + (cycles[$1.teamId]?.count ?? 0) })
        }
        return result
    }
}

extension LearningQueries {
    /// A session's practices in its attendees' classrooms in the `SessionImpact.windowDays` before and after it, as its
    /// impact page shows them: one row per practice, then all of them together when there are several (a visit once).
    struct PracticeImpact { let name: String; let before: SessionImpact.Practice; let after: SessionImpact.Practice }
    func practiceImpact(of session: LearningSession, attendees: [String], framework: Framework) async throws -> [PracticeImpact] {
        let window = SessionImpact.windowDays * 86_400
        let visits = try await visits(of: attendees, from: session.startsAt - window, to: session.endsAt + window, indicators: session.indicatorKeys)
        let who = Set(attendees)
        var rows = session.indicatorKeys.map { key in
            let result = SessionImpact.practice(visits.byIndicator[key] ?? [], attendees: who, start: session.startsAt, end: session.endsAt)
            return PracticeImpact(name: framework.indicator(key)?.shortName ?? key, before: result.before, after: result.after)
        }
        if rows.count > 1 {
            let all = SessionImpact.practice(visits.combined, attendees: who, start: session.startsAt, end: session.endsAt)
            rows.append(.init(name: "All of the session's practices", before: all.before, after: all.after))
        }
        return rows
    }

    /// A scope's professional learning since a day, as its Professional learning page lists it: needs accepted, those
    /// still open with no session; sessions held (ended) and who attended them; and of the held sessions whose window
    /// after has closed and that name practices, how many saw them more often after than before (their impact pages'
    /// last row: all the practices together, or the one).
    struct YearSummary: Sendable, Equatable { var needs = 0, needsWithoutSession = 0, held = 0, attendances = 0, judged = 0, improved = 0 }
    func yearSummary(scope: String, since: Int, now: Int) async throws -> YearSummary {
        var summary = YearSummary()
        summary.needs = try await LearningNeed.query(on: db).filter(\.$scope == scope).filter(\.$acceptedAt >= since).count()
        summary.needsWithoutSession = try await needsWithoutSession(scope: scope)
        let held = try await LearningSession.query(on: db).filter(\.$scope == scope).filter(\.$startsAt >= since).filter(\.$endsAt < now).all()
        summary.held = held.count
        let attendance = Dictionary(grouping: try await SessionAttendance.query(on: db).filter(\.$sessionId ~~ held.compactMap(\.id)).all(), by: \.sessionId)
        summary.attendances = attendance.values.reduce(0) { $0 + $1.count }
        let framework = try await FrameworkStore.active(on: db).framework
        for session in held where !session.indicatorKeys.isEmpty && session.endsAt + SessionImpact.windowDays * 86_400 <= now {
            guard let last = try await practiceImpact(of: session, attendees: (attendance[session.id!] ?? []).map(\.staffId).sorted(), framework: framework).last,
                  let before = last.before.share, let after = last.after.share else { continue }
            summary.judged += 1
            if after > before { summary.improved += 1 }
        }
        return summary
    }
}
