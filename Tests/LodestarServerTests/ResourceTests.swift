import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// The resource ledger on the demo district (its kinds, and a year of allocations at every school), on both databases:
/// recording and changing allocations, who may do what, hidden budget figures, counted resources against their
/// sources, and the equity view against a recount from the tables.
@Suite("Resource ledger")
struct ResourceTests {
    static func rows(_ sql: any SQLDatabase, _ query: SQLQueryString) async throws -> [String] {
        try await sql.raw(query).all().map { row in
            try row.allColumns.map { column in
                if column == "amount", let number = try? row.decode(column: column, as: Double.self) { return AllocationDraft.number(number) }
                if let text = try? row.decode(column: column, as: String.self) { return text }
                return "∅"
            }.joined(separator: " | ")
        }
    }

    @Test(arguments: TestDatabase.all)
    func anAllocationIsRecordedWithItsDecisionChangedWithAReasonAndGuardedByRole(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let ledger = "/resources/schools/school-1"
            let tutoring = try await sql.raw("SELECT id FROM resource_kinds WHERE name = 'Tutoring seats'").first()!.decode(column: "id", as: String.self)
            let funds = try await sql.raw("SELECT id FROM resource_kinds WHERE name = 'Professional-learning funds'").first()!.decode(column: "id", as: String.self)
            func allocations() async throws -> [String] {
                try await Self.rows(sql, "SELECT kind_id, amount, starts_on, ends_on, funding, priority, reaches, decided_by, evidence, reason FROM resource_allocations WHERE school_id = 'school-1' ORDER BY amount, reaches")
            }
            let before = try await allocations()
            #expect(before.count == 4)

            // The principal records tutoring for English learners.
            let principal = try await LeadershipTests.client(app, people.email(.principal))
            let form = ["kind": tutoring, "amount": "25", "startsOn": "2026-11-02", "endsOn": "2027-03-31", "funding": "Title III", "priority": "",
                        "reaches": "group:english_learner", "decidedBy": "Jada and the leadership team",
                        "evidence": "/resources/schools/school-1/equity\nhttps://example.org/el-plan", "reason": "English learners received less than their share."]
            #expect(try await principal.post(ledger + "/allocations", form: form).status == .seeOther)
            let added = "\(tutoring) | 25 | 2026-11-02 | 2027-03-31 | Title III |  | group:english_learner | Jada and the leadership team | /resources/schools/school-1/equity\nhttps://example.org/el-plan | English learners received less than their share."
            let after = try await allocations()
            #expect(after.count == 5 && Set(after) == Set(before + [added]))
            let page = LeadershipTests.text(try await principal.page(ledger))
            #expect(page.contains("Tutoring seats 25 seats Nov 2, 2026 – Mar 31, 2027 Title III None named Student group: English learners"))

            // Bad input is refused with the reason, and nothing is stored.
            let now = try await allocations()
            for (change, message) in [(["amount": "-3"], "The amount must be a number above 0"), (["reaches": "group:wizards"], "Choose whom it reaches from the list."),
                                      (["priority": "goal:not-a-goal"], "Choose the priority from the list."), (["evidence": "javascript:alert(1)"], "Evidence line 1 is not a link"),
                                      (["endsOn": "2026-10-01"], "The period ends before it begins."), (["kind": "no-such-kind"], "Choose the kind of resource."),
                                      (["reason": ""], "Give the reason for the decision")] {
                let refused = try await principal.post(ledger + "/allocations", form: form.merging(change) { $1 })
                #expect(refused.status == .unprocessableEntity, "\(change)")
                #expect(LeadershipTests.text(refused.body.string).contains(message), "\(change)")
            }
            #expect(try await allocations() == now)

            // A change needs its reason and is logged; an unchanged form is refused.
            let id = try await sql.raw("SELECT id FROM resource_allocations WHERE funding = 'Title III'").first()!.decode(column: "id", as: String.self)
            var edit = form
            edit["amount"] = "30"
            let unexplained = try await principal.post("/resources/allocations/\(id)", form: edit)
            #expect(unexplained.status == .unprocessableEntity && LeadershipTests.text(unexplained.body.string).contains("Say why it changed"))
            #expect(try await principal.post("/resources/allocations/\(id)", form: form.merging(["changeReason": "No change"]) { $1 }).status == .unprocessableEntity)
            #expect(try await Self.rows(sql, "SELECT what FROM allocation_changes WHERE allocation_id = \(bind: id)") == [])
            edit["changeReason"] = "Five more newcomers enrolled."
            #expect(try await principal.post("/resources/allocations/\(id)", form: edit).status == .seeOther)
            #expect(try await Self.rows(sql, "SELECT amount FROM resource_allocations WHERE id = \(bind: id)") == ["30"])
            #expect(try await Self.rows(sql, "SELECT what, reason FROM allocation_changes WHERE allocation_id = \(bind: id)") == ["Amount 25 → 30 | Five more newcomers enrolled."])
            let record = LeadershipTests.text(try await principal.page("/resources/allocations/\(id)"))
            #expect(record.contains("Amount 25 → 30. Why: Five more newcomers enrolled."))
            #expect(record.contains("Decided by Jada and the leadership team Reason English learners received less than their share."))

            // A coach and a teacher leader read the ledger but may not allocate; a teacher and another school's principal may not read it.
            let coach = try await LeadershipTests.client(app, people.email(.coach))
            let teacherLeader = try await LeadershipTests.client(app, people.email(.teacherLeader))
            let teacher = try await LeadershipTests.client(app, people.teacherEmail)
            let otherPrincipal = try await LeadershipTests.client(app, district.accounts.first { $0.grants.contains { $0.role == .principal && $0.schoolId != "school-1" } }!.email)
            for client in [coach, teacherLeader] {
                #expect(try await client.get(ledger).status == .ok)
                #expect(try await client.post(ledger + "/allocations", form: form).status == .forbidden)
                #expect(try await client.post("/resources/allocations/\(id)", form: edit).status == .forbidden)
                #expect(try await client.get("/resources/kinds").status == .forbidden)
            }
            for client in [teacher, otherPrincipal] {
                #expect(try await client.get(ledger).status == .forbidden)
                #expect(try await client.get("/resources/allocations/\(id)").status == .forbidden)
                #expect(try await client.get(ledger + "/equity").status == .forbidden)
            }
            #expect(try await teacher.get("/resources").status == .forbidden)
            #expect(try await otherPrincipal.post(ledger + "/allocations", form: form).status == .forbidden)
            #expect(try await principal.post("/resources/kinds", form: ["name": "Tutors", "unit": "FTE"]).status == .forbidden)
            #expect(try await principal.post("/resources/settings", form: ["hideBudget": "on"]).status == .forbidden)
            let unchanged = try await allocations()
            #expect(Set(unchanged) == Set(now.map { $0.hasPrefix("\(tutoring) | 25 |") ? $0.replacingOccurrences(of: "\(tutoring) | 25 |", with: "\(tutoring) | 30 |") : $0 }))

            // Budget figures: the coach sees the funds until the district hides them; the principal always does.
            let fundsId = try await sql.raw("SELECT id FROM resource_allocations WHERE school_id = 'school-1' AND kind_id = \(bind: funds)").first()!.decode(column: "id", as: String.self)
            #expect(LeadershipTests.text(try await coach.page(ledger)).contains("18,000 dollars"))
            let leader = try await LeadershipTests.client(app, people.email(.districtLeader))
            #expect(try await leader.post("/resources/settings", form: ["hideBudget": "on"]).status == .seeOther)
            for client in [coach, teacherLeader] {
                var hidden = try await client.page(ledger)
                hidden += try await client.page("/resources/allocations/\(fundsId)")
                hidden += try await client.page(ledger + "/equity?kind=\(funds)")
                #expect(!hidden.contains("18,000") && !hidden.contains("18000"))
                #expect(LeadershipTests.text(hidden).contains("Hidden by the district"))
            }
            #expect(LeadershipTests.text(try await principal.page(ledger)).contains("18,000 dollars"))
            #expect(try await leader.post("/resources/settings", form: [:]).status == .seeOther)
            #expect(LeadershipTests.text(try await coach.page(ledger)).contains("18,000 dollars"))

            // Kinds: a name the district already uses, or none, is refused.
            let kinds = try await Self.rows(sql, "SELECT name, unit FROM resource_kinds ORDER BY name")
            #expect(try await leader.post("/resources/kinds", form: ["name": "tutoring SEATS", "unit": "seats"]).status == .unprocessableEntity)
            #expect(try await leader.post("/resources/kinds", form: ["name": " ", "unit": "seats"]).status == .unprocessableEntity)
            #expect(try await leader.post("/resources/kinds", form: ["name": "Reading tutors", "unit": String(repeating: "u", count: 31)]).status == .unprocessableEntity)
            #expect(try await Self.rows(sql, "SELECT name, unit FROM resource_kinds ORDER BY name") == kinds)
            #expect(try await leader.post("/resources/kinds", form: ["name": "Reading tutors", "unit": "FTE", "budget": "on"]).status == .seeOther)
            #expect(try await Self.rows(sql, "SELECT name, unit FROM resource_kinds WHERE budget = \(bind: true)").sorted()
                    == ["Classroom materials and technology | dollars", "Professional-learning funds | dollars", "Reading tutors | FTE"])
        }
    }

    /// "11.5", "13", "1,250.25": how the ledger writes an amount, worked out here without the app's formatter.
    static func written(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        var whole = parts[0], grouped = ""
        while whole.count > 3 { grouped = "," + whole.suffix(3) + grouped; whole = String(whole.dropLast(3)) }
        return whole + grouped + (parts.count == 2 ? "." + parts[1] : "")
    }

    @Test(arguments: TestDatabase.all)
    func countedResourcesAndTheEquityViewAgreeWithARecountFromTheTables(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let year = SchoolYear.current()
            let from = DisplayTime.startOfDay("\(year)-07-01"), to = DisplayTime.startOfDay("\(year + 1)-07-01")
            let now = Int(Date().timeIntervalSince1970)

            // An intervention group formed today with three students: three seats.
            let classId = try await sql.raw("SELECT id FROM classes WHERE school_id = 'school-1' ORDER BY id").first()!.decode(column: "id", as: String.self)
            let seated = Array(people.students(of: classId).prefix(3))
            try await sql.raw("INSERT INTO intervention_groups (id, name, class_id, school_id, standard_id, plan, reassess_on, created_by, created_at) VALUES ('test-group', 'Fractions', \(bind: classId), 'school-1', 'cv-math-03-1', 'Daily', '2027-01-15', 'demo-admin', \(bind: now))").run()
            for student in seated {
                try await sql.raw("INSERT INTO intervention_members (id, group_id, student_id) VALUES (\(bind: "test-\(student)"), 'test-group', \(bind: student))").run()
            }

            // Coaching: conversations by the school's coaches with its teachers, half an hour each.
            let conversations = try await sql.raw("""
                SELECT COUNT(*) AS n FROM coaching_conversations
                WHERE coach_id IN (SELECT staff_id FROM role_grants WHERE role = 'coach' AND school_id = 'school-1')
                  AND teacher_id IN (SELECT e.user_id FROM enrollments e JOIN classes c ON c.id = e.class_id WHERE e.role = 'teacher' AND c.school_id = 'school-1')
                  AND held_at >= \(bind: from) AND held_at < \(bind: to)
                """).first()!.decode(column: "n", as: Int.self)
            // Professional learning: each session's length for each of the school's staff who attended it.
            let seconds = try await sql.raw("""
                SELECT CAST(COALESCE(SUM(s.ends_at - s.starts_at), 0) AS BIGINT) AS seconds FROM session_attendance a JOIN learning_sessions s ON s.id = a.session_id
                WHERE a.staff_id IN (SELECT staff_id FROM role_grants WHERE school_id = 'school-1') AND s.starts_at >= \(bind: from) AND s.starts_at < \(bind: to)
                """).first()!.decode(column: "seconds", as: Int.self)
            #expect(conversations > 0 && seconds > 0, "the demo has coaching and professional learning at the school")
            // Leaders' instructional time: the principals', assistant principals' and coaches' ledgers. An entry counts from
            // where the entries that began before it end (earliest start first, then the longer); a walkthrough is
            // 15 minutes and a coaching conversation 30 when no entry of the leader overlaps it; instructional
            // categories only.
            let instructional = Set(try await Self.rows(sql, "SELECT id FROM time_categories WHERE instructional = \(bind: true)"))
            var leaderSeconds = 0
            for leader in try await Self.rows(sql, "SELECT DISTINCT staff_id FROM role_grants WHERE school_id = 'school-1' AND role IN ('principal', 'assistant_principal', 'coach')") {
                var entries: [(start: Int, end: Int, category: String, id: String)] = []
                for row in try await sql.raw("SELECT id, starts_at, ends_at, category FROM time_entries WHERE leader_id = \(bind: leader) AND starts_at >= \(bind: from) AND starts_at < \(bind: to)").all() {
                    entries.append((try row.decode(column: "starts_at", as: Int.self), try row.decode(column: "ends_at", as: Int.self),
                                    try row.decode(column: "category", as: String.self), try row.decode(column: "id", as: String.self)))
                }
                var covered = 0
                let ordered = entries.sorted { a, b in
                    if a.start != b.start { return a.start < b.start }
                    if a.end != b.end { return a.end > b.end }
                    if a.category != b.category { return a.category.utf8.lexicographicallyPrecedes(b.category.utf8) }
                    return a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
                }
                for entry in ordered where entry.end > entry.start {
                    if instructional.contains(entry.category) { leaderSeconds += max(0, entry.end - max(entry.start, covered)) }
                    covered = max(covered, entry.end)
                }
                for (table, column, at, length, category) in [("walkthroughs", "observer_id", "observed_at", 900, "walkthroughs"), ("coaching_conversations", "coach_id", "held_at", 1_800, "coaching")]
                    where instructional.contains(category) {
                    for row in try await sql.raw("SELECT \(ident: at) AS at FROM \(ident: table) WHERE \(ident: column) = \(bind: leader) AND \(ident: at) >= \(bind: from) AND \(ident: at) < \(bind: to)").all() {
                        let start = try row.decode(column: "at", as: Int.self)
                        if !entries.contains(where: { $0.start < start + length && start < $0.end }) { leaderSeconds += length }
                    }
                }
            }
            #expect(leaderSeconds > 0, "the demo's leaders spent time on instruction")

            let principal = try await LeadershipTests.client(app, people.email(.principal))
            let ledger = LeadershipTests.text(try await principal.page("/resources/schools/school-1"))
            #expect(ledger.contains("Coaching \(Self.written(Double(conversations) / 2)) hours —"), "\(conversations) conversations")
            // Intervention seats: students placed in groups formed this year (the demo's two and the one above). Minutes: each
            // group's minutes a week for each student, over whole days from forming to reassessment or today, sevenths of a week.
            let seats = try await sql.raw("""
                SELECT COUNT(*) AS n FROM intervention_members m JOIN intervention_groups g ON g.id = m.group_id
                WHERE g.school_id = 'school-1' AND g.created_at >= \(bind: from) AND g.created_at < \(bind: to)
                """).first()!.decode(column: "n", as: Int.self)
            #expect(seats > 3, "the demo's groups and the test's")
            #expect(ledger.contains("Intervention seats \(seats) seats —"))
            var interventionMinutes = 0.0
            let dayFormat = DateFormatter()
            dayFormat.dateFormat = "yyyy-MM-dd"
            dayFormat.timeZone = TimeZone(identifier: "UTC")
            func day(_ text: String) -> Int { Int(dayFormat.date(from: text)!.timeIntervalSince1970) / 86_400 }
            for row in try await sql.raw("""
                SELECT g.minutes_per_week, g.created_at, g.reassess_on, COUNT(m.id) AS members FROM intervention_groups g JOIN intervention_members m ON m.group_id = g.id
                WHERE g.school_id = 'school-1' GROUP BY g.id, g.minutes_per_week, g.created_at, g.reassess_on
                """).all() {
                let first = day(DisplayTime.isoDay(max(try row.decode(column: "created_at", as: Int.self), from)))
                let end = min(day(try row.decode(column: "reassess_on", as: String.self)), day(DisplayTime.isoDay(now)), day("\(year + 1)-06-30"))
                interventionMinutes += Double(try row.decode(column: "minutes_per_week", as: Int.self) * max(0, end - first) * (try row.decode(column: "members", as: Int.self))) / 7
            }
            #expect(interventionMinutes > 0, "the demo's groups met")
            #expect(ledger.contains("Intervention minutes \(Self.written(interventionMinutes)) minutes —"), "\(interventionMinutes)")
            #expect(ledger.contains("Professional learning \(Self.written(Double(seconds) / 3_600)) hours —"))
            #expect(ledger.contains("Leaders' instructional time \(Self.written(Double(leaderSeconds) / 3_600)) hours —"), "\(leaderSeconds) s")

            // Month by month: from the month the first allocation serving a goal began to this one, each allocation in
            // effect during the month at its whole amount, summed by kind.
            var served: [String: [(kind: String, name: String, unit: String, amount: Double, from: String, through: String)]] = [:]
            for row in try await sql.raw("""
                SELECT a.priority, a.kind_id, k.name, k.unit, a.amount, a.starts_on, a.ends_on FROM resource_allocations a JOIN resource_kinds k ON k.id = a.kind_id
                WHERE a.school_id = 'school-1' AND a.priority LIKE 'goal:%'
                """).all() {
                served[try row.decode(column: "priority", as: String.self), default: []].append((try row.decode(column: "kind_id", as: String.self),
                    try row.decode(column: "name", as: String.self), try row.decode(column: "unit", as: String.self), try row.decode(column: "amount", as: Double.self),
                    try row.decode(column: "starts_on", as: String.self), try row.decode(column: "ends_on", as: String.self)))
            }
            #expect(!served.isEmpty, "the demo's allocations serve a goal")
            let names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
            let thisMonth = String(DisplayTime.isoDay(now).prefix(7))
            for allocations in served.values {
                var year = Int(allocations.map(\.from).min()!.prefix(4))!, month = Int(allocations.map(\.from).min()!.dropFirst(5).prefix(2))!
                var months = 0
                while String(format: "%04d-%02d", year, month) <= thisMonth {
                    let first = String(format: "%04d-%02d-01", year, month), last = String(format: "%04d-%02d-31", year, month)
                    let inEffect = Dictionary(grouping: allocations.filter { $0.from <= last && $0.through >= first }, by: \.kind).sorted { $0.key < $1.key }
                        .map { "\(Self.written($0.value.reduce(0) { $0 + $1.amount })) \($0.value[0].unit) of \($0.value[0].name.lowercased())" }.joined(separator: "; ")
                    #expect(ledger.contains("\(names[month - 1]) \(year) \(inEffect.isEmpty ? "Nothing" : inEffect) "), "\(year)-\(month)")
                    months += 1
                    (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
                }
                #expect(months >= 2)
            }

            // The equity of tutoring seats, recounted from the tables.
            let tutoring = try await sql.raw("SELECT id FROM resource_kinds WHERE name = 'Tutoring seats'").first()!.decode(column: "id", as: String.self)
            var students: [(id: String, grade: String, groups: Set<String>)] = []
            for row in try await sql.raw("SELECT id, grade, race_ethnicity, sex, english_learner, special_education, section_504, economically_disadvantaged, gifted FROM students WHERE school_id = 'school-1'").all() {
                var groups: Set<String> = ["race:" + (try row.decode(column: "race_ethnicity", as: String.self)), "sex:" + (try row.decode(column: "sex", as: String.self))]
                for flag in ["english_learner", "special_education", "section_504", "economically_disadvantaged", "gifted"] where try row.decode(column: flag, as: Bool.self) { groups.insert(flag) }
                students.append((try row.decode(column: "id", as: String.self), try row.decode(column: "grade", as: String.self), groups))
            }
            let priorities = Set(try await sql.raw("SELECT id FROM priority_standards").all().map { try $0.decode(column: "id", as: String.self) })
            let enrolled = Set(students.map(\.id))
            var standings: [String: (below: Int, measured: Int)] = [:]
            for row in try await sql.raw("SELECT student_id, standard_id, timeline FROM mastery_pairs").all() {
                let student = try row.decode(column: "student_id", as: String.self)
                guard enrolled.contains(student), priorities.contains(try row.decode(column: "standard_id", as: String.self)),
                      let last = try row.decode(column: "timeline", as: String.self).split(separator: ",").last?.split(separator: ":").last, last != "0" else { continue }
                standings[student, default: (0, 0)].measured += 1
                if last == "1" { standings[student, default: (0, 0)].below += 1 }
            }
            let needy = Set(standings.filter { 2 * $0.value.below >= $0.value.measured }.keys)
            var received: [String: Double] = [:]
            for row in try await sql.raw("SELECT amount, reaches FROM resource_allocations WHERE school_id = 'school-1' AND kind_id = \(bind: tutoring)").all() {
                let reach = try row.decode(column: "reaches", as: String.self), amount = try row.decode(column: "amount", as: Double.self)
                let reached = students.filter { student in
                    if reach == "school" { return true }
                    if reach.hasPrefix("grade:") { return student.grade == reach.dropFirst(6) }
                    if reach.hasPrefix("group:") { return student.groups.contains(String(reach.dropFirst(6))) }
                    Issue.record("the demo reaches \(reach)")
                    return false
                }
                for student in reached { received[student.id, default: 0] += amount / Double(reached.count) }
            }
            let total = received.values.reduce(0, +)
            #expect(abs(total - 100) < 1e-9, "the featured school's 100 seats all reach someone")

            // Who is hidden: groups under 10, and within race and sex one more when only one would be.
            var members: [String: [String]] = [:]
            for student in students { for group in student.groups { members[group, default: []].append(student.id) } }
            var hidden = Set(members.filter { $0.value.count < 10 }.keys)
            for prefix in ["race:", "sex:"] {
                let cells = members.filter { $0.key.hasPrefix(prefix) }
                let under = cells.keys.filter(hidden.contains)
                if under.count == 1, let cover = cells.filter({ !hidden.contains($0.key) }).min(by: { ($0.value.count, $0.key) < ($1.value.count, $1.key) }) { hidden.insert(cover.key) }
            }

            let page = try await principal.page("/resources/schools/school-1/equity?kind=\(tutoring)")
            var shown: [String: [String]] = [:], flaggedOnPage: Set<String> = []
            for match in page.matches(of: /<tr( class="flagged")?><th scope="row">([^<]+)<\/th>(.*?)<\/tr>/) {
                let cells = String(match.3).matches(of: /<td[^>]*>(.*?)<\/td>/).map { LeadershipTests.text(String($0.1)).trimmingCharacters(in: .whitespaces) }
                shown[String(match.2)] = cells
                if match.1 != nil { flaggedOnPage.insert(String(match.2)) }
            }
            func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }
            var flagged: Set<String> = []
            let n = students.count
            for (group, ids) in members {
                let label = StudentGroup.label(ofKey: group)
                guard !hidden.contains(group) else {
                    #expect(shown[label]?.first?.hasPrefix("Fewer than 10") == true, "\(label) is hidden")
                    continue
                }
                let inNeed = ids.filter(needy.contains).count
                let got = ids.reduce(0) { $0 + (received[$1] ?? 0) }
                #expect(shown[label]?.prefix(4).map { $0 } == [String(ids.count), percent(Double(ids.count) / Double(n)), percent(Double(inNeed) / Double(needy.count)), percent(got / total)], "\(label)")
                // A gap of 5 points or more (in whole numbers: 100 × (inNeed × n − needy × size) ≥ 5 × size × n) and less than the share of need.
                if 100 * (inNeed * n - needy.count * ids.count) >= 5 * ids.count * n && got * Double(needy.count) < Double(inNeed) * total { flagged.insert(label) }
            }
            #expect(shown["All students"]?.prefix(3).map { $0 } == [String(n), "100%", "\(needy.count) in need"])
            #expect(flaggedOnPage == flagged)
            #expect(LeadershipTests.text(page).contains("\(flagged.count) \(flagged.count == 1 ? "group" : "groups") flagged"))
            // The demo's story: seats went to gifted students, and the group furthest behind received less than its share of need.
            #expect(flagged.contains("Special education (IEP)"))
            #expect((members["gifted"] ?? []).reduce(0) { $0 + (received[$1] ?? 0) } > 50)

            // The leadership team's evidence on "Resources follow the school's priorities" says the same.
            let evidence = LeadershipTests.evidence(try await principal.page("/leadership/school-1/\(year)/resources-to-priorities"), "resources")
            #expect(evidence.first == "4 allocations this school year: 4 serve a goal, a need or an intervention group; 4 link the evidence considered.")
            let line = try #require(evidence.first { $0.hasPrefix("Tutoring seats, 100 seats: ") })
            #expect(line.contains("\(flagged.count) \(flagged.count == 1 ? "group" : "groups") in need below") && flagged.allSatisfy(line.contains))
        }
    }
}
