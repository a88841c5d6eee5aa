import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Insights: practice trends")
struct InsightsTests {
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
            let teacherOf = people.teacher(of:)
            let now = Date().timeIntervalSince1970
            // Grade 1: target seen twice, not seen once; discourse not applicable once (left out), seen once, unmarked once.
            // Grade 4: target seen once. No class: target not marked (not looked for: out of the share).
            // Every practice a visit leaves unmarked is counted as not looked for.
            for submission in [
                visit(teacherOf(early.sourcedId), classId: early.sourcedId, at: now - 3_600, [("learning-target", "observed"), ("discourse", "not_applicable")]),
                visit(teacherOf(early.sourcedId), classId: early.sourcedId, at: now - 7_200, [("learning-target", "observed"), ("discourse", "observed")]),
                visit(teacherOf(early.sourcedId), classId: early.sourcedId, at: now - 9_000, [("learning-target", "not_observed")]),
                visit(teacherOf(later.sourcedId), classId: later.sourcedId, at: now - 3_000, [("learning-target", "observed")]),
                visit(teacherOf(later.sourcedId), classId: nil, at: now - 2_000, [("rigor", "observed")]),
            ] {
                #expect(try await principal.send(.POST, "/api/walkthroughs", json: submission).status == .created)
            }
            let month = IndicatorRollup.month(Int(now - 3_600))
            let filter = InsightsQueries.PracticeFilter(schoolIds: ["school-1"], fromMonth: month, throughMonth: month)
            let queries = InsightsQueries(db: app.db)
            let byBand = try await queries.practice(filter, by: .gradeBand)
            func cell(_ indicator: String, _ column: String?) -> PracticeCount? {
                byBand.first { $0.indicator == indicator && $0.column == column }?.count
            }
            #expect(cell("learning-target", "K–2") == PracticeCount(seen: 2, notSeen: 1))
            #expect(cell("learning-target", "3–5") == PracticeCount(seen: 1))
            #expect(cell("learning-target", "") == PracticeCount(notLookedFor: 1))
            // 3 seen of the 4 that looked: 75% (counting the unmarked visit as not seen would say 3 of 5, 60%).
            #expect(cell("learning-target", nil) == PracticeCount(seen: 3, notSeen: 1, notLookedFor: 1))
            #expect(cell("discourse", "K–2") == PracticeCount(seen: 1, notLookedFor: 1))
            #expect(cell("discourse", nil) == PracticeCount(seen: 1, notLookedFor: 3))
            #expect(cell("rigor", nil) == PracticeCount(seen: 1, notLookedFor: 4))
            #expect(cell("rigor", nil)?.share == 1)

            // The rollup kept by every save equals one rebuilt from the walkthroughs.
            let maintained = try await IndicatorRollup.all(on: app.db)
            #expect(maintained.count > 0)
            try await runCommand(app, ["rollups", "rebuild"])
            #expect(try await IndicatorRollup.all(on: app.db) == maintained)

            // The page shows the shares; the CSV has exactly the numbers shown; the drill-down lists the visits.
            let page = try await principal.get("/insights/practice?by=grade_band&from=\(month)&through=\(month)").body.string
            #expect(page.contains("Clear learning target, K–2: seen in 67% of 3 visits that looked for it; 0 did not look for it"))
            #expect(page.contains("<td class=\"num\">3</td>"))  // discourse: not looked for in 3 visits
            #expect(page.contains(PracticeCount.rule))
            let csv = try await principal.get("/insights/practice.csv?by=grade_band&from=\(month)&through=\(month)").body.string
            #expect(csv.hasPrefix("practice,grade band,looked_for,seen,not_seen,not_looked_for,share_percent\r\n"))
            #expect(csv.contains("Clear learning target,K–2,3,2,1,0,67\r\n"))
            #expect(csv.contains("Clear learning target,No class,0,0,0,1,\r\n"))
            #expect(csv.contains("Clear learning target,All,4,3,1,1,75\r\n"))
            let drill = try await principal.get("/insights/practice/visits?band=K%E2%80%932&by=grade_band&from=\(month)&through=\(month)&indicator=learning-target&school=school-1")
            #expect(drill.status == .ok)
            #expect(drill.body.string.components(separatedBy: "<tr><td><a href=\"/walkthroughs/").count - 1 == 3)
        }
    }

    /// Every Insights page reaches every other (Equity was reachable only from Learning trends), the current one marked.
    @Test func everyInsightsPageReachesTheOthers() async throws {
        try await withLodestar(.sqlite) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let coach = TestClient(app)
            try await coach.signIn(people.email(.coach))
            let pages = ["/insights/practice", "/insights/practice-and-growth", "/insights/feedback", "/insights/learning", "/insights/equity"]
            for path in pages {
                let page = try await coach.page(path)
                let tabs = try #require(page.firstMatch(of: /<nav class="tabs" aria-label="Insights">(.*?)<\/nav>/), "\(path)").1
                #expect(tabs.matches(of: /<a href="([^"]+)"/).map { String($0.1) } == pages, "\(path)")
                #expect(tabs.matches(of: /aria-current="page"/).count == 1 && tabs.contains("<a href=\"\(path)\" aria-current=\"page\">"), "\(path)")
            }
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            #expect(!(try await teacher.page("/feedback").contains("aria-label=\"Insights\"")))
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
            #expect(!(try await principal.page("/insights/practice").contains("All schools")))
            let leader = TestClient(app)
            try await leader.signIn(people.email(.districtLeader))
            #expect(try await leader.get("/insights/practice?by=school_id").body.string.contains("All schools"))
            #expect(try await leader.get("/insights/practice/visits?indicator=learning-target").status == .ok)
            #expect(try await leader.get("/insights/feedback.csv").body.string.hasPrefix("school,visits_30_days,teachers,teachers_visited,median_hours_to_feedback"))
        }
    }

    /// Lists as both databases write them: hexadecimal UTF-8 texts (SQLite in capitals, PostgreSQL in small letters)
    /// and whole numbers, negative ones too.
    @Test func groupedListsReadBackWhatWasWritten() {
        #expect(GroupedList.texts("6162,2C,5A6FC3AB,7a6fc3ab") == ["ab", ",", "Zoë", "zoë"])
        #expect(GroupedList.texts(nil).isEmpty && GroupedList.texts("").isEmpty)
        #expect(GroupedList.integers("3600,-5,10800,0") == [3_600, -5, 10_800, 0])
        #expect(GroupedList.integers(nil).isEmpty)
        // Written as the databases write them, and read back whole.
        #expect(GroupedList.list(integers: [3_600, -5, 10_800, 0, 7]) == "3600,-5,10800,0,7")
        #expect(GroupedList.list(integers: []) == "")
        let extremes = [Int.max, Int.min + 1, -1, 1_000_000_007]
        #expect(GroupedList.integers(GroupedList.list(integers: extremes)) == extremes)
        #expect(GroupedList.list(texts: ["ab", ",", "Zoë"]) == "6162,2C,5A6FC3AB")
    }

    /// The feedback loop is counted from an index that remembers whether each visit's teacher replied: a teacher's
    /// reply counts the moment it is made, the observer's never does, and a teacher whose id holds a comma and letters
    /// beyond ASCII is still found among the school's teachers. Worked out by hand: 4 visits, 3 shared (after 1 h,
    /// 3 h and 30 h: median 3 h, 2 of 3 within a day), 1 replied to by its teacher; 2 of the school's teachers visited.
    @Test(arguments: TestDatabase.all)
    func theFeedbackLoopCountsATeachersReplyWhenItIsMade(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let teachersBefore = try #require(try await WalkthroughQueries(db: app.db).feedbackLoops(schoolIds: ["school-1"]).first).teachers
            let unusual = Staff(id: "teacher, Zoë (2)", givenName: "Zoë", familyName: "Ngata", email: "zoe.ngata@cedarvalley.example.org")
            unusual.passwordHash = try Bcrypt.hash(DemoDistrict.password)
            try await unusual.create(on: app.db)
            try await RoleGrantRecord(staffId: unusual.id!, grant: RoleGrant(role: .teacher, schoolId: "school-1"), source: "manual").create(on: app.db)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let homeroom = try #require(district.bundle.classes.first { $0.schoolSourcedId == "school-1" }).sourcedId
            let teacher = people.teacher(of: homeroom)
            let now = Date().timeIntervalSince1970
            var ids: [String] = []
            for (who, hoursAgo, share) in [(teacher, 1.0, true), (teacher, 3.0, true), (unusual.id!, 30.0, true), (teacher, 5.0, false)] {
                var submission = visit(who, classId: who == teacher ? homeroom : nil, at: now - hoursAgo * 3_600, [("learning-target", "observed")])
                submission.share = share
                #expect(try await principal.send(.POST, "/api/walkthroughs", json: submission).status == .created)
                ids.append(submission.id)
            }
            // Feedback is shared when the server saves the visit: on a loaded machine some seconds after `now`.
            let sent = Date().timeIntervalSince1970 - now
            func loop() async throws -> WalkthroughQueries.SchoolLoop {
                try #require(try await WalkthroughQueries(db: app.db).feedbackLoops(schoolIds: ["school-1"], now: Int(now) + 10).first)
            }
            var school = try await loop()
            #expect(school.loop.visits == 4 && school.loop.shared == 3)
            let median = try #require(school.loop.medianHoursToFeedback)
            #expect(median >= 3 && median <= 3 + (sent + 1) / 3_600)
            #expect(school.loop.sharedWithinADay == 2.0 / 3 && school.loop.replyRate == 0)
            #expect(school.teachers == teachersBefore + 1 && school.visitedTeachers == 2)
            // The observer's reply is not the teacher's; the teacher's counts at once.
            #expect(try await principal.post("/walkthroughs/\(ids[0])/replies", form: ["body": "Ask me anything."]).status == .seeOther)
            #expect(try await loop().loop.replyRate == 0)
            let zoe = TestClient(app)
            try await zoe.signIn(unusual.email)
            #expect(try await zoe.post("/walkthroughs/\(ids[2])/replies", form: ["body": "Thank you: I will try it on Monday."]).status == .seeOther)
            school = try await loop()
            #expect(school.loop.replyRate == 1.0 / 3)
            // What the index remembers equals the replies themselves.
            let remembered = try await app.db.sql.raw("SELECT id FROM walkthroughs WHERE teacher_replied = 1").all().map { try $0.decode(column: "id", as: String.self) }
            #expect(remembered == [ids[2]])
        }
    }

    @Test(arguments: TestDatabase.all)
    func feedbackHealthAndCoverageEqualTheRawWalkthroughs(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let through = DisplayTime.date(fromISODay: "2026-11-20", time: "17:00")!
            try await DemoLoader.load(size: .small, seed: 3, through: through, on: app.db)
            let now = Int(through.timeIntervalSince1970)
            let loops = try await WalkthroughQueries(db: app.db).feedbackLoops(schoolIds: ["school-1"], now: now)
            let school = try #require(loops.first)
            let rows = try await app.db.sql.raw("""
                SELECT teacher_id, observed_at, shared_at FROM walkthroughs WHERE school_id = 'school-1' AND observed_at >= \(bind: now - 30 * 86_400) AND observed_at <= \(bind: now)
                """).all()
            #expect(school.loop.visits == rows.count)
            #expect(school.loop.shared == (try rows.filter { try $0.decode(column: "shared_at", as: Int?.self) != nil }.count))
            let teachers = try await RoleGrantRecord.query(on: app.db).filter(\.$role == "teacher").filter(\.$schoolId == "school-1").all().map(\.staffId)
            #expect(school.teachers == teachers.count)
            #expect(school.visitedTeachers == Set(try rows.map { try $0.decode(column: "teacher_id", as: String.self) }).intersection(teachers).count)
            // The database's counts and median equal the loop computed from the raw visits.
            var replied: Set<String> = []
            for row in try await app.db.sql.raw("SELECT r.walkthrough_id FROM feedback_replies r JOIN walkthroughs w ON w.id = r.walkthrough_id AND r.author_id = w.teacher_id").all() {
                replied.insert(try row.decode(column: "walkthrough_id", as: String.self))
            }
            let raw = try await app.db.sql.raw("""
                SELECT id, observed_at, shared_at FROM walkthroughs WHERE school_id = 'school-1' AND observed_at >= \(bind: now - 30 * 86_400) AND observed_at <= \(bind: now)
                """).all().map { FeedbackLoop.Visit(observedAt: Double(try $0.decode(column: "observed_at", as: Int.self)),
                                                    sharedAt: try $0.decode(column: "shared_at", as: Int?.self).map(Double.init),
                                                    replied: replied.contains(try $0.decode(column: "id", as: String.self))) }
            let expected = FeedbackLoop(raw)
            #expect(expected.shared > 10 && (expected.replyRate ?? 0) > 0)
            #expect(school.loop.visits == expected.visits && school.loop.shared == expected.shared)
            #expect(abs((school.loop.medianHoursToFeedback ?? -1) - expected.medianHoursToFeedback!) < 1e-9)
            #expect(school.loop.sharedWithinADay == expected.sharedWithinADay && school.loop.replyRate == expected.replyRate)
            // The demo's rollups, loaded in bulk, equal rebuilt ones too.
            let loaded = try await IndicatorRollup.all(on: app.db)
            try await IndicatorRollup.rebuild(on: app.db)
            #expect(try await IndicatorRollup.all(on: app.db) == loaded)
            let mastery = try await MasteryRollup.all(on: app.db)
            #expect(mastery.count > 1_000)
            try await MasteryRollup.rebuild(on: app.db)
            #expect(try await MasteryRollup.all(on: app.db) == mastery)

            // As of the end of October, school-1's counts per standard equal mastery computed from the raw scores.
            let counts = try await InsightsQueries(db: app.db).masteryByMonth(schoolIds: ["school-1"], grade: nil, standardIds: nil, group: "all", months: ["2026-10"])
            let method = try await MasteryStore.method(forSchool: "school-1", on: app.db)
            let book = try await ScaleBook.load(on: app.db)
            var evidence: [String: [AssessmentQueries.Evidence]] = [:]
            for row in try await app.db.sql.raw("""
                SELECT sc.assessment_id, a.title, a.assessed_on, sc.student_id, sc.standard_id, sc.value, sc.entered_at, a.scale_id
                FROM scores sc JOIN assessments a ON a.id = sc.assessment_id JOIN students s ON s.id = sc.student_id
                WHERE s.school_id = 'school-1' AND a.assessed_on <= '2026-10-31' ORDER BY a.assessed_on, sc.entered_at
                """).all(decoding: AssessmentQueries.Evidence.self, keyDecodingStrategy: .convertFromSnakeCase) {
                evidence["\(row.studentId)|\(row.standardId)", default: []].append(row)
            }
            var direct: [String: InsightsQueries.MasteryCount] = [:]
            for (pair, scores) in evidence {
                let (result, scale) = book.mastery(scores, by: method)
                guard let value = result.value else { continue }
                let standard = String(pair.split(separator: "|").last!)
                direct[standard, default: .init(evidence: 0, atOrAbove: 0)].evidence += 1
                if value >= scale.masteryValue - 1e-9 { direct[standard, default: .init(evidence: 0, atOrAbove: 0)].atOrAbove += 1 }
            }
            #expect(direct.count > 10)
            // The district's totals equal the sum of its schools', for walkthroughs and for mastery.
            let queries = InsightsQueries(db: app.db)
            let months = InsightsQueries.PracticeFilter(schoolIds: nil, fromMonth: "2026-08", throughMonth: "2026-11")
            let districtPractice = try await queries.practice(months, by: .month)
            var summedPractice: [String: PracticeCount] = [:]
            for cell in try await queries.practice(months, by: .school) where cell.column != nil { summedPractice[cell.indicator, default: PracticeCount()] += cell.count }
            #expect(summedPractice.count == 14)
            #expect(Dictionary(uniqueKeysWithValues: districtPractice.filter { $0.column == nil }.map { ($0.indicator, $0.count) }) == summedPractice)
            var byMonth: [String: PracticeCount] = [:]
            for cell in districtPractice where cell.column != nil { byMonth[cell.indicator, default: PracticeCount()] += cell.count }
            #expect(byMonth == summedPractice)
            let district = try await queries.masteryByGroup(schoolIds: nil, grade: nil, standardIds: nil, groups: ["all", "english_learner"], months: ["2026-10"])
            var summed: [String: [String: InsightsQueries.MasteryCount]] = [:]
            for school in ["school-1", "school-2", "school-3"] {
                for (group, byStandard) in try await queries.masteryByGroup(schoolIds: [school], grade: nil, standardIds: nil, groups: ["all", "english_learner"], months: ["2026-10"]) {
                    for (standard, byMonth) in byStandard {
                        let count = byMonth["2026-10"]!
                        summed[group, default: [:]][standard, default: .init(evidence: 0, atOrAbove: 0)].evidence += count.evidence
                        summed[group, default: [:]][standard, default: .init(evidence: 0, atOrAbove: 0)].atOrAbove += count.atOrAbove
                    }
                }
            }
            #expect(district.mapValues { $0.mapValues { $0["2026-10"]! } } == summed)
            #expect(counts.mapValues { $0["2026-10"]! }.filter { $0.value.evidence > 0 } == direct)

            // Equity: every row of the CSV is recomputed here from the raw scores and the students' records, not
            // with Lodestar's queries: each student's standing on a standard as of the end of October (the
            // demo's decaying average: the first score, then 35% of the standing before and 65% of the new
            // score, in the order assessed), at or above Meets (3); the groups as the roster names them.
            let leader = TestClient(app)
            try await leader.signIn(DemoPeople(district: DemoDistrict(size: .small, seed: 3)).email(.districtLeader))
            let csv = try await leader.get("/insights/equity.csv?school=school-1&from=2026-08&through=2026-10").body.string
            let lines = csv.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            // The gaps to close first, furthest below first; then the groups above, furthest above first; then the
            // rest (level, or hidden without numbers).
            let gaps = lines.prefix { !$0[4].isEmpty }.map { Int($0[4])! }
            #expect(lines.dropFirst(gaps.count).allSatisfy { $0[4].isEmpty })
            let firstAbove = gaps.firstIndex { $0 > 0 } ?? gaps.count
            #expect(firstAbove > 0 && gaps[..<firstAbove].allSatisfy { $0 <= 0 } && gaps[firstAbove...].allSatisfy { $0 >= 0 })
            #expect(gaps[..<firstAbove] == gaps[..<firstAbove].sorted()[...] && Array(gaps[firstAbove...]) == gaps[firstAbove...].sorted(by: >))
            let equityPage = try await leader.page("/insights/equity?school=school-1&from=2026-08&through=2026-10")
            #expect(equityPage.contains("as of October 31, 2026") && equityPage.contains("Gaps to close") && !equityPage.contains("Gap to all students"))
            // Months carry their full year, so "Oct 26" is never read as a day.
            #expect(equityPage.contains(">Oct 2026</th>") && !equityPage.contains(">Oct 26<"))
            struct Raw: Decodable {
                let studentId, standardId, assessedOn, id, sex, raceEthnicity: String
                let value: Double
                let enteredAt: Int
                let englishLearner, specialEducation, section504, economicallyDisadvantaged, gifted: Bool
            }
            let rawScores = try await (app.db as! any SQLDatabase).raw("""
                SELECT sc.student_id, sc.standard_id, a.assessed_on, sc.id, st.sex, st.race_ethnicity, sc.value, sc.entered_at,
                       st.english_learner, st.special_education, st.section_504 AS section504, st.economically_disadvantaged, st.gifted
                FROM scores sc JOIN assessments a ON a.id = sc.assessment_id JOIN students st ON st.id = sc.student_id
                WHERE st.school_id = 'school-1' AND a.assessed_on < '2026-11-01'
                """).all(decoding: Raw.self, keyDecodingStrategy: .convertFromSnakeCase)
            var reachedByGroup: [String: [String: (students: Int, reached: Int)]] = [:]  // code → group label → counts
            let codeOf = Dictionary(uniqueKeysWithValues: try await Standard.query(on: app.db).all().map { ($0.id!, $0.code) })
            for (_, scores) in Dictionary(grouping: rawScores, by: { "\($0.studentId)|\($0.standardId)" }) {
                let ordered = scores.sorted { ($0.assessedOn, $0.enteredAt, $0.id) < ($1.assessedOn, $1.enteredAt, $1.id) }
                var standing = ordered[0].value
                for score in ordered.dropFirst() { standing = 0.35 * standing + 0.65 * score.value }
                let student = ordered[0]
                var labels = ["All students", student.raceEthnicity == "Not reported" ? "Race and ethnicity not reported" : student.raceEthnicity]
                if student.sex == "female" { labels.append("Female") } else if student.sex == "male" { labels.append("Male") }
                for (flag, label) in [(student.englishLearner, "English learners"), (student.specialEducation, "Special education (IEP)"),
                                      (student.section504, "Section 504"), (student.economicallyDisadvantaged, "Economically disadvantaged"),
                                      (student.gifted, "Gifted")] where flag { labels.append(label) }
                for label in labels {
                    reachedByGroup[codeOf[student.standardId]!, default: [:]][label, default: (0, 0)].students += 1
                    if standing >= 3 - 1e-9 { reachedByGroup[codeOf[student.standardId]!, default: [:]][label, default: (0, 0)].reached += 1 }
                }
            }
            func wholePercent(_ part: Int, _ whole: Int) -> Int { Int((Double(part) * 100 / Double(whole) + 0.5).rounded(.down)) }
            // Every group with students is listed, once; small groups without numbers.
            let listed = lines.map { "\($0[0])|\($0[1])" }
            #expect(Set(listed).count == listed.count)
            #expect(Set(listed) == Set(reachedByGroup.flatMap { code, groups in groups.keys.filter { $0 != "All students" }.map { "\(code)|\($0)" } }))
            for line in lines where line[2].isEmpty {
                #expect([line[3], line[4], line[6]] == ["", "", ""] && line[5] == "All students", "\(line)")
                #expect(line[8].hasPrefix("hidden: fewer than 10 students"), "\(line)")
            }
            #expect(lines.contains { $0[2].isEmpty })
            for line in lines where !line[2].isEmpty {
                let group = try #require(reachedByGroup[line[0]]?[line[1]], "\(line)"), all = try #require(reachedByGroup[line[0]]?["All students"])
                #expect(group.students >= 10)
                #expect(line[8].isEmpty)
                #expect(Int(line[2]) == group.students, "\(line)")
                #expect(Int(line[3]) == wholePercent(group.reached, group.students), "\(line)")
                let gap = (Double(group.reached) / Double(group.students) - Double(all.reached) / Double(all.students)) * 100
                let shown = Int(gap.magnitude.rounded(.toNearestOrAwayFromZero)) * (gap < 0 ? -1 : 1)
                #expect(line[4] == (shown > 0 ? "+\(shown)" : "\(shown)"), "\(line): \(gap)")
            }
            #expect(try await leader.get("/insights/equity?school=school-1").status == .ok)
        }
    }

    /// The feedback page reads whole days from `FeedbackDays` and the partial days at the ends of its window from the
    /// visits. Every change that counts there — visits sent, feedback shared later, a teacher's reply, feedback taken
    /// back, a deletion — keeps the days equal to a rebuild; and at moments on and beside midnight, over 30 days and
    /// over one, every school's numbers equal a count of the raw visits and replies made here.
    @Test(arguments: TestDatabase.all)
    func feedbackDaysFollowEveryChangeAndTheWindowEqualsTheRawVisits(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let through = DisplayTime.date(fromISODay: "2026-11-20", time: "17:00")!
            let district = try await DemoLoader.load(size: .small, seed: 3, through: through, on: app.db)
            let people = DemoPeople(district: district)
            func daysEqualARebuild(_ step: String) async throws {
                let maintained = try await FeedbackDays.all(on: app.db)
                try await FeedbackDays.rebuild(on: app.db)
                #expect(try await FeedbackDays.all(on: app.db) == maintained, "after \(step)")
                #expect(maintained.count > 100, "after \(step)")
            }
            try await daysEqualARebuild("the demo's load")

            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let homeroom = try #require(district.bundle.classes.first { $0.schoolSourcedId == "school-1" }).sourcedId
            let teacherId = people.teacher(of: homeroom)
            let teacher = TestClient(app)
            try await teacher.signIn(try #require(try await Staff.find(teacherId, on: app.db)).email)
            let now = Int(Date().timeIntervalSince1970), midnight = now / 86_400 * 86_400
            // Two more visits on the demo's last day of visits at school-1, whose row they are added to.
            let lastDemoVisit = try #require(try await app.db.sql.raw("SELECT MAX(observed_at) AS at FROM walkthroughs WHERE school_id = 'school-1'")
                .first()?.decode(column: "at", as: Int.self))
            let demoDay = lastDemoVisit / 86_400 * 86_400
            #expect(try await FeedbackDays.all(on: app.db)[FeedbackDays.Key(day: demoDay / 86_400, schoolId: "school-1")] != nil)
            var ids: [String] = []
            for (at, share) in [(now - 3_600, true), (now - 25 * 3_600, false), (now - 47 * 3_600, true), (midnight, true), (midnight - 1, false),
                                (demoDay + 60, true), (demoDay + 86_340, false)] {
                var submission = visit(teacherId, classId: homeroom, at: Double(at), [("learning-target", "observed")])
                submission.share = share
                #expect(try await principal.send(.POST, "/api/walkthroughs", json: submission).status == .created)
                ids.append(submission.id)
            }
            try await daysEqualARebuild("visits sent")
            #expect(try await principal.post("/walkthroughs/\(ids[1])/share", form: [:]).status == .seeOther)
            try await daysEqualARebuild("feedback shared later")
            #expect(try await teacher.post("/walkthroughs/\(ids[0])/replies", form: ["body": "Thank you."]).status == .seeOther)
            try await daysEqualARebuild("a teacher's reply")
            #expect(try await principal.post("/walkthroughs/\(ids[1])/unshare", form: [:]).status == .seeOther)
            try await daysEqualARebuild("feedback taken back")
            #expect(try await principal.post("/walkthroughs/\(ids[4])/delete", form: [:]).status == .seeOther)
            try await daysEqualARebuild("a deletion")
            let left = try await app.db.sql.raw("SELECT id, shared_at FROM walkthroughs WHERE id IN (\(binds: ids))").all()
            #expect(left.count == 6)
            #expect(try left.filter { try $0.decode(column: "shared_at", as: Int?.self) != nil }.count == 4)

            // The raw count: every visit, its teacher's replies, each school's teachers.
            struct Raw { var school: String, teacher: String, observedAt: Int, sharedAt: Int?, replied: Bool }
            var repliedTo: Set<String> = []
            for row in try await app.db.sql.raw("SELECT r.walkthrough_id FROM feedback_replies r JOIN walkthroughs w ON w.id = r.walkthrough_id AND r.author_id = w.teacher_id").all() {
                repliedTo.insert(try row.decode(column: "walkthrough_id", as: String.self))
            }
            let visits = try await app.db.sql.raw("SELECT id, school_id, teacher_id, observed_at, shared_at FROM walkthroughs").all().map { row in
                Raw(school: try row.decode(column: "school_id", as: String.self), teacher: try row.decode(column: "teacher_id", as: String.self),
                    observedAt: try row.decode(column: "observed_at", as: Int.self), sharedAt: try row.decode(column: "shared_at", as: Int?.self),
                    replied: repliedTo.contains(try row.decode(column: "id", as: String.self)))
            }
            var teachersOf: [String: Set<String>] = [:]
            for row in try await app.db.sql.raw("SELECT staff_id, school_id FROM role_grants WHERE role = 'teacher'").all() {
                teachersOf[try row.decode(column: "school_id", as: String.self), default: []].insert(try row.decode(column: "staff_id", as: String.self))
            }
            let demoMidnight = Int(through.timeIntervalSince1970) / 86_400 * 86_400 - 5 * 86_400
            var compared = 0
            for (end, days) in [(now + 10, 30), (now - 7_200, 30), (now - 7_200, 1), (midnight, 30), (midnight - 1, 30), (midnight + 1, 1), (demoMidnight, 30), (demoMidnight - 1, 1),
                                (demoMidnight + 43_200, 30), (demoMidnight + 43_200, 1)] {
                let inWindow = visits.filter { $0.observedAt >= end - days * 86_400 && $0.observedAt <= end }
                let loops = try await WalkthroughQueries(db: app.db).feedbackLoops(schoolIds: nil, days: days, now: end)
                #expect(Set(loops.map(\.schoolId)) == Set(teachersOf.keys).union(inWindow.map(\.school)))
                for school in loops {
                    let mine = inWindow.filter { $0.school == school.schoolId }, shared = mine.filter { $0.sharedAt != nil }
                    let waits = shared.map { max(0, $0.sharedAt! - $0.observedAt) }.sorted()
                    let median = waits.isEmpty ? nil : Double(waits.count % 2 == 1 ? 2 * waits[waits.count / 2] : waits[waits.count / 2 - 1] + waits[waits.count / 2]) / 2 / 3_600
                    let label = "\(school.schoolId) \(days) days to \(end)"
                    #expect(school.loop.visits == mine.count && school.loop.shared == shared.count, "\(label)")
                    #expect(school.loop.medianHoursToFeedback.map { abs($0 - median!) < 1e-9 } ?? (median == nil), "\(label)")
                    #expect(school.loop.sharedWithinADay == (shared.isEmpty ? nil : Double(shared.filter { $0.sharedAt! - $0.observedAt <= 86_400 }.count) / Double(shared.count)), "\(label)")
                    #expect(school.loop.replyRate == (shared.isEmpty ? nil : Double(shared.filter(\.replied).count) / Double(shared.count)), "\(label)")
                    #expect(school.teachers == (teachersOf[school.schoolId] ?? []).count, "\(label)")
                    #expect(school.visitedTeachers == Set(mine.map(\.teacher)).intersection(teachersOf[school.schoolId] ?? []).count, "\(label)")
                    compared += mine.count
                }
            }
            #expect(compared > 500)
        }
    }

    @Test(arguments: TestDatabase.all)
    func scoresEnteredOneByOneKeepTheMasteryRollupEqualToARebuild(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let package = try CASEPackage.parse(Array(try Data(contentsOf: sharedData.appendingPathComponent("case/what-standards-could-be-ccss-math.json"))), fileName: "ccss.json")
            try await StandardsStore.save(package, subject: "Mathematics", on: app.db)
            let people = DemoPeople(district: district)
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            let classId = district.bundle.enrollments.first { $0.userSourcedId == people.teacherId && $0.role == "teacher" }!.classSourcedId
            let students = district.bundle.enrollments.filter { $0.classSourcedId == classId && $0.role == "student" }.map(\.userSourcedId)
            let standard = try #require(try await Standard.query(on: app.db).filter(\.$code == "CCSS.Math.Content.6.RP.A.1").first()).id!
            func assessment(_ title: String, _ day: String) async throws -> String {
                let response = try await teacher.post("/assessments", form: ["title": title, "assessedOn": day, "classIds[]": classId, "standards": "CCSS.Math.Content.6.RP.A.1"])
                return String(response.headers.first(name: .location)!.dropFirst("/assessments/".count))
            }
            func score(_ assessment: String, _ student: String, _ value: Double?) async throws {
                #expect(try await teacher.send(.PUT, "/api/assessments/\(assessment)/scores",
                                               json: AssessmentController.ScoreInput(studentId: student, standardId: standard, value: value)).status == .ok)
            }
            let september = try await assessment("Exit ticket", "2026-09-10"), october = try await assessment("Quiz", "2026-10-08")
            // Most recent for clear arithmetic: A 2 → 4, B 4 → 2, C 3 then removed, D only in October at 3.
            try await MasteryStore.setMethod(.mostRecent, for: "district", on: app.db)
            let (a, b, c, d) = (students[0], students[1], students[2], students[3])
            try await score(october, a, 4)
            try await score(september, a, 2)   // entered late, dated earlier
            try await score(september, b, 4)
            try await score(october, b, 2)
            try await score(september, c, 3)
            try await score(october, d, 3)
            try await score(september, c, nil) // removed again
            let counts = try await InsightsQueries(db: app.db).masteryByMonth(schoolIds: ["school-1"], grade: nil, standardIds: [standard], group: "all",
                                                                               months: ["2026-09", "2026-10"])[standard]!
            // September: A 2, B 4 → 2 with a result, 1 at mastery. October: A 4, B 2, D 3 → 3 and 2.
            #expect(counts["2026-09"]! == .init(evidence: 2, atOrAbove: 1))
            #expect(counts["2026-10"]! == .init(evidence: 3, atOrAbove: 2))
            let maintained = try await MasteryRollup.all(on: app.db)
            try await MasteryRollup.rebuild(on: app.db)
            #expect(try await MasteryRollup.all(on: app.db) == maintained)

            // A roster import moves A to grade 7 and removes D: the rollup follows, and still equals a rebuild.
            var bundle = district.bundle
            let gradeBefore = bundle.users.first { $0.sourcedId == a }!.grades
            bundle.users = bundle.users.compactMap { user in
                guard user.sourcedId != d else { return nil }
                var user = user
                if user.sourcedId == a { user.grades = ["07"] }
                return user
            }
            bundle.enrollments.removeAll { $0.userSourcedId == d }
            bundle.demographics.removeAll { $0.userSourcedId == d }
            _ = try await RosterWriter.write(bundle, to: app.db)
            let moved = try await InsightsQueries(db: app.db).masteryByMonth(schoolIds: ["school-1"], grade: "07", standardIds: [standard], group: "all", months: ["2026-10"])
            #expect(gradeBefore != ["07"])
            #expect(moved[standard]?["2026-10"] == .init(evidence: 1, atOrAbove: 1))
            let all = try await InsightsQueries(db: app.db).masteryByMonth(schoolIds: ["school-1"], grade: nil, standardIds: [standard], group: "all", months: ["2026-10"])
            #expect(all[standard]?["2026-10"] == .init(evidence: 2, atOrAbove: 1))
            let afterRoster = try await MasteryRollup.all(on: app.db)
            try await MasteryRollup.rebuild(on: app.db)
            #expect(try await MasteryRollup.all(on: app.db) == afterRoster)

            // Two students are fewer than ten: the learning page and its CSV show neither share nor count.
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let page = try await principal.get("/insights/learning?from=2026-09&through=2026-10").body.string
            #expect(page.contains("CCSS.Math.Content.6.RP.A.1"))
            #expect(page.contains("fewer than 10"))
            #expect(!page.contains("67%"))
            let csv = try await principal.get("/insights/learning.csv?from=2026-09&through=2026-10").body.string
            #expect(csv == "standard,month,students,at_or_above_percent\r\nCCSS.Math.Content.6.RP.A.1,2026-09,,\r\nCCSS.Math.Content.6.RP.A.1,2026-10,,\r\n")
            #expect(try await teacher.get("/insights/learning").status == .forbidden)
            #expect(try await teacher.get("/insights/equity").status == .forbidden)
            // Two students: every group is too small to compare.
            #expect(try await principal.get("/insights/equity?from=2026-09&through=2026-10").body.string.contains("No group is large enough to compare here."))
            let tiny = try await principal.get("/insights/equity.csv?from=2026-09&through=2026-10").body.string.split(separator: "\r\n").map(String.init)
            #expect(tiny[0] == "standard,group,students,at_or_above_percent,gap_points,compared_with,gap_to_all_points,month,note")
            #expect(tiny.count > 2 && tiny.dropFirst().allSatisfy { $0.hasPrefix("CCSS.Math.Content.6.RP.A.1,") && $0.contains(",,,,All students,,2026-10,hidden: fewer than 10") })
            #expect(try await principal.get("/insights/learning?school=school-2").status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func growthOfClassesWhoseTeachersOftenPracticeIsSetBesideThoseWhoRarelyDo(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            try await loadSampleMathStandards(app)
            let people = DemoPeople(district: district)
            // Two teachers of school-1, one class each, ten students each.
            let classes = district.bundle.classes.filter { $0.schoolSourcedId == "school-1" }
            let teacherOf = people.teacher(of:)
            let first = classes[0], second = try #require(classes.first { teacherOf($0.sourcedId) != teacherOf(classes[0].sourcedId) })
            // First class: every student from Approaching (2) in September to Meets (3) in October: +100 points.
            // Second class: from 3 to 2: −100 points.
            let rows = people.septemberAndOctoberScores([(first.sourcedId, 2, 3), (second.sourcedId, 3, 2)])
            _ = try await ScoreImport.write(ScoreFile.Rows(rows), importer: nil, on: app.db)
            // Discourse seen in all three visits to the first teacher, in none of three to the second.
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let now = Date().timeIntervalSince1970
            for (teacher, mark) in [(teacherOf(first.sourcedId), "observed"), (teacherOf(second.sourcedId), "not_observed")] {
                for hour in 1...3 {
                    #expect(try await principal.send(.POST, "/api/walkthroughs", json: visit(teacher, classId: nil, at: now - Double(hour) * 3_600, [("discourse", mark)])).status == .created)
                }
            }
            let csv = try await principal.get("/insights/practice-and-growth.csv").body.string
            let discourse = try #require(csv.split(separator: "\r\n").first { $0.hasPrefix("Student discourse,") })
            #expect(discourse == "Student discourse,1,1,+100,1,1,-100,+200")
            let page = try await principal.get("/insights/practice-and-growth").body.string
            #expect(page.contains("Correlation, not proof."))
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            #expect(try await teacher.get("/insights/practice-and-growth").status == .forbidden)
            #expect(try await principal.get("/insights/practice-and-growth?school=school-2").status == .forbidden)
        }
    }
}

