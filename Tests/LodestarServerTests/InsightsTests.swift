import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Insights: practice trends")
struct InsightsTests {
    func post(_ submission: WalkthroughSubmission, as client: TestClient) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse!
        try await client.app.testing().test(.POST, "/api/walkthroughs", beforeRequest: { req in
            req.headers.replaceOrAdd(name: .cookie, value: client.cookie!)
            req.headers.replaceOrAdd(name: "X-CSRF-Token", value: client.csrf!)
            try req.content.encode(submission, as: .json)
        }, afterResponse: { result = $0 })
        return result
    }

    func visit(_ teacher: String, classId: String?, at: Double, _ marks: [(String, String)]) -> WalkthroughSubmission {
        WalkthroughSubmission(id: UUID().uuidString.lowercased(), teacherId: teacher, classId: classId, visitType: .informal, observedAt: at,
                              studentsOnTask: nil, studentsPresent: nil, marks: marks.map { .init(indicator: $0.0, mark: $0.1) }, notes: [],
                              glow: "Students explained their thinking.", grow: "", question: "")
    }

    @Test(arguments: TestDatabase.all)
    func practiceSharesCountVisitsThatSawEachPracticeAndTheRollupEqualsARebuild(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            // Two classes of the principal's school: a grade 1 homeroom and a grade 4 homeroom.
            let classes = district.bundle.classes.filter { $0.schoolSourcedId == "school-1" }
            let early = try #require(classes.first { $0.grades == ["01"] }), later = try #require(classes.first { $0.grades == ["04"] })
            let teacherOf = { (classId: String) in district.bundle.enrollments.first { $0.classSourcedId == classId && $0.role == "teacher" }!.userSourcedId }
            let now = Date().timeIntervalSince1970
            // Grade 1: target seen twice, not seen once; discourse not applicable once (left out).
            // Grade 4: target seen once. No class: target not marked (counts as not seen).
            for submission in [
                visit(teacherOf(early.sourcedId), classId: early.sourcedId, at: now - 3_600, [("learning-target", "observed"), ("discourse", "not_applicable")]),
                visit(teacherOf(early.sourcedId), classId: early.sourcedId, at: now - 7_200, [("learning-target", "observed"), ("discourse", "observed")]),
                visit(teacherOf(early.sourcedId), classId: early.sourcedId, at: now - 9_000, [("learning-target", "not_observed")]),
                visit(teacherOf(later.sourcedId), classId: later.sourcedId, at: now - 3_000, [("learning-target", "observed")]),
                visit(teacherOf(later.sourcedId), classId: nil, at: now - 2_000, [("rigor", "observed")]),
            ] {
                #expect(try await post(submission, as: principal).status == .created)
            }
            let month = IndicatorRollup.month(Int(now - 3_600))
            let filter = InsightsQueries.PracticeFilter(schoolIds: ["school-1"], fromMonth: month, throughMonth: month)
            let queries = InsightsQueries(db: app.db)
            let byBand = try await queries.practice(filter, by: .gradeBand)
            func cell(_ indicator: String, _ column: String?) -> (Int, Int)? {
                byBand.first { $0.indicator == indicator && $0.column == column }.map { ($0.visits, $0.seen) }
            }
            #expect(cell("learning-target", "K–2")! == (3, 2))
            #expect(cell("learning-target", "3–5")! == (1, 1))
            #expect(cell("learning-target", "")! == (1, 0))
            #expect(cell("learning-target", nil)! == (5, 3))
            #expect(cell("discourse", "K–2")! == (2, 1))
            #expect(cell("discourse", nil)! == (4, 1))
            #expect(cell("rigor", nil)! == (5, 1))

            // The rollup kept by every save equals one rebuilt from the walkthroughs.
            let maintained = try await IndicatorRollup.all(on: app.db)
            #expect(maintained.count > 0)
            try await runCommand(app, ["rollups", "rebuild"])
            #expect(try await IndicatorRollup.all(on: app.db) == maintained)

            // The page shows the shares; the CSV has exactly the numbers shown; the drill-down lists the visits.
            let page = try await principal.get("/insights/practice?by=grade_band&from=\(month)&through=\(month)").body.string
            #expect(page.contains("Clear learning target, K–2: 67% of 3 visits"))
            let csv = try await principal.get("/insights/practice.csv?by=grade_band&from=\(month)&through=\(month)").body.string
            #expect(csv.contains("Clear learning target,K–2,3,2,67\r\n"))
            #expect(csv.contains("Clear learning target,All,5,3,60\r\n"))
            let drill = try await principal.get("/insights/practice/visits?band=K%E2%80%932&by=grade_band&from=\(month)&through=\(month)&indicator=learning-target&school=school-1")
            #expect(drill.status == .ok)
            #expect(drill.body.string.components(separatedBy: "<tr><td><a href=\"/walkthroughs/").count - 1 == 3)
        }
    }

    @Test(arguments: TestDatabase.all)
    func trendsAreForLeadersAndTheVisitsBehindThemForThoseWhoReadEveryWalkthrough(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let drill = "/insights/practice/visits?indicator=learning-target&school=school-1"
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            #expect(try await teacher.get("/insights/practice").status == .forbidden)
            #expect(try await teacher.get("/insights/feedback").status == .forbidden)
            #expect(try await teacher.get("/insights/practice.csv").status == .forbidden)
            let coach = TestClient(app)
            try await coach.signIn(people.email(.coach))
            #expect(try await coach.get("/insights/practice").status == .ok)
            #expect(try await coach.get(drill).status == .forbidden)
            #expect(try await coach.get("/insights/practice?school=school-2").status == .forbidden)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.get(drill).status == .ok)
            #expect(try await principal.get("/insights/practice?school=school-2").status == .forbidden)
            #expect(try await principal.get("/insights/practice/visits?indicator=learning-target&school=school-2").status == .forbidden)
            // A principal sees their own school, not the district's view by school.
            #expect(!(try await principal.get("/insights/practice").body.string.contains("All schools")))
            let leader = TestClient(app)
            try await leader.signIn(people.email(.districtLeader))
            #expect(try await leader.get("/insights/practice?by=school_id").body.string.contains("All schools"))
            #expect(try await leader.get("/insights/practice/visits?indicator=learning-target").status == .ok)
            #expect(try await leader.get("/insights/feedback.csv").body.string.hasPrefix("school,visits_30_days,teachers,teachers_visited,median_hours_to_feedback"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func feedbackHealthAndCoverageEqualTheRawWalkthroughs(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let through = DisplayTime.date(fromISODay: "2026-11-20", time: "17:00")!
            try await DemoLoader.load(size: .small, seed: 3, through: through, on: app.db)
            let now = Int(through.timeIntervalSince1970)
            let loops = try await InsightsQueries(db: app.db).feedbackLoops(schoolIds: ["school-1"], now: now)
            let school = try #require(loops.first)
            let rows = try await app.db.sql.raw("""
                SELECT teacher_id, observed_at, shared_at FROM walkthroughs WHERE school_id = 'school-1' AND observed_at >= \(bind: now - 30 * 86_400) AND observed_at <= \(bind: now)
                """).all()
            #expect(school.loop.visits == rows.count)
            #expect(school.loop.shared == (try rows.filter { try $0.decode(column: "shared_at", as: Int?.self) != nil }.count))
            let teachers = try await RoleGrantRecord.query(on: app.db).filter(\.$role == "teacher").filter(\.$schoolId == "school-1").all().map(\.staffId)
            #expect(school.teachers == teachers.count)
            #expect(school.visitedTeachers == Set(try rows.map { try $0.decode(column: "teacher_id", as: String.self) }).intersection(teachers).count)
            // The demo's rollup, loaded in bulk, equals a rebuild too.
            let loaded = try await IndicatorRollup.all(on: app.db)
            try await IndicatorRollup.rebuild(on: app.db)
            #expect(try await IndicatorRollup.all(on: app.db) == loaded)
        }
    }
}
