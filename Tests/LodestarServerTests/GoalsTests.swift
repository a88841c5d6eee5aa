import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Goals and action plans")
struct GoalsTests {
    /// Adds an assessment of school-1 on `day` with one score per (student, standard, value).
    func scores(_ db: any Database, day: String, _ rows: [(String, String, Double)]) async throws {
        let assessment = Assessment()
        assessment.id = "a-\(day)-\(rows.count)-\(rows.first?.0 ?? "")"
        assessment.title = "Check \(day)"
        assessment.assessedOn = day
        assessment.scaleId = MasteryStore.defaultScaleId
        assessment.schoolId = "school-1"
        assessment.createdBy = "test"
        assessment.createdAt = 0
        try await assessment.create(on: db)
        for (student, standard, value) in rows {
            let score = Score()
            score.id = Score.id(assessment: assessment.id!, student: student, standard: standard)
            score.assessmentId = assessment.id!
            score.studentId = student
            score.standardId = standard
            score.value = value
            score.enteredAt = 0
            score.enteredBy = "test"
            try await score.create(on: db)
        }
    }

    @Test(arguments: TestDatabase.all)
    func masteryShareCountsStudentsWhoseMeanMasteryReachesTheLevelAsOfEachDay(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            _ = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: app.db)
            try await MasteryStore.setMethod(.mostRecent, for: "district", on: app.db)
            let students = district.bundle.users.filter { $0.role == "student" && $0.orgSourcedIds == ["school-1"] }.prefix(3).map(\.sourcedId)
            let (a, b, c) = (students[0], students[1], students[2])
            try await app.db.sql.raw("UPDATE students SET english_learner = \(bind: true) WHERE id = \(bind: a)").run()
            try await app.db.sql.raw("UPDATE students SET english_learner = \(bind: false) WHERE id IN (\(bind: b), \(bind: c))").run()
            // Most recent score per standard; at or above when the mean reaches 3 (the four-level scale's mastery).
            try await scores(app.db, day: "2026-09-10", [(a, "s1", 2), (a, "s2", 4), (b, "s1", 3), (c, "s1", 1)])
            try await scores(app.db, day: "2026-10-01", [(a, "s1", 3), (b, "s1", 2), (c, "s2", 3)])
            let metric = GoalMetric(kind: .mastery, standardIds: ["s1", "s2"])
            let queries = GoalMetricQueries(db: app.db)
            // Sept 20: A (2+4)/2 = 3 ✓, B 3 ✓, C 1 ✗ → 2 of 3. Oct 5: A (3+4)/2 ✓, B 2 ✗, C (1+3)/2 = 2 ✗ → 1 of 3.
            let values = try await queries.values(metric, scope: "school-1", days: ["2026-09-01", "2026-09-20", "2026-10-05"])
            #expect(values[0] == nil)
            #expect(abs(values[1]! - 200.0 / 3) < 1e-9)
            #expect(abs(values[2]! - 100.0 / 3) < 1e-9)
            // English learners: only A → 100%. Another school: nobody.
            var learners = metric
            learners.group = StudentGroup.englishLearner.key
            #expect(try await queries.values(learners, scope: "school-1", days: ["2026-10-05"]) == [100])
            #expect(try await queries.values(metric, scope: "school-2", days: ["2026-10-05"]) == [nil])
            #expect(try await queries.values(metric, scope: "district", days: ["2026-10-05"]) == values.suffix(1).map { $0 })
        }
    }

    @Test(arguments: TestDatabase.all)
    func walkthroughAndFeedbackMeasuresEqualCountsFromTheRawRows(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let through = DisplayTime.date(fromISODay: "2026-11-20", time: "17:00")!
            try await DemoLoader.load(size: .small, seed: 3, through: through, on: app.db)
            let day = "2026-11-13"
            let window = GoalMetricQueries.window(endingOn: day)
            let sql = app.db.sql
            let queries = GoalMetricQueries(db: app.db)
            for scope in ["school-1", "district"] {
                let schoolFilter: SQLQueryString = scope == "district" ? "" : " AND w.school_id = \(bind: scope)"
                // Share observed: walkthroughs with the indicator marked observed over those that marked it observed or
                // not observed (unmarked: not looked for; not applicable: left out).
                let counts = try await sql.raw("""
                    SELECT COUNT(*) AS visits, SUM(CASE WHEN m.mark = 'observed' THEN 1 ELSE 0 END) AS seen,
                           (SELECT COUNT(*) FROM walkthroughs w WHERE w.observed_at >= \(bind: window.lowerBound) AND w.observed_at < \(bind: window.upperBound)
                              \(schoolFilter)) AS every_visit
                    FROM walkthroughs w JOIN indicator_marks m ON m.walkthrough_id = w.id AND m.indicator_key = 'checks-for-understanding'
                    WHERE w.observed_at >= \(bind: window.lowerBound) AND w.observed_at < \(bind: window.upperBound)
                      AND m.mark IN ('observed', 'not_observed')
                    """ + schoolFilter).first()!
                let visits = try counts.decode(column: "visits", as: Int.self), seen = try counts.decode(column: "seen", as: Int.self)
                #expect(visits > 10)
                // The demo leaves some practices unmarked, so the rule is tried: fewer visits looked for it than were made.
                #expect(try counts.decode(column: "every_visit", as: Int.self) > visits + 3)
                let share = try await queries.values(GoalMetric(kind: .indicatorObserved, indicatorKey: "checks-for-understanding"), scope: scope, days: [day])[0]
                #expect(abs(share! - 100 * Double(seen) / Double(visits)) < 1e-9)

                // Median hours to feedback over the shared visits in the window.
                let hours = try await sql.raw("""
                    SELECT (w.shared_at - w.observed_at) AS seconds FROM walkthroughs w
                    WHERE w.shared_at IS NOT NULL AND w.observed_at >= \(bind: window.lowerBound) AND w.observed_at < \(bind: window.upperBound)
                    """ + schoolFilter + " ORDER BY seconds").all().map { Double(try $0.decode(column: "seconds", as: Int.self)) / 3_600 }
                let median = hours.count % 2 == 1 ? hours[hours.count / 2] : (hours[hours.count / 2 - 1] + hours[hours.count / 2]) / 2
                #expect(try await queries.values(GoalMetric(kind: .hoursToFeedback), scope: scope, days: [day]) == [median])
            }

            // Leaders' time summed in the database equals the ledger over every entry, leader by leader.
            let time = TimeQueries(db: app.db)
            let leaders = Set(try await StaffDirectory(db: app.db).holders(of: [.principal, .assistantPrincipal, .coach]).map(\.id)).sorted()
            let instructional = Set(try await time.categories().filter(\.instructional).map(\.key))
            let entries = Dictionary(grouping: try await time.entries(leaders: leaders, from: window.lowerBound, to: window.upperBound), by: \.leaderId)
            let summed = try await time.ledgers(leaders: leaders, from: window.lowerBound, to: window.upperBound)
            #expect(summed.count >= 6)
            for leader in leaders {
                let ledger = TimeLedger((entries[leader] ?? []).map(\.ledgerEntry), instructional: instructional)
                #expect(summed[leader]?.minutesByCategory ?? [:] == ledger.minutesByCategory, "\(leader)")
            }

            // The demo's school goals were measured to its last day; the kept measurements equal the measure.
            let goal = try #require(try await SmartGoal.find("demo-goal|school-1|checks", on: app.db))
            let progress = try await GoalProgress.compute(goal, today: "2026-11-21", on: app.db)
            let kept = try await GoalMeasurement.query(on: app.db).filter(\.$goalId == goal.id!).sort(\.$day).all()
            #expect(kept.map(\.day) == GoalProgress.checkpoints(from: goal.startsOn, through: "2026-11-20"))
            let direct = try await queries.values(try goal.metric, scope: "school-1", days: kept.map(\.day))
            #expect(kept.map(\.value) == direct)
            #expect(progress.points.dropFirst().map(\.value) == direct.compactMap { $0 })
            let again = try await GoalProgress.compute(goal, today: "2026-11-21", on: app.db)
            #expect(again.points.map(\.value) == progress.points.map(\.value))
        }
    }

    @Test(arguments: TestDatabase.all)
    func leadersTimeShareCountsWalkthroughsInsideRecordedTimeOnce(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let principal = district.accounts.first { $0.grants.contains(RoleGrant(role: .principal, schoolId: "school-2")) }!.sourcedId!
            let teacher = district.bundle.users.first { $0.role == "teacher" && $0.orgSourcedIds == ["school-2"] }!.sourcedId
            let day = "2026-11-10"
            let at = { (time: String) in Int(DisplayTime.date(fromISODay: day, time: time)!.timeIntervalSince1970) }
            func entry(_ id: String, _ from: String, _ to: String, _ category: String) async throws {
                let entry = TimeEntry()
                entry.id = id; entry.leaderId = principal; entry.startsAt = at(from); entry.endsAt = at(to); entry.title = id
                entry.category = category; entry.source = "manual"; entry.guessed = false; entry.allDay = false; entry.createdAt = 0
                try await entry.create(on: app.db)
            }
            func visit(_ id: String, _ time: String) async throws {
                let framework = try await FrameworkStore.active(on: app.db).id
                try await app.db.sql.raw("""
                    INSERT INTO walkthroughs (id, framework_id, observer_id, teacher_id, school_id, visit_type, announced, observed_at, glow, grow, question, notes, created_at)
                    VALUES (\(bind: id), \(bind: framework), \(bind: principal), \(bind: teacher), 'school-2', 'informal', \(bind: false), \(bind: at(time)), '', '', '', '[]', 0)
                    """).run()
            }
            try await entry("walkthrough block", "09:00", "10:00", "walkthroughs")
            try await entry("bus duty", "07:00", "09:00", "operations")
            try await visit("inside", "09:15")
            try await visit("outside", "11:00")
            // Instructional: the 60-minute block + the 15-minute visit outside it = 75; all: 75 + 120 = 195.
            let share = try await GoalMetricQueries(db: app.db).values(GoalMetric(kind: .instructionalTime), scope: "school-2", days: [day])[0]
            #expect(abs(share! - 100 * 75.0 / 195) < 1e-9)
            #expect(try await GoalMetricQueries(db: app.db).values(GoalMetric(kind: .instructionalTime), scope: "school-1", days: [day]) == [nil])
        }
    }

    /// Goals on leaders' time are measured again once overlapping time counts once, and their history says so.
    @Test(arguments: TestDatabase.all)
    func timeGoalsAreMeasuredAgainWhenOverlapsCountOnce(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let principal = TestClient(app)
            try await principal.signIn(DemoPeople(district: district).email(.principal))
            let goal = "demo-goal|school-1|time"
            #expect(try await principal.get("/goals/school-1/\(goal)").status == .ok)  // takes and keeps its measurements
            let kept = { try await GoalMeasurement.query(on: app.db).filter(\.$goalId == goal).count() }
            let mastery = { try await GoalMeasurement.query(on: app.db).filter(\.$goalId == "demo-goal|school-1|mastery").count() }
            let before = (try await kept(), try await mastery())
            #expect(before.0 > 0)
            try await TimeOverlapsCountedOnceMigration().prepare(on: app.db)
            #expect(try await kept() == 0)
            #expect(try await mastery() == before.1)  // other goals keep theirs
            let page = try await principal.page("/goals/school-1/\(goal)")
            #expect(page.contains("Measurements taken again") && page.contains("Lodestar") && page.contains("now count once"))
            #expect(try await kept() > 0)  // taken again, by the new rule
        }
    }

    /// Goals on a practice are measured again once unmarked visits stop counting as not seen: the baseline is taken
    /// again as of its day, the kept measurements are dropped, and the history says so. The expected baseline is
    /// counted here from the raw marks.
    @Test(arguments: TestDatabase.all)
    func practiceGoalsAreMeasuredAgainWhenOnlyVisitsThatLookedCount(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let principal = TestClient(app)
            try await principal.signIn(DemoPeople(district: district).email(.principal))
            let goal = "demo-goal|school-1|checks"
            #expect(try await principal.get("/goals/school-1/\(goal)").status == .ok)
            let kept = { try await GoalMeasurement.query(on: app.db).filter(\.$goalId == goal).count() }
            #expect(try await kept() > 0)
            let stored = try #require(try await SmartGoal.find(goal, on: app.db))
            // The baseline as the old rule took it: unmarked visits counted as not seen.
            let window = GoalMetricQueries.window(endingOn: stored.startsOn)
            let row = try #require(try await app.db.sql.raw("""
                SELECT SUM(CASE WHEN m.mark = 'observed' THEN 1 ELSE 0 END) AS seen,
                       SUM(CASE WHEN m.mark IN ('observed', 'not_observed') THEN 1 ELSE 0 END) AS looked, COUNT(*) AS could
                FROM walkthroughs w LEFT JOIN indicator_marks m ON m.walkthrough_id = w.id AND m.indicator_key = 'checks-for-understanding'
                WHERE w.school_id = 'school-1' AND w.observed_at >= \(bind: window.lowerBound) AND w.observed_at < \(bind: window.upperBound)
                  AND (m.mark IS NULL OR m.mark <> 'not_applicable')
                """).first())
            let seen = Double(try row.decode(column: "seen", as: Int.self)), looked = Double(try row.decode(column: "looked", as: Int.self))
            let could = Double(try row.decode(column: "could", as: Int.self))
            #expect(could > looked)
            try await app.db.sql.raw("UPDATE goals SET baseline = \(bind: 100 * seen / could) WHERE id = \(bind: goal)").run()

            try await app.db.transaction { db in try await PracticeSeenOfLookedForMigration.recount(on: db) }
            #expect(try await kept() == 0)
            let baseline = try #require(try await SmartGoal.find(goal, on: app.db)).baseline
            #expect(abs(baseline - 100 * seen / looked) < 1e-9)
            let page = try await principal.page("/goals/school-1/\(goal)")
            #expect(page.contains("Measurements taken again") && page.contains("now counts only the walkthroughs that looked for it"))
            #expect(page.contains(String(format: "is %.1f%% (it was %.1f%%)", 100 * seen / looked, 100 * seen / could)))
            #expect(try await kept() > 0)
            // The rollup was recomputed with the new column and equals a rebuild.
            let recomputed = try await IndicatorRollup.all(on: app.db)
            try await IndicatorRollup.rebuild(on: app.db)
            #expect(try await IndicatorRollup.all(on: app.db) == recomputed)
            #expect(recomputed.values.contains { $0[2] > 0 })
        }
    }

    @Test(arguments: TestDatabase.all)
    func principalSetsAGoalWithItsBaselinePlansStepsAndStaffReadIt(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let principalId = district.accounts.first { $0.email == people.email(.principal) }!.sourcedId!
            let deadline = DisplayTime.isoDay(DisplayTime.isoDay(Int(Date().timeIntervalSince1970)), plus: 120)
            var form = ["statement": "Half of all visits see checks for understanding", "ownerId": principalId, "kind": "indicator_observed",
                        "indicatorKey": "checks-for-understanding", "target": "50", "deadline": deadline]
            // No walkthroughs yet: no baseline, so no goal.
            let refused = try await principal.post("/goals/school-1", form: form)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("no data for this measure yet"))
            #expect(try await SmartGoal.query(on: app.db).count() == 0)

            // A manual goal takes the typed baseline; bad input names what is wrong.
            form = ["statement": "Families at conferences", "ownerId": principalId, "kind": "manual", "unit": "%", "baseline": "", "target": "90", "deadline": deadline]
            #expect(try await principal.post("/goals/school-1", form: form).body.string.contains("Give the baseline"))
            form["baseline"] = "62"
            form["deadline"] = "2020-01-01"
            #expect(try await principal.post("/goals/school-1", form: form).body.string.contains("deadline after today"))
            form["deadline"] = deadline
            let created = try await principal.post("/goals/school-1", form: form)
            #expect(created.status == .seeOther)
            let goal = try #require(try await SmartGoal.query(on: app.db).first())
            #expect(goal.baseline == 62 && goal.scope == "school-1")
            let goalPath = "/goals/school-1/\(goal.id!)"
            // A new step is the goal owner's until someone else is chosen (it was the first name alphabetically).
            let newStep = try #require(try await principal.page(goalPath).firstMatch(of: /<select id="step-owner" name="ownerId">(.*?)<\/select>/))
            #expect(newStep.1.contains("<option value=\"\(principalId)\" selected>"))
            #expect(newStep.1.matches(of: /selected/).count == 1)

            // Steps, a moved date that must say why, a check-in, evidence.
            #expect(try await principal.post("\(goalPath)/steps", form: ["text": "Call every family before conferences", "ownerId": principalId, "dueOn": "2026-01-10"]).status == .seeOther)
            let step = try #require(try await ActionStep.query(on: app.db).first())
            #expect(try await principal.post("\(goalPath)/steps/\(step.id!)", form: ["ownerId": principalId, "dueOn": "2026-02-10", "status": "in_progress"]).status == .unprocessableEntity)
            #expect(try await principal.post("\(goalPath)/steps/\(step.id!)", form: ["ownerId": principalId, "dueOn": "2026-02-10", "status": "in_progress", "why": "Conferences moved to February"]).status == .seeOther)
            #expect(try await principal.post("\(goalPath)/steps/\(step.id!)/check-ins", form: ["note": "Half the families called", "status": "in_progress"]).status == .seeOther)
            #expect(try await principal.post("\(goalPath)/steps/\(step.id!)/evidence", form: ["href": "javascript:alert(1)", "label": "x"]).status == .unprocessableEntity)
            #expect(try await principal.post("\(goalPath)/steps/\(step.id!)/evidence", form: ["href": "/walkthroughs/abc", "label": "Visit"]).status == .seeOther)
            #expect(try await principal.post("\(goalPath)/values", form: ["day": DisplayTime.isoDay(Int(Date().timeIntervalSince1970)), "value": "70"]).status == .seeOther)
            let log = try await PlanChange.query(on: app.db).filter(\.$goalId == goal.id!).all().map(\.what)
            #expect(log.contains { $0.contains("due Jan 10, 2026 → Feb 10, 2026") })
            let page = try await principal.get(goalPath)
            #expect(page.body.string.contains("Conferences moved to February"))
            #expect(page.body.string.contains("Overdue"))
            #expect(page.body.string.contains("<svg class=\"chart\""))
            // The owner's Today page points at the overdue step.
            #expect(try await principal.get("/").body.string.contains("Your action step “Call every family before conferences” was due Feb 10, 2026."))

            // Staff of the school read the plan; they cannot change it; other schools cannot see it.
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            #expect(try await teacher.get("/goals/school-1").body.string.contains("Families at conferences"))
            #expect(try await teacher.get(goalPath).status == .ok)
            #expect(try await teacher.post("\(goalPath)/steps", form: ["text": "x", "ownerId": principalId, "dueOn": "2026-01-10"]).status == .forbidden)
            #expect(try await teacher.post("/goals/school-1", form: form).status == .forbidden)
            #expect(try await teacher.get("/goals/school-2").status == .forbidden)
            #expect(try await principal.post("/goals/school-2", form: form).status == .forbidden)
            #expect(try await principal.post("/goals/district", form: form).status == .forbidden)
            #expect(try await principal.get("/goals/school-2/\(goal.id!)").status == .forbidden)

            // Exports: goals and steps as CSV; the printable plan.
            let csv = try await teacher.get("/goals/school-1/goals.csv")
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string.hasPrefix("goal_id,scope,statement,owner,measure,baseline,latest,target"))
            #expect(csv.body.string.contains("Families at conferences"))
            #expect(try await teacher.get("/goals/school-1/steps.csv").body.string.contains("Call every family before conferences"))
            #expect(try await teacher.get("/goals/school-1/print").body.string.contains("school plan"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func schoolGoalsAlignToDistrictGoalsAndTheDistrictSeesTheirStatus(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let deadline = DisplayTime.isoDay(DisplayTime.isoDay(Int(Date().timeIntervalSince1970)), plus: 200)
            let leader = TestClient(app)
            try await leader.signIn(people.email(.districtLeader))
            let leaderId = district.accounts.first { $0.email == people.email(.districtLeader) }!.sourcedId!
            #expect(try await leader.post("/goals/district", form: ["statement": "Every family is reached", "ownerId": leaderId, "kind": "manual",
                                                                     "baseline": "40", "target": "80", "deadline": deadline]).status == .seeOther)
            let districtGoal = try #require(try await SmartGoal.query(on: app.db).filter(\.$scope == "district").first())
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let principalId = district.accounts.first { $0.email == people.email(.principal) }!.sourcedId!
            #expect(try await principal.get("/goals/school-1/new").body.string.contains("Every family is reached"))
            #expect(try await principal.post("/goals/school-1", form: ["statement": "Lincoln reaches every family", "ownerId": principalId, "kind": "manual",
                                                                       "parentId": districtGoal.id!, "baseline": "30", "target": "90", "deadline": deadline]).status == .seeOther)
            let page = try await leader.get("/goals/district/\(districtGoal.id!)")
            #expect(page.body.string.contains("School goals aligned to this goal"))
            #expect(page.body.string.contains("Lincoln reaches every family"))
            #expect(try await principal.get("/goals/school-1").body.string.contains("Aligned to the district goal: Every family is reached"))
        }
    }
}
