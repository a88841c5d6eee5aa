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

/// One hand-written calendar for each clause of RFC 5545 Lodestar reads, with the occurrences worked
/// out by hand (from the RFC's own examples where it gives them).
@Suite("iCalendar clause by clause")
struct ICalendarCorpusTests {
    let newYork = TimeZone(identifier: "America/New_York")!
    let wide = Date(timeIntervalSince1970: -900_000_000)..<Date(timeIntervalSince1970: 2_200_000_000)

    func read(_ events: String..., zones: String = "", window: Range<Date>? = nil) throws(LodestarError) -> ICalendar.Reading {
        try reading(events, zones: zones, window: window)
    }

    func reading(_ events: [String], zones: String, window: Range<Date>?) throws(LodestarError) -> ICalendar.Reading {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\(zones)\(events.joined())END:VCALENDAR\r\n"
        return try ICalendar.read(Array(text.utf8), fileName: "t.ics", window: window ?? wide, zone: newYork)
    }

    /// Starts in UTC, `YYYY-MM-DDTHH:MM`.
    func starts(_ events: String..., zones: String = "", window: Range<Date>? = nil) throws(LodestarError) -> [String] {
        try reading(events, zones: zones, window: window).occurrences.map { String(ISO8601DateFormatter().string(from: $0.start).prefix(16)) }
    }

    func event(_ lines: String...) -> String { "BEGIN:VEVENT\r\n" + lines.map { $0 + "\r\n" }.joined() + "END:VEVENT\r\n" }

    @Test func windowsZoneNamesAreMappedThroughCLDR() throws {
        // Exchange's TZID with no VTIMEZONE: 15:00 in Los Angeles is 22:00 UTC in October (PDT), 23:00 in November (PST).
        let found = try starts(event("UID:a", "DTSTART;TZID=\"Pacific Standard Time\":20261015T150000"),
                               event("UID:b", "DTSTART;TZID=Pacific Standard Time:20261104T150000"))
        #expect(found == ["2026-10-15T22:00", "2026-11-04T23:00"])
    }

    @Test func aZoneTheFileDefinesIsUsedForANameThatIsNotIANA() throws {
        // Outlook's own definition of Central time, under a name no zone database knows.
        let zone = """
            BEGIN:VTIMEZONE\r\nTZID:(UTC-06:00) Central Time (US & Canada)\r\nBEGIN:STANDARD\r\nDTSTART:16010101T020000\r
            TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0600\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r
            DTSTART:16010101T020000\r\nTZOFFSETFROM:-0600\r\nTZOFFSETTO:-0500\r\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n
            """
        let reading = try read(event("UID:a", "DTSTART;TZID=\"(UTC-06:00) Central Time (US & Canada)\":20260114T090000", "RRULE:FREQ=MONTHLY;INTERVAL=6;COUNT=2"), zones: zone)
        #expect(reading.occurrences.map(\.start) == [ISO8601DateFormatter().date(from: "2026-01-14T15:00:00Z")!, ISO8601DateFormatter().date(from: "2026-07-14T14:00:00Z")!])
        #expect(reading.warnings.isEmpty)
    }

    @Test func anUnknownZoneIsReadInTheDistrictsZoneWithAWarning() throws {
        let reading = try read(event("UID:a", "DTSTART;TZID=Somewhere Else:20260114T090000"))
        #expect(reading.occurrences.map(\.start) == [ISO8601DateFormatter().date(from: "2026-01-14T14:00:00Z")!])
        #expect(reading.warnings.count == 1 && reading.warnings[0].contains("Somewhere Else") && reading.warnings[0].contains("America/New_York"))
    }

    @Test func byDayWithAnOrdinalInAMonthlyRule() throws {
        // The third Wednesday, from Wed 15 January 2025, 10:00 in New York (EST, then EDT from 9 March).
        #expect(try starts(event("UID:a", "DTSTART;TZID=America/New_York:20250115T100000", "RRULE:FREQ=MONTHLY;BYDAY=3WE;COUNT=4"))
                == ["2025-01-15T15:00", "2025-02-19T15:00", "2025-03-19T14:00", "2025-04-16T14:00"])
    }

    @Test func byDayLimitsADailyRule() throws {
        // Weekdays only, from Friday 3 January 2025.
        #expect(try starts(event("UID:a", "DTSTART:20250103T090000Z", "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=7"))
                == ["2025-01-03T09:00", "2025-01-06T09:00", "2025-01-07T09:00", "2025-01-08T09:00", "2025-01-09T09:00", "2025-01-10T09:00", "2025-01-13T09:00"])
    }

    @Test func datesThatDoNotExistAreSkipped() throws {
        #expect(try starts(event("UID:a", "DTSTART:20250131T090000Z", "RRULE:FREQ=MONTHLY;COUNT=4"))
                == ["2025-01-31T09:00", "2025-03-31T09:00", "2025-05-31T09:00", "2025-07-31T09:00"])
        #expect(try starts(event("UID:b", "DTSTART:20240229T090000Z", "RRULE:FREQ=YEARLY;COUNT=3"))
                == ["2024-02-29T09:00", "2028-02-29T09:00", "2032-02-29T09:00"])
        // The last day of each month is BYMONTHDAY=-1.
        #expect(try starts(event("UID:c", "DTSTART:20250131T090000Z", "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3"))
                == ["2025-01-31T09:00", "2025-02-28T09:00", "2025-03-31T09:00"])
    }

    @Test func bySetPosPicksFromEachPeriod() throws {
        // The last weekday of the month.
        #expect(try starts(event("UID:a", "DTSTART:20250131T090000Z", "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3"))
                == ["2025-01-31T09:00", "2025-02-28T09:00", "2025-03-31T09:00"])
    }

    @Test func theRFCsExamplesOfWeekNumbersYearDaysAndWeekStart() throws {
        // RFC 5545 §3.8.5.3: Monday of week 20, every year (9:00 in New York, EDT).
        #expect(try starts(event("UID:a", "DTSTART;TZID=America/New_York:19970512T090000", "RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO;COUNT=3"))
                == ["1997-05-12T13:00", "1998-05-11T13:00", "1999-05-17T13:00"])
        // Every third year on days 1, 100 and 200.
        #expect(try starts(event("UID:b", "DTSTART;TZID=America/New_York:19970101T090000", "RRULE:FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200"))
                == ["1997-01-01T14:00", "1997-04-10T13:00", "1997-07-19T13:00", "2000-01-01T14:00", "2000-04-09T13:00",
                    "2000-07-18T13:00", "2003-01-01T14:00", "2003-04-10T13:00", "2003-07-19T13:00", "2006-01-01T14:00"])
        // The week start changes which Sunday belongs to a fortnight.
        #expect(try starts(event("UID:c", "DTSTART;TZID=America/New_York:19970805T090000", "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO"))
                == ["1997-08-05T13:00", "1997-08-10T13:00", "1997-08-19T13:00", "1997-08-24T13:00"])
        #expect(try starts(event("UID:d", "DTSTART;TZID=America/New_York:19970805T090000", "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"))
                == ["1997-08-05T13:00", "1997-08-17T13:00", "1997-08-19T13:00", "1997-08-31T13:00"])
    }

    @Test func aMovedOccurrenceShowsOnceAtItsNewTime() throws {
        let reading = try read(
            event("UID:plc", "SUMMARY:PLC", "DTSTART:20260106T200000Z", "DTEND:20260106T210000Z", "RRULE:FREQ=WEEKLY;COUNT=3"),
            event("UID:plc", "SUMMARY:PLC (moved)", "RECURRENCE-ID:20260113T200000Z", "DTSTART:20260114T210000Z", "DTEND:20260114T220000Z"),
            event("UID:plc", "SUMMARY:PLC", "RECURRENCE-ID:20260120T200000Z", "DTSTART:20260120T200000Z", "STATUS:CANCELLED"))
        #expect(reading.occurrences.map { "\($0.summary) \(ISO8601DateFormatter().string(from: $0.start))" } == ["PLC 2026-01-06T20:00:00Z", "PLC (moved) 2026-01-14T21:00:00Z"])
    }

    @Test func thisAndFutureMovesTheLaterOccurrences() throws {
        // Mondays at 10:00 in New York; from the third, 11:00 and half an hour long.
        let reading = try read(
            event("UID:a", "SUMMARY:Coaching", "DTSTART;TZID=America/New_York:20261019T100000", "DTEND;TZID=America/New_York:20261019T110000", "RRULE:FREQ=WEEKLY;COUNT=4"),
            event("UID:a", "SUMMARY:Coaching", "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/New_York:20261102T100000",
                  "DTSTART;TZID=America/New_York:20261102T110000", "DTEND;TZID=America/New_York:20261102T113000"))
        #expect(reading.occurrences.map { ISO8601DateFormatter().string(from: $0.start) } == ["2026-10-19T14:00:00Z", "2026-10-26T14:00:00Z", "2026-11-02T16:00:00Z", "2026-11-09T16:00:00Z"])
        #expect(reading.occurrences.map { $0.end.timeIntervalSince($0.start) } == [3_600, 3_600, 1_800, 1_800])
    }

    @Test func extraDatesAndExcludedDates() throws {
        let reading = try read(event("UID:a", "DTSTART:20260105T140000Z", "DTEND:20260105T150000Z", "RRULE:FREQ=WEEKLY;COUNT=3",
                                     "RDATE:20260107T140000Z,20260108T160000Z", "RDATE;VALUE=PERIOD:20260109T140000Z/PT3H",
                                     "EXDATE;VALUE=DATE:20260112"))
        #expect(reading.occurrences.map { "\(ISO8601DateFormatter().string(from: $0.start).prefix(16)) \(Int($0.end.timeIntervalSince($0.start)) / 60)" }
                == ["2026-01-05T14:00 60", "2026-01-07T14:00 60", "2026-01-08T16:00 60", "2026-01-09T14:00 180", "2026-01-19T14:00 60"])
    }

    @Test func aByteOrderMarkAndAFoldInsideACharacterAreRead() throws {
        // "Café" folded between the two bytes of é.
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        bytes += Array("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260105T140000Z\r\nSUMMARY:Caf".utf8) + [0xC3, 0x0D, 0x0A, 0x20, 0xA9]
        bytes += Array(" with coaches\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".utf8)
        let reading = try ICalendar.read(bytes, fileName: "t.ics", window: wide, zone: newYork)
        #expect(reading.occurrences.map(\.summary) == ["Café with coaches"])
    }

    @Test func eventsWithoutUIDStayApartWithAWarning() throws {
        let reading = try read(event("SUMMARY:Lunch duty", "DTSTART:20260105T170000Z"), event("SUMMARY:Parent call", "DTSTART:20260105T170000Z"))
        #expect(reading.occurrences.map { $0.summary }.sorted() == ["Lunch duty", "Parent call"])
        #expect(Set(reading.occurrences.map { $0.uid }).count == 2)
        #expect(reading.warnings.contains { $0.contains("2 events have no UID") })
    }

    @Test func aRuleFromLongAgoReachesThisYear() throws {
        let year = ISO8601DateFormatter().date(from: "2026-01-01T00:00:00Z")!..<ISO8601DateFormatter().date(from: "2027-01-01T00:00:00Z")!
        let found = try starts(event("UID:a", "DTSTART:17000101T140000Z", "RRULE:FREQ=DAILY"), window: year)
        #expect(found.count == 365)
        #expect(found.first == "2026-01-01T14:00" && found.last == "2026-12-31T14:00")
    }

    @Test func aRuleRepeatingWithinADayIsLeftOutWithAWarning() throws {
        let reading = try read(event("UID:a", "SUMMARY:Bell", "DTSTART:20260105T140000Z", "RRULE:FREQ=HOURLY;COUNT=5"))
        #expect(reading.occurrences.isEmpty)
        #expect(reading.warnings.contains { $0.contains("Bell") && $0.contains("FREQ=HOURLY") })
    }

    @Test func aMalformedRuleNamesItsLineAndPart() {
        let error = #expect(throws: LodestarError.self) { try read(event("UID:a", "DTSTART:20260105T140000Z", "RRULE:FREQ=WEEKLY;BYDAY=XX")) }
        #expect(error?.location?.line == 6)
        #expect(error?.message.contains("BYDAY") == true)
    }
}

extension ICalendar {
    /// The occurrences alone, for tests that have no warnings to check.
    static func occurrences(in bytes: [UInt8], fileName: String, window: Range<Date>, zone: TimeZone) throws(LodestarError) -> [Occurrence] {
        try read(bytes, fileName: fileName, window: window, zone: zone).occurrences
    }
}
