import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Calendar feeds")
struct CalendarFeedTests {
    /// The feed as Python's icalendar reads it: every VEVENT's UID, SEQUENCE, STATUS, SUMMARY and start.
    struct Parsed: Decodable, Equatable {
        let uid: String
        let sequence: Int
        let status: String
        let summary: String
        let start: String
        let stamp: Bool
    }

    static func parse(_ feed: String) throws -> [Parsed] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import json, sys, icalendar
            calendar = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
            assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
            events = [{"uid": str(e["UID"]), "sequence": int(e["SEQUENCE"]), "status": str(e["STATUS"]), "summary": str(e["SUMMARY"]),
                       "start": e["DTSTART"].dt.isoformat(), "stamp": "DTSTAMP" in e} for e in calendar.walk("VEVENT")]
            print(json.dumps(sorted(events, key=lambda e: e["uid"])))
            """]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(feed.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "Python's icalendar could not read the feed:\n\(feed)")
        return try JSONDecoder().decode([Parsed].self, from: data)
    }

    static func token(_ page: String) throws -> String {
        String(try #require(page.firstMatch(of: /\/calendar\/feed\/([A-Za-z0-9_-]{43})\.ics/), "no link on the page").1)
    }

    @Test(arguments: TestDatabase.all)
    func aTeachersFeedHoldsTheirVisitsCoachingAndDueDatesAndFollowsChanges(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let teacherId = people.teacherId
            let principalId = district.accounts.first { $0.email == people.email(.principal) }!.sourcedId!
            let coachId = district.accounts.first { $0.email == people.email(.coach) }!.sourcedId!
            let sql = app.db.sql
            let now = Int(Date().timeIntervalSince1970)
            let visitAt = (now / 3_600 + 50) * 3_600, heldAt = (now / 3_600 - 70) * 3_600, followUp = (now / 3_600 + 120) * 3_600
            let due = DisplayTime.isoDay(now + 4 * 86_400)
            try await sql.raw("""
                INSERT INTO scheduled_visits (id, observer_id, teacher_id, school_id, visit_type, scheduled_for, note, created_at)
                VALUES ('visit-1', \(bind: principalId), \(bind: teacherId), 'school-1', 'walkthrough', \(bind: visitAt), 'Looking at small groups', \(bind: now))
                """).run()
            try await sql.raw("""
                INSERT INTO coaching_conversations (id, coach_id, teacher_id, held_at, focus, notes, follow_up_at, created_at)
                VALUES ('talk-1', \(bind: coachId), \(bind: teacherId), \(bind: heldAt), '', 'Private: worried about the noise', \(bind: followUp), \(bind: now))
                """).run()
            try await sql.raw("""
                INSERT INTO coaching_steps (id, conversation_id, text, owner, due_on) VALUES ('step-1', 'talk-1', 'Try think-pair-share in math', 'teacher', \(bind: due))
                """).run()
            // Another teacher's visit, which is not theirs to see.
            let otherTeacher = try #require(try await sql.raw("SELECT staff_id FROM role_grants WHERE role = 'teacher' AND staff_id <> \(bind: teacherId) ORDER BY staff_id LIMIT 1")
                .first()?.decode(column: "staff_id", as: String.self))
            try await sql.raw("""
                INSERT INTO scheduled_visits (id, observer_id, teacher_id, school_id, visit_type, scheduled_for, note, created_at)
                VALUES ('visit-2', \(bind: principalId), \(bind: otherTeacher), 'school-1', 'walkthrough', \(bind: visitAt), '', \(bind: now))
                """).run()

            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            #expect(try await teacher.page("/account/calendar-feed").contains("You have no calendar link yet."))
            let made = try await teacher.post("/account/calendar-feed", form: [:])
            let token = try Self.token(made.body.string)
            let anonymous = TestClient(app)
            let response = try await anonymous.get("/calendar/feed/\(token).ics")
            #expect(response.status == .ok)
            #expect(response.headers.contentType?.description.hasPrefix("text/calendar") == true)
            #expect(response.headers[.cacheControl].contains { $0.contains("no-store") })
            let feed = response.body.string
            #expect(!feed.contains("noise") && !feed.contains("small groups"), "no notes in a feed")
            let principal = district.accounts.first { $0.sourcedId == principalId }!, coach = district.accounts.first { $0.sourcedId == coachId }!
            func name(_ account: DemoDistrict.Account) -> String { account.displayName }
            func iso(_ seconds: Int) -> String { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds))).replacingOccurrences(of: "Z", with: "+00:00") }
            let expected = [
                Parsed(uid: "coaching-talk-1@localhost", sequence: 0, status: "CONFIRMED", summary: "Coaching conversation with \(name(coach))", start: iso(heldAt), stamp: true),
                Parsed(uid: "follow-up-talk-1@localhost", sequence: 0, status: "CONFIRMED", summary: "Coaching follow-up visit with \(name(coach))", start: iso(followUp), stamp: true),
                Parsed(uid: "next-step-step-1@localhost", sequence: 0, status: "CONFIRMED", summary: "Next step due: Try think-pair-share in math", start: due, stamp: true),
                Parsed(uid: "visit-visit-1@localhost", sequence: 0, status: "CONFIRMED", summary: "Announced visit from \(name(principal))", start: iso(visitAt), stamp: true),
            ]
            #expect(try Self.parse(feed) == expected)
            // Lodestar's own importer reads the feed back: the same four, at the same times.
            let window = Date(timeIntervalSince1970: TimeInterval(now - 30 * 86_400))..<Date(timeIntervalSince1970: TimeInterval(now + 30 * 86_400))
            let back = try ICalendar.read(Array(feed.utf8), fileName: "feed.ics", window: window, zone: DisplayTime.zone)
            #expect(back.occurrences.map(\.uid).sorted() == expected.map(\.uid))
            #expect(back.warnings.isEmpty)

            // The visit moves and the next step is done: the visit's SEQUENCE rises, the step is sent as cancelled.
            try await sql.raw("UPDATE scheduled_visits SET scheduled_for = \(bind: visitAt + 3_600) WHERE id = 'visit-1'").run()
            try await sql.raw("UPDATE coaching_steps SET done_at = \(bind: now) WHERE id = 'step-1'").run()
            let changed = try Self.parse(try await anonymous.get("/calendar/feed/\(token).ics").body.string)
            #expect(changed.map { "\($0.uid) \($0.sequence) \($0.status)" } == [
                "coaching-talk-1@localhost 0 CONFIRMED", "follow-up-talk-1@localhost 0 CONFIRMED",
                "next-step-step-1@localhost 1 CANCELLED", "visit-visit-1@localhost 1 CONFIRMED",
            ])
            #expect(changed.last?.start == iso(visitAt + 3_600))
            // Read again unchanged: the same sequences.
            #expect(try Self.parse(try await anonymous.get("/calendar/feed/\(token).ics").body.string) == changed)

            // A new link turns the old one off; turning it off turns both off.
            let renewed = try Self.token(try await teacher.post("/account/calendar-feed", form: [:]).body.string)
            #expect(try await anonymous.get("/calendar/feed/\(token).ics").status == .notFound)
            #expect(try await anonymous.get("/calendar/feed/\(renewed).ics").status == .ok)
            #expect(try await teacher.post("/account/calendar-feed/revoke", form: [:]).status == .seeOther)
            #expect(try await teacher.page("/account/calendar-feed").contains("Your calendar link is turned off"))
            #expect(try await anonymous.get("/calendar/feed/\(renewed).ics").status == .notFound)
            #expect(try await anonymous.get("/calendar/feed/\(String(repeating: "A", count: 43)).ics").status == .notFound)
        }
    }

    @Test func theWriterEscapesFoldsAndWritesDates() throws {
        let feed = ICalendarWriter.feed(name: "Lodestar", events: [
            .init(uid: "a@x", sequence: 2, summary: "Planning; math, grade 3\\4\nnext " + String(repeating: "é", count: 60), when: .time(1_767_225_600, 1_767_229_200)),
            .init(uid: "b@x", sequence: 0, summary: "Due", when: .day("2026-01-31"), cancelled: true),
        ], stamp: 1_767_225_600)
        #expect(feed.contains("SUMMARY:Planning\\; math\\, grade 3\\\\4\\nnext "))
        #expect(feed.contains("DTSTART:20260101T000000Z\r\nDTEND:20260101T010000Z"))
        #expect(feed.contains("DTSTART;VALUE=DATE:20260131\r\nDTEND;VALUE=DATE:20260201"))
        #expect(feed.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        #expect(feed.hasSuffix("END:VCALENDAR\r\n"))
        let parsed = try Self.parse(feed)
        #expect(parsed.map(\.summary) == ["Planning; math, grade 3\\4\nnext " + String(repeating: "é", count: 60), "Due"])
        #expect(parsed.map(\.status) == ["CONFIRMED", "CANCELLED"] && parsed.map(\.sequence) == [2, 0])
    }
}
