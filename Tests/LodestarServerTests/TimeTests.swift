import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Leaders' time")
struct TimeTests {
    func sample(_ name: String) throws -> Data { try Data(contentsOf: sharedData.appendingPathComponent("ics/\(name)")) }

    struct Fixture {
        let people: DemoPeople
        let principalId: String
        let principal: TestClient
    }

    func withPrincipal(_ database: TestDatabase, _ test: (Application, Fixture) async throws -> Void) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let principalId = district.accounts.first { $0.email == people.email(.principal) }!.sourcedId!
            try await test(app, Fixture(people: people, principalId: principalId, principal: principal))
        }
    }

    @Test(arguments: TestDatabase.all)
    func realCalendarsImportWithRecurrenceTimeZonesAndAgainWithoutDuplicates(_ database: TestDatabase) async throws {
        try await withPrincipal(database) { app, f in
            let path = "/time/\(f.principalId)/import"
            // A daily rule with COUNT=10 from 2025-01-01 10:00 UTC: ten entries, 5 AM New York time.
            let recurring = try await f.principal.upload(path, file: try sample("issue_1081_event_with_rrule.ics"), field: "calendar", fileName: "rrule.ics",
                                                         fields: ["from": "2024-12-01", "through": "2025-01-31"])
            #expect(recurring.status == .ok)
            #expect(recurring.body.string.contains("Imported rrule.ics"))
            let entries = try await TimeEntry.query(on: app.db).filter(\.$leaderId == f.principalId).sort(\.$startsAt).all()
            #expect(entries.count == 10)
            #expect(entries.map { DisplayTime.isoDay($0.startsAt) } == (1...10).map { String(format: "2025-01-%02d", $0) })
            #expect(DisplayTime.clock(entries[0].startsAt) == "5:00 AM")
            // No rule matches "Test Event": filed under Meetings, marked for checking.
            #expect(entries.allSatisfy { $0.category == "meetings" && $0.guessed && $0.source == "calendar" })

            // The leader corrects one; the correction applies to the others and survives a re-import.
            #expect(try await f.principal.post("/time/\(f.principalId)/entries/\(entries[0].id!)", form: ["category": "operations"]).status == .seeOther)
            #expect(try await TimeEntry.query(on: app.db).filter(\.$category == "operations").count() == 10)
            let again = try await f.principal.upload(path, file: try sample("issue_1081_event_with_rrule.ics"), field: "calendar", fileName: "rrule.ics",
                                                     fields: ["from": "2024-12-01", "through": "2025-01-31"])
            #expect(again.status == .ok)
            #expect(try await TimeEntry.query(on: app.db).count() == 10)
            #expect(try await TimeEntry.query(on: app.db).filter(\.$category == "operations").count() == 10)
            // The series shortened to eight days: the last two occurrences go.
            let shorter = Data(String(decoding: try sample("issue_1081_event_with_rrule.ics"), as: UTF8.self).replacingOccurrences(of: "COUNT=10", with: "COUNT=8").utf8)
            let shortened = try await f.principal.upload(path, file: shorter, field: "calendar", fileName: "rrule.ics", fields: ["from": "2024-12-01", "through": "2025-01-31"])
            #expect(shortened.body.string.contains("<span class=\"stat-label\">Removed</span><strong>2</strong>"))
            #expect(try await TimeEntry.query(on: app.db).count() == 8)

            // A custom TZID naming New York: 8:00–10:00 local on 2014-08-29.
            let zoned = try await f.principal.upload(path, file: try sample("america_new_york.ics"), field: "calendar", fileName: "ny.ics",
                                                     fields: ["from": "2014-08-01", "through": "2014-09-30"])
            #expect(zoned.status == .ok)
            let event = try #require(try await TimeEntry.query(on: app.db).filter(\.$title == "an event with a custom tz name").first())
            #expect(DisplayTime.clock(event.startsAt) == "8:00 AM" && event.endsAt - event.startsAt == 7_200)

            // A start with no end is a moment: imported, counted as no time.
            #expect(try await f.principal.upload(path, file: try sample("issue_1050_simple_calendar.ics"), field: "calendar", fileName: "simple.ics",
                                                 fields: ["from": "2025-01-01", "through": "2025-01-01"]).status == .ok)
            let moment = try #require(try await TimeEntry.query(on: app.db).filter(\.$title == "Simple Event").first())
            #expect(moment.endsAt == moment.startsAt)

            // An all-day event and a three-day conference mark their days; neither counts as hours.
            let conference = Data("""
                BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:conf\r\nDTSTART;TZID=America/New_York:20250106T080000\r\n\
                DTEND;TZID=America/New_York:20250108T170000\r\nSUMMARY:State principals conference\r\nEND:VEVENT\r\n\
                BEGIN:VEVENT\r\nUID:pd-day\r\nDTSTART;VALUE=DATE:20250110\r\nDTEND;VALUE=DATE:20250111\r\nSUMMARY:Staff PD day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
                """.utf8)
            let marked = try await f.principal.upload(path, file: conference, field: "calendar", fileName: "conference.ics", fields: ["from": "2025-01-06", "through": "2025-01-12"])
            #expect(marked.status == .ok)
            for title in ["State principals conference", "Staff PD day"] {
                let entry = try #require(try await TimeEntry.query(on: app.db).filter(\.$title == title).first())
                #expect(entry.allDay && entry.endsAt == entry.startsAt, "\(title)")
            }
            // Another calendar for the same days leaves the first calendar's entries alone.
            #expect(try await TimeEntry.query(on: app.db).filter(\.$title == "Test Event").count() == 8)
            #expect(TimeEntry.calendarUID(fromId: TimeEntry.calendarId(leader: "p|1", uid: "a|b@x", start: Date(timeIntervalSince1970: 5)), leader: "p|1") == "a|b@x")
        }
    }

    @Test(arguments: TestDatabase.all)
    func brokenCalendarsAreRefusedNamingTheLineAndNothingChanges(_ database: TestDatabase) async throws {
        try await withPrincipal(database) { app, f in
            let path = "/time/\(f.principalId)/import"
            let broken = try await f.principal.upload(path, file: try sample("broken_ical.ics"), field: "calendar", fileName: "broken_ical.ics",
                                                      fields: ["from": "2014-01-01", "through": "2014-12-31"])
            #expect(broken.status == .unprocessableEntity)
            #expect(broken.body.string.contains("broken_ical.ics"))
            #expect(broken.body.string.contains("line 4"))
            #expect(broken.body.string.contains("Nothing was imported"))
            let truncated = Data("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20250101T100000Z\r\nSUMMARY:Bus duty\r\n".utf8)
            #expect(try await f.principal.upload(path, file: truncated, field: "calendar", fileName: "cut.ics", fields: ["from": "2025-01-01", "through": "2025-01-31"]).status == .unprocessableEntity)
            #expect(try await f.principal.upload(path, file: try sample("issue_1081_event_with_rrule.ics"), field: "calendar", fileName: "rrule.ics",
                                                 fields: ["from": "2025-02-01", "through": "2025-01-01"]).status == .unprocessableEntity)
            #expect(try await TimeEntry.query(on: app.db).count() == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theWeekShowsTheShareOnInstructionAgainstTheTargetAndProtectedBlocks(_ database: TestDatabase) async throws {
        try await withPrincipal(database) { app, f in
            let monday = DisplayTime.isoDay(DisplayTime.monday(of: DisplayTime.isoDay(Int(Date().timeIntervalSince1970))), plus: -7)
            let tuesday = DisplayTime.isoDay(monday, plus: 1)
            let base = "/time/\(f.principalId)"
            #expect(try await f.principal.post("\(base)/entries", form: ["day": tuesday, "start": "09:00", "end": "10:30", "title": "Classroom walkthroughs", "category": "walkthroughs"]).status == .seeOther)
            #expect(try await f.principal.post("\(base)/entries", form: ["day": tuesday, "start": "10:00", "end": "12:00", "title": "Budget meeting", "category": "operations"]).status == .seeOther)
            #expect(try await f.principal.post("\(base)/entries", form: ["day": tuesday, "start": "12:00", "end": "11:00", "title": "Backwards", "category": "operations"]).status == .unprocessableEntity)
            #expect(try await f.principal.post("\(base)/entries", form: ["day": tuesday, "start": "12:00", "end": "13:00", "title": "x", "category": "no-such"]).status == .unprocessableEntity)
            #expect(try await f.principal.post("\(base)/target", form: ["percent": "40"]).status == .seeOther)
            #expect(try await f.principal.post("\(base)/target", form: ["percent": "140"]).status == .unprocessableEntity)
            #expect(try await f.principal.post("\(base)/blocks", form: ["weekday": "2", "start": "09:00", "end": "10:30", "label": "Visits"]).status == .seeOther)
            let week = try await f.principal.get("\(base)?week=\(monday)").body.string
            // The budget meeting began inside the walkthroughs: 10:00–10:30 counts once, for the walkthroughs (they began
            // first), so 90 instructional of 180 minutes = 50% (it read 43%, of 210 minutes counted twice). The budget
            // meeting overlapped the protected block.
            #expect(week.contains("50%"))
            #expect(week.contains("Overlaps an earlier entry: 90 of 120 min counted"))
            #expect(week.contains("Target met"))
            #expect(week.contains("interrupted by management time"))
            #expect(week.contains("0 of 1"))
            // The home page's number is summed in the database: the same rule gives the same 50%.
            #expect(try await f.principal.get("/").body.string.contains("Last week 50% of your recorded time went to teaching and learning; your target is 40%."))
            let csv = try await f.principal.get("\(base)/time.csv").body.string
            #expect(csv.hasPrefix("day,start,end,minutes,title,category,instructional,source,counted_minutes"))
            #expect(csv.contains("120,Budget meeting,Operations,no,manual,90"))
            #expect(csv.contains("90,Classroom walkthroughs,Walkthroughs and observation,yes,manual,90"))
            #expect(try await f.principal.get("\(base)/year").body.string.contains("Time on instruction this school year"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func aLeadersTimeIsVisibleToThatLeaderAndDistrictLeadersOnly(_ database: TestDatabase) async throws {
        try await withPrincipal(database) { app, f in
            let base = "/time/\(f.principalId)"
            let leader = TestClient(app)
            try await leader.signIn(f.people.email(.districtLeader))
            #expect(try await leader.get(base).status == .ok)
            #expect(try await leader.get("/time/leaders").body.string.contains("School leaders' time"))
            // District leaders read; only the leader writes.
            #expect(try await leader.post("\(base)/target", form: ["percent": "60"]).status == .forbidden)
            for role in [StaffRole.districtAdmin, .assistantPrincipal, .coach, .teacherLeader] {
                let other = TestClient(app)
                try await other.signIn(f.people.email(role))
                #expect(try await other.get(base).status == .forbidden, "\(role)")
                #expect(try await other.get("\(base)/time.csv").status == .forbidden, "\(role)")
                #expect(try await other.get("/time/leaders").status == .forbidden, "\(role)")
            }
            let teacher = TestClient(app)
            try await teacher.signIn(f.people.teacherEmail)
            #expect(try await teacher.get(base).status == .forbidden)
            #expect(try await teacher.get("/time").status == .forbidden)
            #expect(try await f.principal.get("/time/leaders").status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func leadersDelegateTasksAndTheDistrictEditsCategories(_ database: TestDatabase) async throws {
        try await withPrincipal(database) { app, f in
            let base = "/time/\(f.principalId)/delegations"
            let page = try await f.principal.get(base).body.string
            let delegate = try #require(page.firstMatch(of: /<option value="([^"]+)">/)).1
            #expect(try await f.principal.post(base, form: ["task": "Bus duty rotation", "delegateId": String(delegate), "dueOn": "2026-09-01"]).status == .seeOther)
            #expect(try await f.principal.post(base, form: ["task": "x", "delegateId": "nobody", "dueOn": "2026-09-01"]).status == .unprocessableEntity)
            let item = try #require(try await Delegation.query(on: app.db).first())
            #expect(try await f.principal.get(base).body.string.contains("Overdue"))
            #expect(try await f.principal.post("\(base)/\(item.id!)", form: ["status": "done"]).status == .seeOther)
            #expect(try await Delegation.find(item.id!, on: app.db)?.status == "done")

            #expect(try await f.principal.get("/time/categories").status == .forbidden)
            let admin = TestClient(app)
            try await admin.signIn(f.people.email(.districtAdmin))
            #expect(try await admin.post("/time/categories/new", form: ["name": "Student supervision", "kind": "management"]).status == .seeOther)
            var fields: [String: String] = [:]
            for category in try await TimeQueries(db: app.db).categories() {
                fields["name_\(category.key)"] = category.name
                fields["kind_\(category.key)"] = category.instructional ? "instructional" : "management"
                fields["keywords_\(category.key)"] = category.keywords.joined(separator: "\n")
            }
            fields["keywords_student-supervision"] = "Hall duty\nrecess"
            #expect(try await admin.post("/time/categories", form: fields).status == .seeOther)
            let categories = try await TimeQueries(db: app.db).categories()
            #expect(TimeCategory.categorize("Recess supervision", categories: categories, corrections: [:]) == "student-supervision")
            fields["name_walkthroughs"] = ""
            #expect(try await admin.post("/time/categories", form: fields).status == .unprocessableEntity)
        }
    }
}
