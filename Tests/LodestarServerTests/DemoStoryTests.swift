import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// The demo tells the story of a district that uses Lodestar well: learning grows through the year, more in
/// some classes than others (a few fall), in classrooms where practices are seen more often; every school has
/// mentors to suggest and a pairing confirmed; gaps between groups to close; and nothing happens on a day
/// school is out. Each property is read from the loaded demo's rows, not from the generator.
@Suite("Demo story")
struct DemoStoryTests {
    /// The school year's days without school, written out by hand: US federal holidays, the Friday after
    /// Thanksgiving and the winter break.
    static let daysOff: Set<String> = {
        var days: Set<String> = ["2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-11-27", "2027-01-18", "2027-02-15", "2027-05-31"]
        for day in 21...31 { days.insert("2026-12-\(day)") }
        days.insert("2027-01-01")
        return days
    }()

    static func isSchoolDay(_ day: String) -> Bool {
        guard let date = DisplayTime.date(fromISODay: day) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = DisplayTime.zone
        return (2...6).contains(calendar.component(.weekday, from: date)) && !daysOff.contains(day)
    }

    @Test func theDemoTellsTheStoryOfADistrictThatUsesLodestarWell() async throws {
        try await withLodestar(.sqlite) { app in
            let through = DisplayTime.date(fromISODay: "2026-12-10", time: "17:00")!
            let district = try await DemoLoader.load(size: .small, seed: 1, through: through, on: app.db)
            let sql = app.db.sql
            let schools = district.bundle.orgs.filter { $0.type == "school" }.map(\.sourcedId)
            #expect(schools.count == 3)

            // Nothing on a day school is out: visits, assessments, coaching conversations, leaders' time, sessions, PLC meetings.
            var days: [String: [String]] = [:]
            for (what, query) in [("visit", "SELECT observed_at AS at FROM walkthroughs"), ("conversation", "SELECT held_at AS at FROM coaching_conversations"),
                                  ("time entry", "SELECT starts_at AS at FROM time_entries"), ("session", "SELECT starts_at AS at FROM learning_sessions")] {
                days[what] = try await sql.raw(SQLQueryString(query)).all().map { DisplayTime.isoDay(try $0.decode(column: "at", as: Int.self)) }
            }
            days["assessment"] = try await sql.raw("SELECT assessed_on AS day FROM assessments").all().map { try $0.decode(column: "day", as: String.self) }
            days["PLC meeting"] = try await sql.raw("SELECT held_on AS day FROM plc_meetings").all().map { try $0.decode(column: "day", as: String.self) }
            for (what, list) in days {
                #expect(!list.isEmpty, "no \(what)")
                let off = list.filter { !Self.isSchoolDay($0) }
                #expect(off.isEmpty, "\(off.count) \(what)s on days without school, e.g. \(off.prefix(3))")
            }
            #expect(!(days["visit"] ?? []).contains("2026-11-26") && !(days["assessment"] ?? []).contains("2026-11-26"))

            for school in schools {
                // Learning grows: the share of results at or above mastery, over every standard, from September to November.
                let counts = try await InsightsQueries(db: app.db).masteryByMonth(schoolIds: [school], grade: nil, standardIds: nil, group: "all",
                                                                                  months: ["2026-09", "2026-11"])
                func share(_ month: String) -> Double {
                    let all = counts.values.compactMap { $0[month] }
                    return Double(all.map(\.atOrAbove).reduce(0, +)) / Double(max(1, all.map(\.evidence).reduce(0, +)))
                }
                #expect(share("2026-11") - share("2026-09") >= 0.03, "\(school): \(share("2026-09")) → \(share("2026-11"))")

                // Classes differ: some grow a lot, a few fall.
                let growth = try await InsightsQueries(db: app.db).classGrowth(schoolId: school, through: "2026-11").map(\.growth)
                #expect(growth.count >= 4)
                #expect((growth.max() ?? 0) >= 15, "\(school): \(growth.sorted())")

                // Practices relate to growth: where both sides have classes, those often seen practicing grew more, mostly.
                let start = DisplayTime.startOfDay("2026-08-01"), end = DisplayTime.startOfDay("2026-12-01")
                let practice = try await WalkthroughQueries(db: app.db).practice(schoolId: school, from: start, to: end)
                let rows = PracticeAndGrowth.rows(indicators: Framework.lodestarDefault.indicators.map(\.key), practice: practice,
                                                  classes: try await InsightsQueries(db: app.db).classGrowth(schoolId: school, through: "2026-11"))
                let differences = rows.compactMap(\.difference)
                #expect(differences.count >= 3 && differences.filter { $0 > 0 }.count * 4 >= differences.count * 3, "\(school): \(differences)")

                // Mentors: a pairing confirmed, and more suggested from the evidence.
                #expect(try await MentorPairing.query(on: app.db).filter(\.$schoolId == school).count() >= 1, "\(school): no confirmed mentor pairing")
                #expect(!(try await LearningQueries(db: app.db).mentorSuggestions(schoolId: school, framework: Framework.lodestarDefault)).isEmpty, "\(school): no suggestion")
            }
            var allGrowth: [Double] = []
            for school in schools { allGrowth += try await InsightsQueries(db: app.db).classGrowth(schoolId: school, through: "2026-11").map(\.growth) }
            #expect(allGrowth.contains { $0 < 0 }, "no class falls: \(allGrowth.sorted().prefix(5))")

            // Gaps to close: in the district, some group of at least 10 students is 10 points or more below all students on a standard.
            let byGroup = try await InsightsQueries(db: app.db).masteryByGroup(schoolIds: nil, grade: nil, standardIds: nil, groups: nil, months: ["2026-11"])
            let gaps = (byGroup["all"] ?? [:]).compactMap { standard, months -> Double? in
                guard let all = months["2026-11"]?.share else { return nil }
                return StudentGroup.all.compactMap { group in
                    byGroup[group.key]?[standard]?["2026-11"].flatMap { $0.evidence >= 10 ? $0.share.map { ($0 - all) * 100 } : nil }
                }.min()
            }
            #expect((gaps.min() ?? 0) <= -10)

            // Every main page of the demo has content for the principal.
            let principal = TestClient(app)
            try await principal.signIn(DemoPeople(district: district).email(.principal))
            for path in ["/", "/walkthroughs", "/insights/practice", "/insights/learning", "/insights/equity", "/insights/practice-and-growth",
                         "/learning", "/mentors", "/plcs", "/goals/school-1", try #require(try await principal.get("/time").headers.first(name: .location))] {
                let page = try await principal.page(path)
                #expect(!page.contains("class=\"empty\""), "\(path) shows an empty state")
            }
        }
    }
}
