import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// The observer fixes what they did: edits a draft or shared feedback (the teacher sees "edited"), takes back
/// feedback within the window while the teacher has not replied, deletes the visit. Trends follow each change
/// in the same transaction (the rollup stays equal to a rebuild), and each change is audited.
@Suite("Editing, taking back and deleting a walkthrough")
struct WalkthroughEditTests {
    @Test(arguments: TestDatabase.all)
    func theObserverEditsTakesBackAndDeletesTheirVisitAndTrendsFollow(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app), teacher = TestClient(app), coach = TestClient(app)
            try await principal.signIn(people.email(.principal))
            try await teacher.signIn(people.teacherEmail)
            try await coach.signIn(people.email(.coach))
            let id = UUID().uuidString.lowercased()
            let submission = WalkthroughSubmission(id: id, teacherId: people.teacherId, classId: nil, visitType: .informal, observedAt: Date().timeIntervalSince1970 - 600,
                                                   marks: [.init(indicator: "discourse", mark: "not_observed"), .init(indicator: "learning-target", mark: "observed")],
                                                   glow: "Clear target on the board.", grow: "More talk between students.", question: "", share: true)
            #expect(try await principal.send(.POST, "/api/walkthroughs", json: submission).status == .created)
            let month = IndicatorRollup.month(Int(submission.observedAt))
            func counts(_ indicator: String) async throws -> PracticeCount? {
                try await InsightsQueries(db: app.db).practiceTotals(.init(schoolIds: ["school-1"], fromMonth: month, throughMonth: month))
                    .first { $0.indicator == indicator }?.count
            }
            #expect(try await counts("discourse") == PracticeCount(notSeen: 1))
            #expect(try await teacher.page("/feedback").contains("/walkthroughs/\(id)"))

            // Only the observer may change it: the teacher is refused, a coach who cannot read it does not find it.
            #expect(try await teacher.get("/walkthroughs/\(id)/edit").status == .forbidden)
            #expect(try await teacher.post("/walkthroughs/\(id)/delete", form: [:]).status == .forbidden)
            #expect(try await coach.post("/walkthroughs/\(id)/edit", form: ["glow": "x"]).status == .notFound)

            // Edited: discourse now seen, the target unmarked (not looked for); the teacher sees that it was edited.
            #expect(try await principal.page("/walkthroughs/\(id)/edit").contains("they see that it was edited"))
            let refused = try await principal.post("/walkthroughs/\(id)/edit", form: ["glow": "", "grow": "", "question": "", "mark-discourse": "observed"])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("Shared feedback cannot be emptied"))
            let bad = try await principal.post("/walkthroughs/\(id)/edit", form: ["glow": "ok", "mark-discourse": "brilliant"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("is not a mark of Student discourse"))
            #expect(try await principal.post("/walkthroughs/\(id)/edit", form: ["glow": "Partners explained their reasoning.", "grow": "", "question": "",
                                                                                "mark-discourse": "observed"]).status == .seeOther)
            #expect(try await counts("discourse") == PracticeCount(seen: 1))
            #expect(try await counts("learning-target") == PracticeCount(notLookedFor: 1))
            let seenByTeacher = try await teacher.page("/walkthroughs/\(id)")
            #expect(seenByTeacher.contains("Partners explained their reasoning.") && seenByTeacher.contains("Edited "))
            let maintained = try await IndicatorRollup.all(on: app.db)
            try await IndicatorRollup.rebuild(on: app.db)
            #expect(try await IndicatorRollup.all(on: app.db) == maintained)

            // Taken back within the window: a draft again, gone from the teacher's feedback.
            #expect(try await principal.post("/walkthroughs/\(id)/unshare", form: [:]).status == .seeOther)
            #expect(!(try await teacher.page("/feedback").contains("/walkthroughs/\(id)")))
            #expect(try await teacher.get("/walkthroughs/\(id)").status == .notFound)
            // Shared again and replied to: it can no longer be taken back.
            #expect(try await principal.post("/walkthroughs/\(id)/share", form: [:]).status == .seeOther)
            #expect(try await teacher.post("/walkthroughs/\(id)/replies", form: ["body": "Thank you, I will keep the partners."]).status == .seeOther)
            #expect(try await principal.post("/walkthroughs/\(id)/unshare", form: [:]).status == .unprocessableEntity)
            #expect(!(try await principal.page("/walkthroughs/\(id)").contains("Take back from")))

            // Deleted: the visit, its marks and replies go; trends no longer count it; the teacher's feedback no longer lists it.
            #expect(try await principal.post("/walkthroughs/\(id)/delete", form: [:]).status == .seeOther)
            #expect(try await Walkthrough.find(id, on: app.db) == nil)
            #expect(try await IndicatorMark.query(on: app.db).filter(\.$walkthroughId == id).count() == 0)
            #expect(try await FeedbackReply.query(on: app.db).filter(\.$walkthroughId == id).count() == 0)
            #expect(try await counts("discourse") == nil)
            #expect(!(try await teacher.page("/feedback").contains("/walkthroughs/\(id)")))
            #expect(try await principal.page("/walkthroughs").contains("Deleted the walkthrough."))
            let afterDelete = try await IndicatorRollup.all(on: app.db)
            try await IndicatorRollup.rebuild(on: app.db)
            #expect(try await IndicatorRollup.all(on: app.db) == afterDelete)
            let audited = try await AuditEvent.query(on: app.db).filter(\.$subject == "walkthrough \(id) of \(people.teacherId)").all().map(\.action).sorted()
            #expect(audited == ["deleted a walkthrough", "edited a walkthrough", "took back shared feedback"])
        }
    }
}

@Suite("Finding one's visits")
struct VisitFilterTests {
    /// Each filter's count is counted here from the rows; pages hold 50, newest first, and together list each visit once.
    @Test(arguments: TestDatabase.all)
    func visitsAreFilteredByTeacherPracticeDatesAndFeedbackAndPaged(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let through = DisplayTime.date(fromISODay: "2026-11-20", time: "17:00")!
            let district = try await DemoLoader.load(size: .small, seed: 1, through: through, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let me = try #require(district.accounts.first { $0.email == people.email(.principal) }?.sourcedId)
            let sql = app.db.sql
            func count(_ condition: SQLQueryString) async throws -> Int {
                try await sql.raw("SELECT COUNT(*) AS n FROM walkthroughs w WHERE w.observer_id = \(bind: me) AND " + condition).first()!.decode(column: "n", as: Int.self)
            }
            func listed(_ query: String) async throws -> [String] {
                try await principal.page("/walkthroughs?" + query).matches(of: /<div class="feed-head">.*? <a href="\/walkthroughs\/([0-9a-f-]+)">/).map { String($0.1) }
            }
            let all = try await count("1 = 1")
            #expect(all > 50)
            // Pages: 50, then the rest; together every visit once.
            let first = try await listed(""), second = try await listed("page=2")
            #expect(first.count == 50 && Set(first + second).count == min(all, 100))
            #expect(try await principal.page("/walkthroughs").contains("Showing 1–50 of \(all)."))

            let drafts = try await count("w.shared_at IS NULL")
            #expect(try await listed("status=draft").count == min(50, drafts))
            let replied = try await count("EXISTS (SELECT 1 FROM feedback_replies r WHERE r.walkthrough_id = w.id AND r.author_id = w.teacher_id)")
            let repliedListed = try await listed("status=replied")
            #expect(replied > 0 && repliedListed.count == min(50, replied))

            let teacher = try #require(try await sql.raw("SELECT teacher_id FROM walkthroughs WHERE observer_id = \(bind: me) GROUP BY teacher_id ORDER BY COUNT(*) DESC, teacher_id").first()).decode(column: "teacher_id", as: String.self)
            let looked = try await count("w.teacher_id = \(bind: teacher) AND EXISTS (SELECT 1 FROM indicator_marks m WHERE m.walkthrough_id = w.id AND m.indicator_key = 'discourse' AND m.mark IN ('observed', 'not_observed'))")
            #expect(try await listed("teacher=\(teacher)&practice=discourse").count == looked)

            let from = DisplayTime.startOfDay("2026-10-01"), end = DisplayTime.startOfDay("2026-11-01")
            let october = try await count("w.observed_at >= \(bind: from) AND w.observed_at < \(bind: end)")
            #expect(try await principal.page("/walkthroughs?from=2026-10-01&through=2026-10-31").contains("of \(october)."))
            // Nonsense in the query is ignored, never an error.
            #expect(try await principal.get("/walkthroughs?teacher=nobody&practice=x&from=tomorrow&status=maybe&page=-4").status == .ok)
            #expect(try await principal.page("/walkthroughs?from=2030-01-01").contains("No walkthroughs match these filters."))
        }
    }
}
