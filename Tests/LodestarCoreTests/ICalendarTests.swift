import Foundation
import Testing
@testable import LodestarCore

@Suite("iCalendar")
struct ICalendarTests {
    static let folder: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("shared/data/ics")
    }()

    let newYork = TimeZone(identifier: "America/New_York")!
    let year = Date(timeIntervalSince1970: 0)..<Date(timeIntervalSince1970: 2_000_000_000)

    func iso(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func sample(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: Self.folder.appendingPathComponent(name))) }

    @Test func simpleCalendarHasOneEvent() throws {
        let events = try ICalendar.occurrences(in: sample("issue_1050_simple_calendar.ics"), fileName: "simple.ics", window: year, zone: newYork)
        #expect(events.count == 1)
        #expect(events[0].summary == "Simple Event")
        #expect(events[0].start == iso("2025-01-01T10:00:00Z"))
    }

    @Test func dailyRuleWithCountIsExpanded() throws {
        let events = try ICalendar.occurrences(in: sample("issue_1081_event_with_rrule.ics"), fileName: "rrule.ics", window: year, zone: newYork)
        #expect(events.count == 10)
        #expect(events.first?.start == iso("2025-01-01T10:00:00Z"))
        #expect(events.last?.start == iso("2025-01-10T10:00:00Z"))
        // Only the occurrences inside the window are returned.
        let window = iso("2025-01-03T00:00:00Z")..<iso("2025-01-05T00:00:00Z")
        #expect(try ICalendar.occurrences(in: sample("issue_1081_event_with_rrule.ics"), fileName: "rrule.ics", window: window, zone: newYork).count == 2)
    }

    @Test func customTimeZoneNameIsReadAsItsIANAZone() throws {
        let events = try ICalendar.occurrences(in: sample("america_new_york.ics"), fileName: "ny.ics", window: year, zone: TimeZone(identifier: "UTC")!)
        #expect(events.count == 1)
        // 8:00 in New York in August (EDT, UTC−4).
        #expect(events[0].start == iso("2014-08-29T12:00:00Z"))
        #expect(events[0].end == iso("2014-08-29T14:00:00Z"))
    }

    @Test func brokenCalendarIsRefusedWithItsLine() throws {
        let error = #expect(throws: LodestarError.self) {
            try ICalendar.occurrences(in: try sample("broken_ical.ics"), fileName: "broken_ical.ics", window: year, zone: newYork)
        }
        #expect(error?.location == FileLocation(file: "broken_ical.ics", line: 4, columnName: "DTSTART"))
    }

    func events(_ body: String) throws(LodestarError) -> [ICalendar.Occurrence] {
        try ICalendar.occurrences(in: Array("BEGIN:VCALENDAR\r\n\(body)END:VCALENDAR\r\n".utf8), fileName: "t.ics", window: year, zone: newYork)
    }

    @Test func weeklyRuleKeepsLocalTimeAcrossDaylightSavingAndSkipsExdates() throws {
        let found = try events("""
            BEGIN:VEVENT\r\nUID:plc\r\nSUMMARY:PLC meeting\\, grade 3\r\nDTSTART;TZID=America/New_York:20261027T150000\r\nDTEND;TZID=America/New_York:20261027T160000\r
            RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261112T235959Z\r\nEXDATE;TZID=America/New_York:20261029T150000\r\nCATEGORIES:Meetings,PLC\r\nEND:VEVENT\r\n
            """)
        // Tue 27, (Thu 29 excluded), Tue 3, Thu 5, Tue 10, Thu 12.
        #expect(found.count == 5)
        #expect(found[0].summary == "PLC meeting, grade 3")
        #expect(found[0].categories == ["Meetings", "PLC"])
        #expect(found[0].start == iso("2026-10-27T19:00:00Z"))  // EDT
        #expect(found[1].start == iso("2026-11-03T20:00:00Z"))  // EST, still 3 pm
        #expect(found.allSatisfy { $0.end.timeIntervalSince($0.start) == 3_600 })
    }

    @Test func foldedLinesAllDayEventsDurationsAndCancelledEvents() throws {
        let found = try events("""
            BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Walkthroughs with the\r\n  grade 2 team\r\nDTSTART:20261102T140000Z\r\nDURATION:PT1H30M\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:PD day\r\nDTSTART;VALUE=DATE:20261103\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:Cancelled\r\nSTATUS:CANCELLED\r\nDTSTART:20261104T140000Z\r\nEND:VEVENT\r\n
            """)
        #expect(found.map(\.uid) == ["a", "b"])
        #expect(found[0].summary == "Walkthroughs with the grade 2 team")
        #expect(found[0].end == iso("2026-11-02T15:30:00Z"))
        #expect(found[1].allDay)
    }

    @Test func malformedContentNamesTheLine() {
        // Each refusal names the line of the property at fault (the file starts with BEGIN:VCALENDAR on line 1).
        let badDate = #expect(throws: LodestarError.self) { try events("BEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026-11-02\r\nEND:VEVENT\r\n") }
        #expect(badDate?.location?.line == 4, "\(badDate?.description ?? "")")
        let noStart = #expect(throws: LodestarError.self) { try events("BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n") }
        #expect(noStart?.location?.line != nil, "\(noStart?.description ?? "")")
        let unclosed = #expect(throws: LodestarError.self) { try events("BEGIN:VEVENT\r\nDTSTART:20261102T140000Z\r\n") }
        #expect(unclosed?.location?.line == 4)
        #expect(unclosed?.message.contains("BEGIN:VEVENT on line 2 is still open") == true)
        #expect(throws: LodestarError.self) { try ICalendar.occurrences(in: Array("hello".utf8), fileName: "x.ics", window: year, zone: newYork) }
    }
}

extension ICalendar {
    /// The occurrences alone, for tests that have no warnings to check.
    static func occurrences(in bytes: [UInt8], fileName: String, window: Range<Date>, zone: TimeZone) throws(LodestarError) -> [Occurrence] {
        try read(bytes, fileName: fileName, window: window, zone: zone).occurrences
    }
}
