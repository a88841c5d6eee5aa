import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// Priority standards on the demo's standards (two per grade in Mathematics and English language arts, none yet in
/// grade 12 English language arts), on both databases.
@Suite("Priority standards")
struct PriorityStandardsTests {
    @Test(arguments: TestDatabase.all)
    func theDistrictMarksPrioritiesWithReasonsAndEveryoneSeesThemAndTheGaps(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let ela = "/standards/priorities?document=\(DemoStandards.documentId("English Language Arts"))"
            func rows() async throws -> [String] {
                try await sql.raw("SELECT id, reasons, note FROM priority_standards ORDER BY id").all().map {
                    "\(try $0.decode(column: "id", as: String.self)) \(try $0.decode(column: "reasons", as: String.self)) \(try $0.decode(column: "note", as: String.self))"
                }
            }

            // A teacher reads them: grade 3's two, with their reasons, and grade 12 shown as the gap.
            let teacher = try await LeadershipTests.client(app, people.teacherEmail)
            let page = try await teacher.page(ela)
            #expect(page.matches(of: /data-priority="([^"]+)"/).map { String($0.1) }.filter { $0.hasPrefix("cv-ela-03-") } == ["cv-ela-03-1", "cv-ela-03-2"])
            #expect(page.matches(of: /data-priority=/).count == 24)
            #expect(LeadershipTests.text(page).contains("CV.ELA.3.2 Determine the main idea of a text and explain how details support it Endurance, Leverage"))
            #expect(LeadershipTests.text(page).contains("No priority standard yet: Grade 12."))
            #expect(try await teacher.post("/standards/cv-ela-12-3/priority", form: ["reasons[]": "readiness", "action": "save"]).status == .forbidden)
            let principal = try await LeadershipTests.client(app, people.email(.principal))
            #expect(try await principal.post("/standards/cv-ela-12-3/priority", form: ["reasons[]": "readiness", "action": "save"]).status == .forbidden)

            // The district leader: a reason Lodestar does not know, no reason, or a note too long is refused and changes nothing.
            let leader = try await LeadershipTests.client(app, people.email(.districtLeader))
            let before = try await rows()
            for form in [["reasons[]": "urgent", "action": "save"], ["action": "save", "note": "No reason given."],
                         ["reasons[]": "readiness", "action": "save", "note": String(repeating: "n", count: 301)]] {
                let refused = try await leader.post("/standards/cv-ela-12-3/priority", form: form)
                #expect(refused.status == .unprocessableEntity, "\(form)")
                #expect(refused.body.string.contains("Choose at least one reason (endurance, leverage, readiness) and keep the note to 300 characters."))
            }
            #expect(try await rows() == before)

            // Marked: grade 12 has its priority and the gap is gone; taken off again, it returns.
            #expect(try await leader.post("/standards/cv-ela-12-3/priority", form: ["reasons[]": "readiness", "action": "save", "note": "Research carries into college."]).status == .seeOther)
            #expect(try await rows() == (before + ["cv-ela-12-3 readiness Research carries into college."]).sorted())
            let marked = try await teacher.page(ela)
            #expect(marked.contains("data-priority=\"cv-ela-12-3\"") && !marked.contains("data-gaps"))
            #expect(LeadershipTests.text(try await teacher.page("/standards/cv-ela-12-3")).contains("Priority standard: Readiness. Research carries into college."))
            #expect(try await leader.post("/standards/cv-ela-12-3/priority", form: ["action": "remove"]).status == .seeOther)
            #expect(try await rows() == before)

            // Learning trends narrowed to priority standards list only those with results.
            let trends = try await leader.page("/insights/learning?school=school-1&priority=1")
            let listed = Set(trends.matches(of: /<th scope="row"><a href="\/standards\/([^"]+)">/).map { String($0.1) })
            let priorities = Set(before.map { String($0.split(separator: " ")[0]) })
            #expect(!listed.isEmpty && listed.isSubset(of: priorities), "\(listed.subtracting(priorities))")
            let all = Set(try await leader.page("/insights/learning?school=school-1").matches(of: /<th scope="row"><a href="\/standards\/([^"]+)">/).map { String($0.1) })
            #expect(listed == all.intersection(priorities))
        }
    }

    /// The vertical alignment of the demo's English language arts priorities: each builds on the grade before and leads
    /// to the next, from the package's links, except grade 8, which the package does not link to grade 9. The district
    /// adds the missing link by code (a wrong code is refused and changes nothing) and can take its own link away.
    @Test(arguments: TestDatabase.all)
    func theAlignmentFollowsTheLinksAndTheDistrictFillsAGap(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let page = "/standards/alignment?document=\(DemoStandards.documentId("English Language Arts"))"
            let teacher = try await LeadershipTests.client(app, people.teacherEmail)
            func unlinked() async throws -> [String] {
                try await teacher.page(page).matches(of: /<tr data-standard="([^"]+)" class="overdue">/).map { String($0.1) }
            }
            #expect(try await unlinked() == ["cv-ela-08-1", "cv-ela-08-2"])
            let alignment = try await teacher.page(page)
            #expect(alignment.contains("data-unlinked=\"2\""))
            let row = try #require(alignment.firstMatch(of: /<tr data-standard="cv-ela-03-2">(.*?)<\/tr>/.dotMatchesNewlines()).map { LeadershipTests.text(String($0.1)) })
            #expect(row.contains("CV.ELA.2.2 priority") && row.contains("CV.ELA.4.2 priority"), "\(row)")

            let leader = try await LeadershipTests.client(app, people.email(.districtLeader))
            func links() async throws -> Int { try await sql.raw("SELECT COUNT(*) AS n FROM standard_links").first()!.decode(column: "n", as: Int.self) }
            let before = try await links()
            for code in ["CV.ELA.99.1", "CV.ELA.8.1", "CV.ELA.7.1", "CV.ELA.8.3"] {
                // No such standard; the standard itself; one of an earlier grade; then one of the same grade, which may follow it.
                let response = try await leader.post("/standards/cv-ela-08-1/links", form: ["code": code])
                #expect(response.status == (code == "CV.ELA.8.3" ? .seeOther : .unprocessableEntity), "\(code)")
            }
            #expect(try await links() == before + 1)
            #expect(try await leader.post("/standards/cv-ela-07-1/links", form: ["code": "CV.ELA.8.1"]).status == .unprocessableEntity, "the package already links them")
            #expect(try await leader.post("/standards/cv-ela-08-1/links", form: ["code": "CV.ELA.9.1"]).status == .seeOther)
            #expect(try await unlinked() == ["cv-ela-08-2"])
            #expect(LeadershipTests.text(try await teacher.page("/standards/cv-ela-09-1")).contains("Builds on: CV.ELA.8.1"))
            let added = try #require(try await sql.raw("SELECT id FROM standard_links WHERE origin_id = 'cv-ela-08-1' AND destination_id = 'cv-ela-09-1'").first()).decode(column: "id", as: String.self)
            #expect(try await teacher.post("/standards/cv-ela-08-1/links/\(added)/delete", form: [:]).status == .forbidden)
            let packaged = try #require(try await sql.raw("SELECT id FROM standard_links WHERE document_id IS NOT NULL").first()).decode(column: "id", as: String.self)
            #expect(try await leader.post("/standards/cv-ela-08-1/links/\(packaged)/delete", form: [:]).status == .notFound, "a package's links change only with the package")
            #expect(try await leader.post("/standards/cv-ela-08-1/links/\(added)/delete", form: [:]).status == .seeOther)
            #expect(try await unlinked() == ["cv-ela-08-1", "cv-ela-08-2"])

            // Importing the package again replaces its links and keeps the district's.
            #expect(try await leader.post("/standards/cv-ela-08-1/links", form: ["code": "CV.ELA.9.1"]).status == .seeOther)
            let count = try await links()
            try await StandardsStore.save(DemoStandards.packages[1], subject: nil, on: app.db)
            #expect(try await links() == count)
        }
    }

    /// How often priority standards must be assessed: the district sets it (a bad number is refused and changes
    /// nothing); each school's frequency page lists the classes behind, recounted here from the tables.
    @Test(arguments: TestDatabase.all)
    func classesBehindOnAPriorityStandardAreListed(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let leader = try await LeadershipTests.client(app, people.email(.districtLeader))
            let principal = try await LeadershipTests.client(app, people.email(.principal))
            #expect(LeadershipTests.text(try await principal.page("/standards/priorities")).contains("at least every 4 weeks"))
            #expect(try await principal.post("/standards/priorities/cadence", form: ["weeks": "2"]).status == .forbidden)
            for weeks in ["0", "19", "two", ""] {
                #expect(try await leader.post("/standards/priorities/cadence", form: ["weeks": weeks]).status == .unprocessableEntity, "\(weeks)")
            }
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM priority_cadence").first()!.decode(column: "n", as: Int.self) == 0)
            #expect(try await leader.post("/standards/priorities/cadence", form: ["weeks": "2"]).status == .seeOther)
            #expect(LeadershipTests.text(try await principal.page("/standards/priorities")).contains("at least every 2 weeks"))

            // The recount: a class teaches a priority standard when they share a grade and the class lists its subject; it
            // is behind when the standard's latest assessment there this school year is more than 14 days old, or it has
            // none and the school year is more than 14 days old.
            let calendar = Calendar(identifier: .gregorian)
            func days(_ day: String) -> Int {
                var parts = DateComponents()
                (parts.year, parts.month, parts.day) = (Int(day.prefix(4))!, Int(day.dropFirst(5).prefix(2))!, Int(day.suffix(2))!)
                parts.timeZone = TimeZone(identifier: "UTC")
                return Int(calendar.date(from: parts)!.timeIntervalSince1970 / 86_400)
            }
            let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
            let yearStart = Int(today.dropFirst(5).prefix(2))! >= 7 ? "\(today.prefix(4))-07-01" : "\(Int(today.prefix(4))! - 1)-07-01"
            var priorities: [(id: String, code: String, grades: Set<String>, subject: String)] = []
            for row in try await sql.raw("SELECT s.id, s.code, s.grades, d.subject FROM priority_standards p JOIN standards s ON s.id = p.id JOIN standard_documents d ON d.id = s.document_id").all() {
                priorities.append((try row.decode(column: "id", as: String.self), try row.decode(column: "code", as: String.self),
                                   Set(try row.decode(column: "grades", as: String.self).split(separator: ",").map(String.init)), try row.decode(column: "subject", as: String.self)))
            }
            var latest: [String: String] = [:]
            for row in try await sql.raw("""
                SELECT ac.class_id, x.standard_id, MAX(a.assessed_on) AS last FROM assessment_classes ac JOIN assessments a ON a.id = ac.assessment_id
                JOIN assessment_standards x ON x.assessment_id = a.id JOIN classes c ON c.id = ac.class_id
                WHERE c.school_id = 'school-1' AND a.assessed_on >= \(bind: yearStart) AND a.assessed_on <= \(bind: today) GROUP BY ac.class_id, x.standard_id
                """).all() {
                latest[try row.decode(column: "class_id", as: String.self) + "|" + (try row.decode(column: "standard_id", as: String.self))] = try row.decode(column: "last", as: String.self)
            }
            var expected: [String: [String]] = [:]
            var teaching = 0
            for row in try await sql.raw("SELECT id, grades, subjects FROM classes WHERE school_id = 'school-1'").all() {
                let id = try row.decode(column: "id", as: String.self)
                let grades = Set(try row.decode(column: "grades", as: String.self).split(separator: ",").map(String.init))
                let subjects = try row.decode(column: "subjects", as: String.self).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let taught = priorities.filter { !$0.grades.isDisjoint(with: grades) && (subjects.isEmpty || subjects.contains($0.subject)) }
                if !taught.isEmpty { teaching += 1 }
                let due = taught.filter { standard in
                    guard let last = latest[id + "|" + standard.id] else { return days(today) - days(yearStart) > 14 }
                    return days(today) - days(last) > 14
                }.map(\.code).sorted()
                if !due.isEmpty { expected[id] = due }
            }
            #expect(teaching > 0)
            let page = try await principal.page("/schools/school-1/assessment-frequency")
            var shown: [String: [String]] = [:]
            for match in page.matches(of: /<tr data-class="([^"]+)">(.*?)<\/tr>/) {
                shown[String(match.1)] = String(match.2).matches(of: /<a href="\/standards\/[^"]+">([^<]+)<\/a>/).map { String($0.1) }
            }
            #expect(shown == expected)
            #expect(page.contains("data-behind=\"\(expected.count)\""))
            #expect(LeadershipTests.text(page).contains("\(expected.count) of \(teaching) classes that teach a priority standard"))
        }
    }

    /// The demo's common assessment for grade 3 at the first school: the frequency page and the assessment's page say
    /// how many of the grade's classes gave it, recounted from the tables; the principal unmarks and marks it again,
    /// and a grade none of its classes is in is refused.
    @Test(arguments: TestDatabase.all)
    func aCommonAssessmentShowsWhichClassesOfItsGradeGaveIt(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let common = try await sql.raw("SELECT id, grade FROM common_assessments").all()
            #expect(common.count == 1)
            let id = try common[0].decode(column: "id", as: String.self)
            #expect(try common[0].decode(column: "grade", as: String.self) == "03")
            let subjects = Set(try await sql.raw("""
                SELECT DISTINCT d.subject FROM assessment_standards x JOIN standards s ON s.id = x.standard_id JOIN standard_documents d ON d.id = s.document_id
                WHERE x.assessment_id = \(bind: id)
                """).all().map { try $0.decode(column: "subject", as: String.self) })
            let given = Set(try await sql.raw("SELECT class_id FROM assessment_classes WHERE assessment_id = \(bind: id)").all().map { try $0.decode(column: "class_id", as: String.self) })
            var ofGrade: [String] = []
            for row in try await sql.raw("SELECT id, grades, subjects FROM classes WHERE school_id = 'school-1'").all() {
                let grades = try row.decode(column: "grades", as: String.self).split(separator: ",").map(String.init)
                let taught = Set(try row.decode(column: "subjects", as: String.self).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                if grades.contains("03") && (taught.isEmpty || !taught.isDisjoint(with: subjects)) { ofGrade.append(try row.decode(column: "id", as: String.self)) }
            }
            let gave = ofGrade.filter(given.contains).count
            #expect(ofGrade.count > 1 && gave >= 1)

            let principal = try await LeadershipTests.client(app, people.email(.principal))
            #expect(try await principal.page("/schools/school-1/assessment-frequency").contains("data-common=\"\(gave)/\(ofGrade.count)\""))
            #expect(LeadershipTests.text(try await principal.page("/assessments/\(id)")).contains("Common for Grade 3: given in \(gave) of \(ofGrade.count) Grade 3 classes here."))
            #expect(try await principal.post("/assessments/\(id)/common", form: ["action": "remove"]).status == .seeOther)
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM common_assessments").first()!.decode(column: "n", as: Int.self) == 0)
            #expect(try await principal.post("/assessments/\(id)/common", form: ["grade": "07", "action": "mark"]).status == .unprocessableEntity)
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM common_assessments").first()!.decode(column: "n", as: Int.self) == 0)
            #expect(try await principal.post("/assessments/\(id)/common", form: ["grade": "03", "action": "mark"]).status == .seeOther)
            #expect(try await Self.grades(sql) == ["03"])
            let coach = try await LeadershipTests.client(app, people.email(.coach))
            #expect(try await coach.post("/assessments/\(id)/common", form: ["action": "remove"]).status == .forbidden)
            #expect(try await Self.grades(sql) == ["03"])
        }
    }

    static func grades(_ sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw("SELECT grade FROM common_assessments").all().map { try $0.decode(column: "grade", as: String.self) }
    }

    /// A goal on "the priority standards of grade 3" measures the grade's four priority standards for grade 3 students;
    /// a grade without priority standards is refused and nothing is stored.
    @Test(arguments: TestDatabase.all)
    func aGoalCanTakeTheGradesPriorityStandards(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let principalId = district.accounts.first { $0.isFeatured && $0.grants.first?.role == .principal }!.sourcedId!
            let principal = try await LeadershipTests.client(app, people.email(.principal))
            #expect(try await principal.page("/goals/school-1/new").contains("<option value=\"03\">Grade 3 (4)</option>"))
            func goals() async throws -> Int { try await sql.raw("SELECT COUNT(*) AS n FROM goals").first()!.decode(column: "n", as: Int.self) }
            let before = try await goals()
            var form = ["statement": "By June, 60% of grade 3 students reach mastery on our priority standards.", "ownerId": principalId, "kind": "mastery",
                        "target": "60", "deadline": "\(SchoolYear.current() + 1)-06-01", "priorityGrade": "13"]
            let refused = try await principal.post("/goals/school-1", form: form)
            #expect(refused.status == .unprocessableEntity && LeadershipTests.text(refused.body.string).contains("Grade 13 has no priority standards."))
            #expect(try await goals() == before)
            form["priorityGrade"] = "03"
            #expect(try await principal.post("/goals/school-1", form: form).status == .seeOther)
            let metric = try await sql.raw("SELECT metric FROM goals WHERE statement = \(bind: form["statement"]!)").first()!.decode(column: "metric", as: String.self)
            let decoded = try JSONDecoder().decode(GoalMetric.self, from: Data(metric.utf8))
            #expect(Set(decoded.standardIds) == ["cv-math-03-1", "cv-math-03-2", "cv-ela-03-1", "cv-ela-03-2"])
            #expect(decoded.grade == "03")

            // A class's tracker narrowed to priority standards: only the grade's priorities assessed there, the CSV too.
            let classId = try await sql.raw("SELECT id FROM classes WHERE school_id = 'school-1' AND grades = '03' ORDER BY id").first()!.decode(column: "id", as: String.self)
            let assessed = Set(try await sql.raw("""
                SELECT DISTINCT s.code FROM assessment_classes ac JOIN assessment_standards x ON x.assessment_id = ac.assessment_id JOIN standards s ON s.id = x.standard_id
                WHERE ac.class_id = \(bind: classId)
                """).all().map { try $0.decode(column: "code", as: String.self) })
            let priorityCodes = assessed.intersection(["CV.MATH.3.1", "CV.MATH.3.2", "CV.ELA.3.1", "CV.ELA.3.2"])
            #expect(!priorityCodes.isEmpty && assessed.count > priorityCodes.count)
            func csvCodes(_ path: String) async throws -> Set<String> {
                // The standard column: its codes are the only text of this shape in the file.
                let response = try await principal.get(path)
                #expect(response.status == .ok, "\(path)")
                return Set(response.body.string.matches(of: /CV\.(?:MATH|ELA)\.[0-9K]+\.[0-9]+/).map { String($0.0) })
            }
            #expect(try await csvCodes("/classes/\(classId)/mastery.csv?priority=1") == priorityCodes)
            #expect(try await csvCodes("/classes/\(classId)/mastery.csv") == assessed)
            #expect(try await principal.page("/classes/\(classId)/mastery").contains("Only the \(priorityCodes.count) priority standards"))
        }
    }

    /// "The priority standards of grade X" as a need's and a PLC cycle's scope: the evidence is the grade's students below
    /// mastery on at least half of its priority standards, recounted here from the tables.
    @Test(arguments: TestDatabase.all)
    func aNeedAndACycleCanBeAboutAGradesPriorityStandards(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            func strings(_ query: SQLQueryString, _ column: String) async throws -> [String] {
                try await sql.raw(query).all().map { try $0.decode(column: column, as: String.self) }
            }
            // The sentence a grade's students' standings on its priority standards should give, worked out from the tables.
            func expected(grade: String, label: String, students: Set<String>) async throws -> String {
                var codes: [String: String] = [:]
                for row in try await sql.raw("SELECT s.id, s.code, s.grades FROM standards s JOIN priority_standards p ON p.id = s.id").all()
                    where try row.decode(column: "grades", as: String.self).split(separator: ",").contains(Substring(grade)) {
                    codes[try row.decode(column: "id", as: String.self)] = try row.decode(column: "code", as: String.self)
                }
                var standings: [String: (below: Int, measured: Int)] = [:]
                for row in try await sql.raw("SELECT student_id, standard_id, timeline FROM mastery_pairs").all() {
                    let student = try row.decode(column: "student_id", as: String.self)
                    guard students.contains(student), codes[try row.decode(column: "standard_id", as: String.self)] != nil,
                          let last = try row.decode(column: "timeline", as: String.self).split(separator: ",").last?.split(separator: ":").last, last != "0" else { continue }
                    standings[student, default: (0, 0)].measured += 1
                    if last == "1" { standings[student, default: (0, 0)].below += 1 }
                }
                let inNeed = standings.values.filter { 2 * $0.below >= $0.measured }.count
                #expect(standings.count >= 10, "enough students for the counts to be shown")
                return "Of the \(standings.count) \(label) students with a standing on \(label)'s \(codes.count) priority standards (\(codes.values.sorted().joined(separator: ", "))), "
                    + "\(inNeed) (\(Int((Double(inNeed) / Double(standings.count) * 100).rounded()))%) are below mastery on at least half of them"
            }
            func needs() async throws -> [String] { try await strings("SELECT title || ' | ' || evidence AS n FROM learning_needs WHERE kind = 'priority' ORDER BY title", "n") }

            // A need on grade 3's priority standards at the featured school.
            let principal = try await LeadershipTests.client(app, people.email(.principal))
            let teacher = try await LeadershipTests.client(app, people.teacherEmail)
            let gradeThree = Set(try await strings("SELECT id FROM students WHERE school_id = 'school-1' AND grade = '03'", "id"))
            let sentence = try await expected(grade: "03", label: "Grade 3", students: gradeThree)
            #expect(try await teacher.post("/learning/needs", form: ["scope": "school-1", "kind": "priority", "grade": "03"]).status == .forbidden)
            for grade in ["", "99", "PK"] {
                #expect(try await principal.post("/learning/needs", form: ["scope": "school-1", "kind": "priority", "grade": grade]).status == .unprocessableEntity, "\(grade)")
            }
            #expect(try await needs().isEmpty)
            #expect(try await principal.post("/learning/needs", form: ["scope": "school-1", "kind": "priority", "grade": "03"]).status == .seeOther)
            #expect(try await needs() == ["The priority standards of Grade 3 | \(sentence) (each student's latest standing)."])
            #expect(try await principal.post("/learning/needs", form: ["scope": "school-1", "kind": "priority", "grade": "03"]).status == .unprocessableEntity,
                    "an open need on the same grade")
            #expect(try await needs().count == 1)
            let hub = LeadershipTests.text(try await principal.page("/learning?scope=school-1"))
            #expect(hub.contains("The priority standards of Grade 3 Priority standards of a grade \(sentence)"))

            // The demo's grade 1 team works on its grade's priority standards: the team's students of that grade.
            let cycle = try #require(try await sql.raw("SELECT team_id, priority_grade FROM inquiry_cycles WHERE team_id = 'demo-plc|school-1|1'").first())
            let team = try cycle.decode(column: "team_id", as: String.self), grade = try cycle.decode(column: "priority_grade", as: String.self)
            #expect(grade == "01")
            let taught = Set(try await strings("""
                SELECT DISTINCT s.user_id FROM enrollments t JOIN enrollments s ON s.class_id = t.class_id AND s.role = 'student'
                JOIN plc_members m ON m.staff_id = t.user_id WHERE t.role = 'teacher' AND m.team_id = \(bind: team)
                """, "user_id"))
            let ofGrade = Set(try await strings("SELECT id FROM students WHERE school_id = 'school-1' AND grade = \(bind: grade)", "id"))
            let teamPage = LeadershipTests.text(try await principal.page("/plcs/\(team)"))
            #expect(teamPage.contains("About the priority standards: \(try await expected(grade: grade, label: "Grade 1", students: taught.intersection(ofGrade)))"))
            // A new cycle on a grade without priority standards is refused and nothing stored.
            func cycles() async throws -> Int { try await sql.raw("SELECT COUNT(*) AS n FROM inquiry_cycles").first()!.decode(column: "n", as: Int.self) }
            let before = try await cycles()
            #expect(try await principal.post("/plcs/\(team)/cycles", form: ["question": "Why?", "priorityGrade": "99"]).status == .unprocessableEntity)
            #expect(try await cycles() == before)
            #expect(try await principal.post("/plcs/\(team)/cycles", form: ["question": "Which fractions trip us?", "priorityGrade": "03"]).status == .seeOther)
            #expect(try await strings("SELECT priority_grade FROM inquiry_cycles WHERE question = 'Which fractions trip us?'", "priority_grade") == ["03"])
        }
    }
}
