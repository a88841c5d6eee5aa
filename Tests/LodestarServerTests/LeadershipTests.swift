import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// The leadership team's self-assessment, on the demo district (school-1's team: its principal, assistant
/// principal, coach and teacher leader), on both databases.
@Suite("Leadership self-assessment")
struct LeadershipTests {
    /// A page's text without tags, spaces folded.
    static func text(_ html: String) -> String {
        html.replacing(/<[^>]+>/, with: " ").replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&quot;", with: "\"").replacing(/\s+/, with: " ")
    }

    /// The live evidence lines of one measure on an indicator page.
    static func evidence(_ html: String, _ measure: String) -> [String] {
        html.matches(of: /<li data-measure="([a-z-]+)">(.*?)<\/li>/).filter { $0.1 == measure }.map { text(String($0.2)).trimmingCharacters(in: .whitespaces) }
    }

    static func client(_ app: Application, _ email: String) async throws -> TestClient {
        let client = TestClient(app)
        #expect(try await client.signIn(email).status == .seeOther, "\(email)")
        return client
    }

    @Test(arguments: TestDatabase.all)
    func membersRateBlindThenTheTeamRatesTheDistrictReviewsAndTheRatingBecomesAGoal(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let base = "/leadership/school-1/\(SchoolYear.current())"
            let principal = try await Self.client(app, people.email(.principal)), assistant = try await Self.client(app, people.email(.assistantPrincipal))
            let teacherLeader = try await Self.client(app, people.email(.teacherLeader)), leader = try await Self.client(app, people.email(.districtLeader))
            let teacher = try await Self.client(app, people.teacherEmail)

            // Nobody has rated "Growing the next leaders" this year in the demo.
            #expect(try await teacherLeader.post("\(base)/succession/mine", form: ["level": "2", "evidence": "Two PLC leads this year; no one prepared to coach."]).status == .seeOther)
            let blind = Self.text(try await assistant.page("\(base)/succession"))
            #expect(blind.contains("1 of 4 members have rated. Rate on your own first; then you see theirs."))
            #expect(!blind.contains("Two PLC leads"), "another member's rating is shown before one's own")
            #expect(try await assistant.post("\(base)/succession/mine", form: ["level": "4", "evidence": "Every role has a named successor."]).status == .seeOther)
            let open = Self.text(try await assistant.page("\(base)/succession"))
            #expect(open.contains("Two PLC leads") && open.contains("2 ratings from 2 to 4 (2: 1, 4: 1) — two levels or more apart"))
            // A level outside the rubric, or no evidence, changes nothing.
            #expect(try await assistant.post("\(base)/succession/mine", form: ["level": "5", "evidence": "x"]).status == .unprocessableEntity)
            #expect(try await assistant.post("\(base)/succession/mine", form: ["level": "3", "evidence": "   "]).status == .unprocessableEntity)
            #expect(Self.text(try await assistant.page("\(base)/succession")).contains("Every role has a named successor."))

            // The principal rates on their own before recording the team's rating.
            #expect(try await principal.post("\(base)/succession/team", form: ["level": "3", "evidence": "Agreed."]).status == .unprocessableEntity)
            #expect(try await principal.post("\(base)/succession/mine", form: ["level": "3", "evidence": "Coach role has no successor."]).status == .seeOther)
            #expect(try await principal.post("\(base)/succession/team", form: ["level": "3", "evidence": "We agreed on 3: teams have leads, the coach role has no successor."]).status == .seeOther)
            let year = SchoolYear.current()
            let stored = try #require(try await app.db.sql.raw("""
                SELECT t.level, t.evidence_seen FROM self_assessment_team_ratings t JOIN self_assessments a ON a.id = t.assessment_id
                WHERE a.school_id = 'school-1' AND a.year = \(bind: year) AND t.indicator_key = 'succession'
                """).first())
            #expect(try stored.decode(column: "level", as: Int.self) == 3)
            let seen = try stored.decode(column: "evidence_seen", as: String.self).split(separator: "\n").map(String.init)
            #expect(seen.count == 2 && seen[0].hasPrefix("Who could step into each leadership role: ") && seen[1].hasPrefix("PLCs and their cycles of inquiry: "), "\(seen)")
            // Only the principal records the team's rating.
            #expect(try await assistant.post("\(base)/succession/team", form: ["level": "4", "evidence": "x"]).status == .forbidden)

            // Teachers see nothing until the principal publishes the summary, and then only the team's ratings.
            #expect(try await teacher.get(base).status == .forbidden)
            #expect(try await teacher.get("\(base)/summary").status == .forbidden)
            #expect(try await principal.post("\(base)/publish", form: ["published": "yes"]).status == .seeOther)
            let summary = Self.text(try await teacher.page("\(base)/summary"))
            #expect(summary.contains("We agreed on 3: teams have leads") && summary.contains("3 · Established"))
            #expect(!summary.contains("Two PLC leads") && !summary.contains("Every role has a named successor"), "a member's own rating reached staff")
            #expect(try await teacher.get("\(base)/succession").status == .forbidden)
            #expect(try await teacher.get("\(base)/ratings.csv").status == .forbidden)
            // The principal of another school sees nothing of this one.
            let otherPrincipal = try #require(district.accounts.first { $0.grants.contains(RoleGrant(role: .principal, schoolId: "school-2")) })
            #expect(try await Self.client(app, otherPrincipal.email).get(base).status == .forbidden)

            // The district leader reviews: differing needs a comment.
            #expect(try await leader.post("\(base)/succession/review", form: ["review": "differ", "comment": ""]).status == .unprocessableEntity)
            #expect(try await leader.post("\(base)/succession/review", form: ["review": "differ", "comment": "No one is ready for the coach role."]).status == .seeOther)
            #expect(try await principal.post("\(base)/succession/review", form: ["review": "agree"]).status == .forbidden)
            let reviewed = Self.text(try await principal.page("\(base)/succession"))
            #expect(reviewed.contains("The district sees it differently (Angela Brooks)") && reviewed.contains("No one is ready for the coach role."))

            // One click: a goal, prefilled and linked both ways.
            let made = try await principal.post("\(base)/succession/goal", form: [:])
            #expect(made.status == .seeOther)
            let goalPath = try #require(made.headers.first(name: .location))
            let goalId = String(try #require(goalPath.split(separator: "/").last))
            let goal = try #require(try await app.db.sql.raw("SELECT scope, baseline, target, statement, deadline FROM goals WHERE id = \(bind: goalId)").first())
            #expect(try goal.decode(column: "scope", as: String.self) == "school-1")
            #expect(try goal.decode(column: "baseline", as: Double.self) == 3 && goal.decode(column: "target", as: Double.self) == 4)
            // The end of the school year, or 30 days on when that is nearer.
            #expect(try goal.decode(column: "deadline", as: String.self) == max("\(year + 1)-06-30", DisplayTime.isoDay(DisplayTime.isoDay(Int(Date().timeIntervalSince1970)), plus: 30)))
            #expect(try goal.decode(column: "statement", as: String.self).hasPrefix("Move “Growing the next leaders” from Established to Leading by "))
            #expect(try await principal.page("\(base)/succession").contains("href=\"\(goalPath)\""))
            #expect(Self.text(try await principal.page(goalPath)).contains("From the leadership team's \(SchoolYear.label(year)) self-assessment: Growing the next leaders"))
            #expect(try await principal.post("\(base)/succession/goal", form: [:]).status == .unprocessableEntity, "a second goal from one rating")

            // The CSV: the team's rating, the members' spread (2, 4, 3), the review and the goal.
            let csv = try await principal.get("\(base)/ratings.csv").body.string
            let line = try #require(csv.split(separator: "\r\n").first { $0.contains("Growing the next leaders") })
            #expect(line == "Lincoln Elementary School,\(SchoolYear.label(year)),Management of systems and processes,Growing the next leaders,3,Established,"
                    + "\"We agreed on 3: teams have leads, the coach role has no successor.\",3,2,4,differ,No one is ready for the coach role.,/goals/school-1/\(goalId)")

            // The district's heatmap shows the school's level with the review's mark.
            let heatmap = try await leader.page("/leadership/district")
            #expect(heatmap.contains("href=\"\(base)/succession\"><span class=\"heat-share\">3</span><span class=\"heat-n\">≠</span>"))
            #expect(try await principal.get("/leadership/district").status == .forbidden)
        }
    }

    /// Each live-evidence line says what the page it links to says, and what the test computes from the raw rows.
    @Test(arguments: TestDatabase.all)
    func everyMeasureEqualsItsPageAndARecomputation(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let base = "/leadership/school-1/\(SchoolYear.current())"
            let leader = try await Self.client(app, people.email(.districtLeader)), coach = try await Self.client(app, people.email(.coach))
            let sql = app.db.sql
            let now = Int(Date().timeIntervalSince1970)
            func percent(_ part: Int, _ whole: Int) -> String { whole == 0 ? "—" : "\(Int((Double(part) * 100 / Double(whole)).rounded()))%" }
            func column<T: Decodable>(_ query: SQLQueryString, _ name: String = "n", as type: T.Type = Int.self) async throws -> [T] {
                try await sql.raw(query).all().map { try $0.decode(column: name, as: T.self) }
            }

            // Walkthroughs and feedback over the last 30 days, from the visits themselves.
            let time = try await leader.page("\(base)/time-for-teaching")
            let since = now - 30 * 86_400
            let visits = try await column("SELECT COUNT(*) AS n FROM walkthroughs WHERE school_id = 'school-1' AND observed_at >= \(bind: since) AND observed_at <= \(bind: now)")[0]
            let teachers = Set(try await column("SELECT DISTINCT staff_id AS n FROM role_grants WHERE role = 'teacher' AND school_id = 'school-1'", as: String.self))
            let visited = Set(try await column("SELECT DISTINCT teacher_id AS n FROM walkthroughs WHERE school_id = 'school-1' AND observed_at >= \(bind: since) AND observed_at <= \(bind: now)", as: String.self)).intersection(teachers)
            let waits = try await column("SELECT shared_at - observed_at AS n FROM walkthroughs WHERE school_id = 'school-1' AND shared_at IS NOT NULL AND observed_at >= \(bind: since) AND observed_at <= \(bind: now)").map { max(0, $0) }.sorted()
            let replied = try await column("""
                SELECT COUNT(DISTINCT w.id) AS n FROM walkthroughs w JOIN feedback_replies r ON r.walkthrough_id = w.id AND r.author_id = w.teacher_id
                WHERE w.school_id = 'school-1' AND w.shared_at IS NOT NULL AND w.observed_at >= \(bind: since) AND w.observed_at <= \(bind: now)
                """)[0]
            #expect(visits > 10 && !waits.isEmpty, "the demo has visits to check against")
            let median = waits.count % 2 == 1 ? Double(waits[waits.count / 2]) / 3600 : Double(waits[waits.count / 2 - 1] + waits[waits.count / 2]) / 7200
            let coverage = "\(visited.count) of \(teachers.count) (\(percent(visited.count, teachers.count)))"
            #expect(Self.evidence(time, "visits-and-feedback") == [
                "\(visits) visits in the last 30 days; teachers visited: \(coverage).",
                "Median time to feedback \(String(format: "%.1f h", median)); shared within a day \(percent(waits.filter { $0 <= 86_400 }.count, waits.count)); reply rate \(percent(replied, waits.count)).",
            ])
            let feedback = Self.text(try await leader.page("/insights/feedback?school=school-1"))
            #expect(feedback.contains("Lincoln Elementary School \(visits) \(coverage) \(String(format: "%.1f h", median))"), "the feedback page's row")

            // School leaders' time: the district leader sees each leader's line as the leaders' page shows it; a coach sees none.
            let leadersPage = Self.text(try await leader.page("/time/leaders"))
            let timeLines = Self.evidence(time, "leader-time")
            #expect(timeLines.count == 2, "\(timeLines)")
            for line in timeLines {
                let match = try #require(line.firstMatch(of: /^(.+), (Principal|Assistant principal): (\d+%|—) of ([\d.]+ h) recorded on teaching and learning; target (\d+%)\.$/), "\(line)")
                #expect(leadersPage.contains("\(match.1) Lincoln Elementary School \(match.2) \(match.3)"), "\(line)")
            }
            let coachTime = Self.evidence(try await coach.page("\(base)/time-for-teaching"), "leader-time")
            #expect(coachTime == ["2 leaders' time is seen only by each leader and district leaders."])

            // Assessment frequency: classes with fewer than two assessments given in the last 30 days (and this term).
            let system = try await leader.page("\(base)/assessment-system")
            let termStart = DisplayTime.isoDay(try await RosterQueries(app.db).currentTermStart(now: now))
            let from = max(DisplayTime.isoDay(now - 30 * 86_400), termStart)
            let classes = try await column("SELECT id AS n FROM classes WHERE school_id = 'school-1'", as: String.self)
            var given: [String: Int] = [:]
            for row in try await sql.raw("""
                SELECT ac.class_id, COUNT(DISTINCT a.id) AS n FROM assessment_classes ac JOIN assessments a ON a.id = ac.assessment_id
                WHERE a.assessed_on >= \(bind: from) GROUP BY ac.class_id
                """).all() { given[try row.decode(column: "class_id", as: String.self)] = try row.decode(column: "n", as: Int.self) }
            let rare = classes.filter { (given[$0] ?? 0) < 2 }.count
            #expect(Self.evidence(system, "assessment-frequency") == ["\(rare) of \(classes.count) classes assessed fewer than 2 times in the last 30 days."])
            #expect(Self.text(try await leader.page("/schools/school-1/assessment-frequency")).contains("\(classes.count) classes; \(rare) assessed rarely in the last 30 days."))

            // Goals: the statuses the plan page shows, and alignment from the rows.
            let plan = try await leader.page("/goals/school-1")
            let goals = try await column("SELECT COUNT(*) AS n FROM goals WHERE scope = 'school-1'")[0]
            let aligned = try await column("SELECT COUNT(*) AS n FROM goals WHERE scope = 'school-1' AND parent_id IS NOT NULL")[0]
            let statuses = ["on track", "at risk", "off track", "not enough data"].compactMap { status -> String? in
                let n = plan.matches(of: try! Regex("class=\"status status-\(status.replacingOccurrences(of: " ", with: "-"))\"")).count
                return n == 0 ? nil : "\(n) \(status)"
            }
            #expect(goals > 0)
            #expect(Self.evidence(system, "goals") == ["\(goals) goals: \(statuses.joined(separator: ", ")).", "\(aligned) of \(goals) aligned to a district goal."])

            // PLCs: teams, those with a cycle not closed, those that met in the last 30 days.
            let collaboration = try await leader.page("\(base)/time-for-collaboration")
            let teams = try await column("SELECT COUNT(*) AS n FROM plc_teams WHERE school_id = 'school-1'")[0]
            let inCycle = try await column("SELECT COUNT(DISTINCT c.team_id) AS n FROM inquiry_cycles c JOIN plc_teams t ON t.id = c.team_id WHERE t.school_id = 'school-1' AND c.status <> 'closed'")[0]
            let met = try await column("SELECT COUNT(DISTINCT m.team_id) AS n FROM plc_meetings m JOIN plc_teams t ON t.id = m.team_id WHERE t.school_id = 'school-1' AND m.held_on >= \(bind: DisplayTime.isoDay(DisplayTime.isoDay(now), plus: -30))")[0]
            #expect(teams > 0)
            // Coaching: the school's coaches, its teachers on any of their caseloads, their conversations in 30 days.
            let growth = try await leader.page("\(base)/professional-growth")
            let coaches = try await column("SELECT COUNT(DISTINCT staff_id) AS n FROM role_grants WHERE role = 'coach' AND school_id = 'school-1'")[0]
            let onCaseload = try await column("""
                SELECT COUNT(DISTINCT c.teacher_id) AS n FROM caseloads c
                JOIN role_grants k ON k.staff_id = c.coach_id AND k.role = 'coach' AND k.school_id = 'school-1'
                JOIN role_grants t ON t.staff_id = c.teacher_id AND t.role = 'teacher' AND t.school_id = 'school-1'
                """)[0]
            let conversations = try await column("""
                SELECT COUNT(*) AS n FROM coaching_conversations v
                WHERE v.held_at >= \(bind: now - 30 * 86_400) AND v.held_at <= \(bind: now)
                AND v.coach_id IN (SELECT staff_id FROM role_grants WHERE role = 'coach' AND school_id = 'school-1')
                AND v.teacher_id IN (SELECT staff_id FROM role_grants WHERE role = 'teacher' AND school_id = 'school-1')
                """)[0]
            #expect(coaches > 0 && onCaseload > 0, "the demo's coach has a caseload")
            #expect(Self.evidence(growth, "coaching") == ["\(coaches) \(coaches == 1 ? "coach" : "coaches"); \(onCaseload) of \(teachers.count) teachers on a coaching caseload; "
                                                          + "\(conversations) coaching \(conversations == 1 ? "conversation" : "conversations") in the last 30 days."])

            // Hiring this school year and the bench, on the talent and succession indicators.
            let talent = try await leader.page("\(base)/talent")
            let openings = try await column("SELECT id AS n FROM openings WHERE school_id = 'school-1' AND created_at >= \(bind: DisplayTime.startOfDay(DisplayTime.schoolYearStart(of: DisplayTime.isoDay(now))))", as: String.self)
            let candidates = try await column("SELECT COUNT(*) AS n FROM candidates WHERE opening_id IN (\(binds: openings))")[0]
            let committee = try await column("SELECT COUNT(*) AS n FROM opening_committee WHERE opening_id IN (\(binds: openings))")[0]
            let ratedByAll = try await column("""
                SELECT COUNT(*) AS n FROM (SELECT candidate_id FROM candidate_ratings WHERE step = 0 GROUP BY candidate_id HAVING COUNT(DISTINCT member_id) = \(bind: committee)) rated
                """)[0]
            // The demo's opening (three candidates, two rated by all four at screening) counts when it opened this school year.
            #expect(openings.isEmpty || (candidates == 3 && ratedByAll == 2))
            let yearStart = DisplayTime.schoolYearStart(of: DisplayTime.isoDay(now))
            let plans = try await column("SELECT COUNT(*) AS n FROM induction_plans WHERE school_id = 'school-1' AND starts_on >= \(bind: yearStart)")[0]
            let mentored = try await column("SELECT COUNT(*) AS n FROM induction_plans WHERE school_id = 'school-1' AND starts_on >= \(bind: yearStart) AND mentor_id IS NOT NULL")[0]
            let late = try await column("""
                SELECT COUNT(*) AS n FROM induction_items i JOIN induction_plans p ON p.id = i.plan_id
                WHERE p.school_id = 'school-1' AND p.starts_on >= \(bind: yearStart) AND i.done_at IS NULL AND i.due_on < \(bind: DisplayTime.isoDay(now))
                """)[0]
            #expect(plans > 0, "the demo has induction plans this school year")
            #expect(Self.evidence(talent, "induction") == ["\(plans) new \(plans == 1 ? "teacher" : "teachers") with an induction plan this school year, \(mentored) with a mentor; "
                                                           + "\(late) \(late == 1 ? "check-in or session" : "check-ins and sessions") overdue."])
            #expect(Self.evidence(try await coach.page("\(base)/talent"), "induction") == ["Induction plans are seen by the school's principal and assistant principals and district leaders."])
            #expect(Self.evidence(talent, "hiring") == ["\(openings.count) \(openings.count == 1 ? "position" : "positions") opened this school year, 0 filled; \(candidates) \(candidates == 1 ? "candidate" : "candidates").",
                                                        "\(ratedByAll) of \(candidates) rated by the whole committee at the first step."])
            let succession = try await leader.page("\(base)/succession")
            let ready = try await column("SELECT COUNT(DISTINCT role) AS n FROM succession_bench WHERE school_id = 'school-1' AND readiness = 'ready now'")[0]
            let benched = try await column("SELECT COUNT(DISTINCT staff_id) AS n FROM succession_bench WHERE school_id = 'school-1'")[0]
            #expect(Self.evidence(succession, "succession") == ["\(ready) of 4 leadership roles have someone ready now; \(benched) people on the bench."])
            var cells: [String] = []
            for role in ["principal", "assistant_principal", "coach", "teacher_leader"] {
                let now = try await column("SELECT COUNT(*) AS n FROM succession_bench WHERE school_id = 'school-1' AND role = \(bind: role) AND readiness = 'ready now'")[0]
                let all = try await column("SELECT COUNT(*) AS n FROM succession_bench WHERE school_id = 'school-1' AND role = \(bind: role)")[0]
                cells.append("\(now) ready now · \(all) on the bench")
            }
            #expect(Self.text(try await leader.page("/succession")).contains("Lincoln Elementary School " + cells.joined(separator: " ")), "the district's bench page")
            #expect(Self.evidence(try await coach.page("\(base)/succession"), "succession") == ["The bench is seen only by the school's principal and district leaders."])
            #expect(Self.evidence(collaboration, "plc-cycles") == ["\(teams) \(teams == 1 ? "PLC" : "PLCs"); \(inCycle) in a cycle of inquiry; \(met) met in the last 30 days."])
        }
    }

    /// Mastery trends and equity gaps, practice trends and professional learning: each line equals the page it links to,
    /// and the counts that can be read from rows are recomputed from them.
    @Test(arguments: TestDatabase.all)
    func learningPracticeAndProfessionalLearningEqualTheirPages(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let base = "/leadership/school-1/\(SchoolYear.current())"
            let leader = try await Self.client(app, people.email(.districtLeader))
            let sql = app.db.sql
            let now = Int(Date().timeIntervalSince1970), today = DisplayTime.isoDay(now)
            let yearStart = DisplayTime.schoolYearStart(of: today)
            func percent(_ part: Int, _ whole: Int) -> String { "\(Int((Double(part) * 100 / Double(whole)).rounded()))%" }
            func count(_ query: SQLQueryString) async throws -> Int { try await sql.raw(query).first()!.decode(column: "n", as: Int.self) }

            // Mastery trends: the learning page's flagged standards and its rows; equity: the page's count and its first gap.
            let system = Self.evidence(try await leader.page("\(base)/assessment-system"), "learning-and-equity")
            let learning = try await leader.page("/insights/learning?school=school-1")
            let flags = learning.firstMatch(of: /<ul class="flags">(.*?)<\/ul>/.dotMatchesNewlines()).map { $0.1.matches(of: /<li>/).count } ?? 0
            let standards = learning.matches(of: /<tr(?: class="flagged")?><th scope="row">/).count
            #expect(standards > 0, "the demo has results")
            #expect(system.first == "\(flags) of \(standards) standards with results this school year flagged as candidate problems of learning (fewest students at mastery, or down 10 points from their best month).")
            let equity = try await leader.page("/insights/equity?school=school-1")
            let gaps = try #require(equity.firstMatch(of: /data-gap-count="(\d+)"/).map { Int($0.1)! })
            let first = try #require(equity.firstMatch(of: /standard=[^"]+">([^<]+)<\/a><\/td><td>([^<]+)<\/td><td class="num">[^<]*<\/td><td class="num">\d+<\/td><td class="num">([^<]+)<\/td>/))
            #expect(gaps > 0, "the demo has gaps to close")
            #expect(system.last == Self.text("\(gaps) gaps to close in \(InsightsScope.label(month: String(today.prefix(7)))), each a student group below all students on one standard; widest: \(first.2) on \(first.1), \(first.3) points."))

            // Practices: the framework's practices over this school year's walkthroughs at the school, from their marks.
            let framework = try await FrameworkStore.active(on: app.db).framework
            var looked: [(name: String, seen: Int, of: Int)] = []
            for indicator in framework.domains.flatMap(\.indicators) {
                let marks = try await sql.raw("""
                    SELECT m.mark FROM indicator_marks m JOIN walkthroughs w ON w.id = m.walkthrough_id
                    WHERE w.school_id = 'school-1' AND m.indicator_key = \(bind: indicator.key) AND w.observed_at >= \(bind: DisplayTime.startOfDay(String(yearStart.prefix(7)) + "-01"))
                    """).all().map { try $0.decode(column: "mark", as: String.self) }
                let seen = marks.filter { $0 == "observed" }.count, of = seen + marks.filter { $0 == "not_observed" }.count
                if of > 0 { looked.append((indicator.shortName, seen, of)) }
            }
            let share = { (p: (name: String, seen: Int, of: Int)) in Double(p.seen) / Double(p.of) }
            let most = try #require(looked.max { share($0) < share($1) }), least = try #require(looked.min { share($0) < share($1) })
            #expect(Self.evidence(try await leader.page("\(base)/observation-and-feedback"), "practice-trends") == [Self.text(
                "\(looked.count) of \(framework.domains.flatMap(\.indicators).count) practices looked for this school year; seen most often: \(most.name) (\(percent(most.seen, most.of)) of \(most.of) visits that looked for it); "
                + "least often: \(least.name) (\(percent(least.seen, least.of)) of \(least.of)).")])
            let practice = Self.text(try await leader.page("/insights/practice?school=school-1"))
            for p in [most, least] { #expect(practice.contains(Self.text("\(p.name)")) && practice.contains("\(percent(p.seen, p.of)) \(p.of)"), "the practice page's total for \(p.name)") }

            // Professional learning: a session of the school 70 days ago on two practices, attended by two of its teachers,
            // whose window after has closed; the impact page's last row says whether they were seen more often after.
            let teachers = try await StaffDirectory(db: app.db).people(holding: [.teacher], atSchools: ["school-1"]).map(\.id)
            let session = LearningSession()
            session.id = "test-session-past"; session.scope = "school-1"; session.title = "Checking for understanding"; session.series = ""
            session.facilitatorId = district.accounts.first { $0.isFeatured && $0.grants.first?.role == .coach }!.sourcedId!; session.audience = ""; session.startsAt = now - 70 * 86_400; session.endsAt = session.startsAt + 3_600
            session.location = ""; session.materials = ""; session.lookFors = ""; session.standards = ""; session.createdBy = session.facilitatorId; session.createdAt = session.startsAt
            session.indicators = framework.domains.flatMap(\.indicators).prefix(2).map(\.key).joined(separator: ",")
            try await session.create(on: app.db)
            for (index, teacher) in teachers.prefix(2).enumerated() {
                let attendance = SessionAttendance()
                attendance.id = "test-attendance-\(index)"; attendance.sessionId = session.id!; attendance.staffId = teacher
                attendance.recordedBy = session.facilitatorId; attendance.recordedAt = session.endsAt
                try await attendance.create(on: app.db)
            }
            let since = DisplayTime.startOfDay(yearStart)
            let needs = try await count("SELECT COUNT(*) AS n FROM learning_needs WHERE scope = 'school-1' AND accepted_at >= \(bind: since)")
            let open = try await count("SELECT COUNT(*) AS n FROM learning_needs n WHERE scope = 'school-1' AND status = 'open' AND NOT EXISTS (SELECT 1 FROM learning_sessions s WHERE s.need_id = n.id)")
            let held = try await count("SELECT COUNT(*) AS n FROM learning_sessions WHERE scope = 'school-1' AND starts_at >= \(bind: since) AND ends_at < \(bind: now)")
            let attended = try await count("SELECT COUNT(*) AS n FROM session_attendance a JOIN learning_sessions s ON s.id = a.session_id WHERE s.scope = 'school-1' AND s.starts_at >= \(bind: since) AND s.ends_at < \(bind: now)")
            let judged = try await count("""
                SELECT COUNT(*) AS n FROM learning_sessions WHERE scope = 'school-1' AND starts_at >= \(bind: since) AND indicators <> '' AND ends_at + \(bind: SessionImpact.windowDays * 86_400) <= \(bind: now)
                """)
            #expect(judged == (session.startsAt >= since ? 1 : 0), "only the added session's window has closed")
            let impact = try await leader.page("/learning/sessions/test-session-past/impact")
            let all = try #require(impact.firstMatch(of: /All of the session(?:'|&#39;)s practices<\/th><td class="num">([^<]*)<\/td><td>[^<]*<\/td><td class="num">([^<]*)<\/td><td>[^<]*<\/td><td class="num">([^<]*)<\/td>/))
            let compared = judged == 1 && all.1 != "—" && all.2 != "—"
            #expect(compared || judged == 0, "the school's first two teachers were visited before and after the session: \(all.0)")
            let improved = all.3.hasPrefix("+") ? 1 : 0
            let lines = Self.evidence(try await leader.page("\(base)/professional-growth"), "professional-learning")
            #expect(lines.first == "\(needs) \(needs == 1 ? "need" : "needs") accepted this school year, \(open) open without a session; \(held) \(held == 1 ? "session" : "sessions") held, \(attended) \(attended == 1 ? "attendance" : "attendances").")
            #expect(lines.last == (compared ? "\(improved) of 1 sessions with practices and a closed 60-day window saw them more often in their attendees' classrooms after than before."
                                            : "No session this school year has practices and a closed 60-day window after it yet."), "\(all.0)")
        }
    }

    /// A refused import changes nothing; an accepted one is the version new self-assessments start on, while a year
    /// already started keeps its own.
    @Test(arguments: TestDatabase.all)
    func importingTheFrameworkRefusesBadFilesAndKeepsStartedYearsOnTheirVersion(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let admin = try await Self.client(app, DemoPeople(district: district).email(.districtAdmin))
            let versions = { try await app.db.sql.raw("SELECT id FROM leadership_frameworks ORDER BY id").all().map { try $0.decode(column: "id", as: String.self) } }
            #expect(try await versions() == ["lodestar-leadership@1"])
            var bad = LeadershipFramework.lodestarDefault
            bad.dimensions[1].indicators[2].evidence = ["assessment-frequency", "test-scores"]
            let refused = try await admin.upload("/admin/leadership-frameworks/import", file: Data(LeadershipFrameworkJSON.encode(bad)), field: "file", fileName: "ours.json", fields: [:])
            #expect(refused.status == .unprocessableEntity)
            #expect(Self.text(refused.body.string).contains("ours.json, field framework.dimensions[1].indicators[2].evidence[1]: “test-scores” is not a measure Lodestar knows"))
            #expect(try await versions() == ["lodestar-leadership@1"])
            var good = LeadershipFramework.lodestarDefault
            good.name = "Cedar Valley leadership"
            #expect(try await admin.upload("/admin/leadership-frameworks/import", file: Data(LeadershipFrameworkJSON.encode(good)), field: "file", fileName: "ours.json", fields: [:]).status == .seeOther)
            #expect(try await versions() == ["lodestar-leadership@1", "lodestar-leadership@2"])
            #expect(try await LeadershipQueries(db: app.db).activeFramework().id == "lodestar-leadership@2")
            #expect(try await LeadershipQueries(db: app.db).assessment(school: "school-1", year: SchoolYear.current())?.frameworkId == "lodestar-leadership@1")
            // Only district admins manage it.
            let principal = try await Self.client(app, DemoPeople(district: district).email(.principal))
            #expect(try await principal.get("/admin/leadership-frameworks").status == .forbidden)
        }
    }
}
