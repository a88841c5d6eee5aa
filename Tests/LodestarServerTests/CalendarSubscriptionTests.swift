import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// A calendar server on loopback (`Tests/calendar/calendar_server.py`): the test writes the calendar it
/// serves, changes it between refreshes, and reads which requests came and how they were answered.
final class CalendarServer: @unchecked Sendable {
    let process = Process()
    let folder: URL
    let port: Int

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("calendars-" + UUID().uuidString)
        port = Int.random(in: 40_000..<50_000)
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("Tests/calendar/calendar_server.py").path, "--port", "\(port)", "--folder", folder.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard line.hasPrefix("ready") else { throw SMTPSink.SinkError(description: "the calendar server did not start: \(line)") }
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        var status: Int32 = 0
        waitpid(process.processIdentifier, &status, 0)
        try? FileManager.default.removeItem(at: folder)
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func serve(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    /// "GET /cal/work.ics 200" lines, in order.
    var requests: [String] {
        ((try? String(contentsOf: folder.appendingPathComponent("requests.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}

@Suite("Calendar subscriptions")
struct CalendarSubscriptionTests {
    /// A calendar for the coming weeks: a weekly team huddle four times and a single parent meeting, at 15:00
    /// and 9:00 in New York.
    static func calendar(days: [String: String], changes: String = "") -> String {
        """
        BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r
        BEGIN:VEVENT\r\nUID:plc@test\r\nSUMMARY:Team huddle\r\nDTSTART;TZID=America/New_York:\(days["plc"]!)T150000\r
        DTEND;TZID=America/New_York:\(days["plc"]!)T160000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n\(changes)END:VEVENT\r
        BEGIN:VEVENT\r\nUID:parent@test\r\nSUMMARY:Parent meeting\r\nDTSTART;TZID=America/New_York:\(days["parent"]!)T090000\r
        DTEND;TZID=America/New_York:\(days["parent"]!)T093000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
        """
    }

    static func compact(_ day: String) -> String { day.replacingOccurrences(of: "-", with: "") }

    struct Entry: Equatable, CustomStringConvertible {
        let day: String
        let title: String
        let category: String
        var description: String { "\(day) \(title) \(category)" }
    }

    static func entries(of leader: String, on db: any Database) async throws -> [Entry] {
        try await TimeEntry.query(on: db).filter(\.$leaderId == leader).filter(\.$source == "calendar").sort(\.$startsAt).all()
            .map { Entry(day: DisplayTime.isoDay($0.startsAt), title: $0.title, category: $0.category) }
    }

    @Test(arguments: TestDatabase.all)
    func aConnectedCalendarRefreshesKeepsCorrectionsAndRemovesWhatTheSourceRemoved(_ database: TestDatabase) async throws {
        let server = try CalendarServer()
        try await withLodestar(database) { app in
            app.calendarFetcherSettings.allowLoopback = true
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let leader = district.accounts.first { $0.email == people.email(.principal) }!.sourcedId!
            let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
            let plc = DisplayTime.isoDay(today, plus: 7), parent = DisplayTime.isoDay(today, plus: 9)
            let days = ["plc": Self.compact(plc), "parent": Self.compact(parent)]
            try server.serve("work.ics", Self.calendar(days: days))

            // Connecting reads the calendar at once.
            let added = try await principal.post("/time/\(leader)/calendars", form: ["label": "Work", "address": server.url("/cal/work.ics")])
            #expect(added.status == .seeOther)
            let page = try await principal.page("/time/\(leader)/calendars")
            #expect(page.contains("Connected “Work”: 5 events this school year."))
            #expect(page.contains("from 127.0.0.1") && !page.contains("/cal/work.ics"), "the secret address is not shown")
            let weeks = (0..<4).map { DisplayTime.isoDay(plc, plus: 7 * $0) }
            #expect(try await Self.entries(of: leader, on: app.db) == [Entry(day: plc, title: "Team huddle", category: "meetings")]
                    + [Entry(day: parent, title: "Parent meeting", category: "family")]
                    + weeks.dropFirst().map { Entry(day: $0, title: "Team huddle", category: "meetings") })
            let subscription = try #require(try await CalendarSubscription.query(on: app.db).filter(\.$leaderId == leader).first())

            // The leader says the huddles are planning with teachers.
            let first = try #require(try await TimeEntry.query(on: app.db).filter(\.$leaderId == leader).filter(\.$title == "Team huddle").sort(\.$startsAt).first())
            #expect(try await principal.post("/time/\(leader)/entries/\(first.id!)", form: ["category": "planning"]).status == .seeOther)

            // The source moves the second PLC meeting away (EXDATE) and cancels the parent meeting.
            try server.serve("work.ics", Self.calendar(days: days, changes: "EXDATE;TZID=America/New_York:\(Self.compact(weeks[1]))T150000\r\n")
                .replacingOccurrences(of: "SUMMARY:Parent meeting", with: "SUMMARY:Parent meeting\r\nSTATUS:CANCELLED"))
            #expect(try await principal.post("/time/\(leader)/calendars/\(subscription.id!)/refresh", form: [:]).status == .seeOther)
            #expect(try await principal.page("/time/\(leader)/calendars").contains("refreshed: 0 new, 3 kept or updated, 2 removed."))
            #expect(try await Self.entries(of: leader, on: app.db) == [weeks[0], weeks[2], weeks[3]].map { Entry(day: $0, title: "Team huddle", category: "planning") })

            // Unchanged: the server answers 304 and nothing changes.
            #expect(try await principal.post("/time/\(leader)/calendars/\(subscription.id!)/refresh", form: [:]).status == .seeOther)
            #expect(try await principal.page("/time/\(leader)/calendars").contains("has not changed since the last refresh"))
            #expect(server.requests.suffix(1) == ["GET /cal/work.ics 304"])

            // The scheduled refresh takes the subscriptions that are due.
            try server.serve("work.ics", Self.calendar(days: days))
            let refreshes = CalendarSubscriptions(db: app.db, fetcher: app.calendarFetcher)
            #expect(try await refreshes.refreshDue(now: Int(Date().timeIntervalSince1970), logger: app.logger) == 0, "not due for an hour")
            #expect(try await refreshes.refreshDue(now: Int(Date().timeIntervalSince1970) + 3_601, logger: app.logger) == 1)
            #expect(try await Self.entries(of: leader, on: app.db).count == 5)
            #expect(try await Self.entries(of: leader, on: app.db).filter { $0.title.hasPrefix("Team") }.allSatisfy { $0.category == "planning" })

            // A failure is kept for the leader to see, and what was imported stays.
            try FileManager.default.removeItem(at: server.folder.appendingPathComponent("work.ics"))
            #expect(try await principal.post("/time/\(leader)/calendars/\(subscription.id!)/refresh", form: [:]).status == .seeOther)
            let failed = try await principal.page("/time/\(leader)/calendars")
            #expect(failed.contains("answered 404 Not Found"))
            #expect(try await Self.entries(of: leader, on: app.db).count == 5)

            // Someone else cannot see, refresh or remove it.
            let other = TestClient(app)
            try await other.signIn(people.email(.assistantPrincipal))
            #expect(try await other.get("/time/\(leader)/calendars").status == .forbidden)
            #expect(try await other.post("/time/\(leader)/calendars/\(subscription.id!)/refresh", form: [:]).status == .forbidden)

            // Removing it removes its entries.
            #expect(try await principal.post("/time/\(leader)/calendars/\(subscription.id!)/delete", form: [:]).status == .seeOther)
            #expect(try await Self.entries(of: leader, on: app.db).isEmpty)
            #expect(try await CalendarSubscription.query(on: app.db).count() == 0)
        }
    }

    @Test func theDistrictsCalendarGoesIntoEveryLeadersTime() async throws {
        let server = try CalendarServer()
        try await withLodestar(.sqlite) { app in
            app.calendarFetcherSettings.allowLoopback = true
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
            let first = Self.compact(DisplayTime.isoDay(today, plus: 8))
            func meetings(_ count: Int) -> String {
                """
                BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:principals@district\r\nSUMMARY:Principals meeting\r
                DTSTART;TZID=America/New_York:\(first)T090000\r\nDTEND;TZID=America/New_York:\(first)T110000\r\nRRULE:FREQ=WEEKLY;COUNT=\(count)\r
                END:VEVENT\r\nEND:VCALENDAR\r\n
                """
            }
            try server.serve("district.ics", meetings(2))
            // Who keeps their time: principals, assistant principals and coaches, read here from the roles themselves.
            let leaders = Set(try await app.db.sql.raw("SELECT staff_id FROM role_grants WHERE role IN ('principal', 'assistant_principal', 'coach')")
                .all().map { try $0.decode(column: "staff_id", as: String.self) })
            #expect(leaders.count >= 3)
            func perLeader() async throws -> [String: Int] {
                let rows = try await app.db.sql.raw("SELECT leader_id, count(*) AS n FROM time_entries WHERE title = 'Principals meeting' GROUP BY leader_id").all()
                return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(column: "leader_id", as: String.self), try $0.decode(column: "n", as: Int.self)) })
            }

            // Only district admins and leaders keep the district's calendars.
            for role in [StaffRole.principal, .coach] {
                let client = TestClient(app)
                try await client.signIn(people.email(role))
                #expect(try await client.get("/time/district/calendars").status == .forbidden, "\(role)")
                #expect(try await client.post("/time/district/calendars", form: ["label": "Mine", "address": server.url("/cal/district.ics")]).status == .forbidden, "\(role)")
            }
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            #expect(try await teacher.get("/time/district/calendars").status == .forbidden)
            let leader = TestClient(app)
            try await leader.signIn(people.email(.districtLeader))
            #expect(try await leader.get("/time/district/calendars").status == .ok)

            let admin = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            #expect(try await admin.post("/time/district/calendars", form: ["label": "District meetings", "address": server.url("/cal/district.ics")]).status == .seeOther)
            #expect(try await admin.page("/time/district/calendars").contains("Connected “District meetings”: 2 events this school year, in every leader"))
            #expect(try await perLeader() == Dictionary(uniqueKeysWithValues: leaders.map { ($0, 2) }))

            // One meeting fewer: every leader loses it.
            try server.serve("district.ics", meetings(1))
            let subscription = try #require(try await CalendarSubscription.query(on: app.db).filter(\.$leaderId == CalendarSubscription.everyone).first())
            #expect(try await admin.post("/time/district/calendars/\(subscription.id!)/refresh", form: [:]).status == .seeOther)
            #expect(try await perLeader() == Dictionary(uniqueKeysWithValues: leaders.map { ($0, 1) }))
            // A leader cannot remove it from their page.
            let principalId = district.accounts.first { $0.email == people.email(.principal) }!.sourcedId!
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.post("/time/\(principalId)/calendars/\(subscription.id!)/delete", form: [:]).status == .notFound)
            #expect(try await admin.post("/time/district/calendars/\(subscription.id!)/delete", form: [:]).status == .seeOther)
            #expect(try await perLeader().isEmpty)
        }
    }

    @Test func addressesThatAreNotCalendarsOnTheInternetAreRefusedAndNothingIsKept() async throws {
        let server = try CalendarServer()
        try server.serve("broken.ics", String(decoding: try Data(contentsOf: sharedData.appendingPathComponent("ics/broken_ical.ics")), as: UTF8.self))
        try await withLodestar(.sqlite) { app in
            app.calendarFetcherSettings.allowLoopback = true
            app.calendarFetcherSettings.maximumBytes = 100 * 1_024
            // Long enough for a loaded test run to fetch a calendar (one second once was not, five seconds once was
            // not with the whole suite running on two cores), short enough to test.
            app.calendarFetcherSettings.timeout = .seconds(30)
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let leader = district.accounts.first { $0.email == people.email(.principal) }!.sourcedId!
            let refusals: [(String, String)] = [
                ("http://calendar.example.org/basic.ics", "Only https:// calendar addresses are accepted (this one starts with http://)"),
                ("ftp://calendar.example.org/basic.ics", "Only https:// calendar addresses are accepted"),
                ("https://10.1.2.3/basic.ics", "points to 10.1.2.3, which is not on the internet"),
                ("https://[fd00::1]/basic.ics", "points to fd00::1, which is not on the internet"),
                ("https://169.254.169.254/latest/meta-data", "points to 169.254.169.254, which is not on the internet"),
                (server.url("/redirect?to=https://169.254.169.254/latest/meta-data"), "points to 169.254.169.254, which is not on the internet"),
                (server.url("/big/2"), "The calendar is larger than 100 KB."),
                (server.url("/slow/60"), "took longer than 30 seconds"),
                (server.url("/page"), "The address gives a page (text/html), not a calendar"),
                (server.url("/status/404"), "answered 404 Not Found"),
                (server.url("/cal/broken.ics"), "broken"),
                ("not an address", "is not a web address"),
            ]
            for (address, message) in refusals {
                let response = try await principal.post("/time/\(leader)/calendars", form: ["label": "Work", "address": address])
                #expect(response.status == .unprocessableEntity, "\(address): \(response.status)")
                #expect(response.body.string.contains(message), "\(address): \(RouteMatrixTests.message(response))")
            }
            // The broken calendar's refusal names its line.
            let broken = try await principal.post("/time/\(leader)/calendars", form: ["label": "Work", "address": server.url("/cal/broken.ics")])
            #expect(RouteMatrixTests.message(broken).contains("line 4"), "\(RouteMatrixTests.message(broken))")
            #expect(try await CalendarSubscription.query(on: app.db).count() == 0)
            #expect(try await TimeEntry.query(on: app.db).filter(\.$leaderId == leader).filter(\.$source == "calendar").count() == 0)

            // Loopback is refused too outside tests.
            app.calendarFetcherSettings.allowLoopback = false
            let loopback = try await principal.post("/time/\(leader)/calendars", form: ["label": "Work", "address": "https://127.0.0.1:\(server.port)/cal/x.ics"])
            #expect(loopback.body.string.contains("points to 127.0.0.1, which is not on the internet"))
        }
    }

    @Test func networkAddressesAreSortedByTheirRegistries() {
        let internet = ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]
        let local = ["10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1",
                     "198.18.0.1", "fc00::1", "fe80::1", "ff02::1", "::", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2001:db8::1"]
        #expect(internet.allSatisfy { NetworkAddress.kind($0) == .internet }, "\(internet.map { NetworkAddress.kind($0) })")
        #expect(local.allSatisfy { NetworkAddress.kind($0) == .local }, "\(local.filter { NetworkAddress.kind($0) != .local })")
        #expect(["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"].allSatisfy { NetworkAddress.kind($0) == .loopback })
        #expect(NetworkAddress.kind("not an address") == .unknown)
    }
}
