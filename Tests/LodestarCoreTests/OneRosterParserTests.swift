import Foundation
import Testing
@testable import LodestarCore

@Suite("OneRoster parser")
struct OneRosterParserTests {
    static let data: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("shared/data/oneroster")
    }()

    static func folder(_ name: String) throws -> [String: [UInt8]] {
        let path = data.appendingPathComponent(name).path
        var files: [String: [UInt8]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: path) {
            files[file] = Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + file)))
        }
        return files
    }

    @Test func readsTheOneRoster11SampleWithVendorColumnsAndBlankStatuses() throws {
        let bundle = try OneRosterParser.parse(files: Self.folder("v1p1-oat-sample"))
        #expect(bundle.oneRosterVersion == "1.1")
        #expect(bundle.mode(of: .users) == .bulk)
        #expect(bundle.orgs.map(\.sourcedId) == ["12345", "54321"])
        #expect(bundle.orgs[0].parentSourcedId == "54321")
        #expect(bundle.classes.map(\.grades) == [["02"], [], []])
        #expect(bundle.users.map(\.role) == ["student", "student"])
        #expect(bundle.users.allSatisfy { $0.status == .active })
        #expect(bundle.enrollments.count == 3)
        #expect(bundle.academicSessions.isEmpty)
    }

    @Test func readsTheOneRoster12SampleWithRolesAndDemographics() throws {
        let bundle = try OneRosterParser.parse(files: Self.folder("v1p2-catalyst-sample"))
        #expect(bundle.oneRosterVersion == "1.2")
        #expect(bundle.mode(of: .users) == .delta)
        #expect(bundle.users.first?.role == "student")
        #expect(bundle.users.first?.orgSourcedIds == ["ORG_1"])
        #expect(bundle.demographics.first?.birthDate == "2010-04-17")
        #expect(bundle.academicSessions.first?.schoolYear == "2023")
    }

    @Test func readsProgramFlagsFromMetadataColumns() throws {
        let files: [String: [UInt8]] = [
            "manifest.csv": Array("propertyName,value\noneroster.version,1.1\nfile.users,bulk\nfile.demographics,bulk\n".utf8),
            "users.csv": Array("sourcedId,status,role,givenName,familyName,orgSourcedIds,metadata.englishLearner,metadata.gifted\ns1,,student,Ana,Ruiz,sch,Y,\ns2,,student,Ben,Lo,sch,,\n".utf8),
            "demographics.csv": Array("sourcedId,sex,hispanicOrLatinoEthnicity,white,asian,metadata.specialEducation\ns1,female,true,false,false,\ns2,male,false,true,true,TRUE\n".utf8),
        ]
        let bundle = try OneRosterParser.parse(files: files)
        #expect(bundle.users[0].programs == ProgramFlags(englishLearner: true))
        #expect(bundle.users[1].programs == nil)
        #expect(bundle.demographics[0].raceEthnicity == .hispanicOrLatino)
        #expect(bundle.demographics[1].raceEthnicity == .twoOrMoreRaces)
        #expect(bundle.demographics[1].programs == ProgramFlags(specialEducation: true))
    }

    @Test func unknownRoleNamesFileLineAndColumn() throws {
        var files = try Self.folder("v1p1-oat-sample")
        files["users.csv"] = Array(String(decoding: files["users.csv"]!, as: UTF8.self).replacingOccurrences(of: ",54321,student,", with: ",54321,pupil,").utf8)
        let error = #expect(throws: LodestarError.self) { try OneRosterParser.parse(files: files) }
        #expect(error?.location == FileLocation(file: "users.csv", line: 3, column: 6, columnName: "role"))
        #expect(error?.message.contains("found “pupil”") == true)
    }

    @Test func gradesAreNormalisedToOneRosterCodes() {
        #expect(GradeLevel.normalized("2") == "02")
        #expect(GradeLevel.normalized("K") == "KG")
        #expect(GradeLevel.normalized("kg") == "KG")
        #expect(GradeLevel.normalized("12") == "12")
        #expect(GradeLevel.label("KG") == "K")
        #expect(GradeLevel.label("03") == "Grade 3")
    }

    @Test func datesAreCheckedForRealCalendarDays() {
        #expect(ISODate.isValid("2024-02-29"))
        #expect(!ISODate.isValid("2023-02-29"))
        #expect(!ISODate.isValid("2023-13-01"))
        #expect(!ISODate.isValid("2023-1-01"))
        for bad in ["", "2023-01-1", "2023-01-001", "2023/01/01", "2023-01-0a", "+023-01-01", "2023-00-10", "2023-04-31", "2023-01-00", "２０２３-01-01"] {
            #expect(!ISODate.isValid(bad), "\(bad)")
        }
    }

    /// Every day from month 0 to 13 and day 0 to 32 across four centuries' leap rules, against the Gregorian calendar.
    @Test func datesAgreeWithTheGregorianCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for year in [1900, 1999, 2000, 2023, 2024, 2100, 2400] {
            for month in 0...13 {
                for day in 0...32 {
                    let text = String(format: "%04d-%02d-%02d", year, month, day)
                    let real = DateComponents(calendar: calendar, year: year, month: month, day: day).isValidDate
                    #expect(ISODate.isValid(text) == real, "\(text)")
                }
            }
        }
    }

    @Test func raceCategoryFollowsTheFederalRules() {
        #expect(RaceEthnicity.from(hispanicOrLatino: true, races: [.white], twoOrMore: false) == .hispanicOrLatino)
        #expect(RaceEthnicity.from(hispanicOrLatino: false, races: [.white, .asian], twoOrMore: false) == .twoOrMoreRaces)
        #expect(RaceEthnicity.from(hispanicOrLatino: false, races: [], twoOrMore: true) == .twoOrMoreRaces)
        #expect(RaceEthnicity.from(hispanicOrLatino: false, races: [.asian], twoOrMore: false) == .asian)
        #expect(RaceEthnicity.from(hispanicOrLatino: false, races: [], twoOrMore: false) == .notReported)
    }
}

@Suite("OneRoster writer")
struct OneRosterWriterTests {
    @Test func demoDistrictSurvivesARoundTripThroughCSV() throws {
        let bundle = DemoDistrict(size: .small, seed: 3).bundle
        let parsed = try OneRosterParser.parse(files: OneRosterWriter.files(for: bundle).mapValues { Array($0.utf8) })
        #expect(parsed.orgs == bundle.orgs)
        #expect(parsed.academicSessions == bundle.academicSessions)
        #expect(parsed.courses == bundle.courses)
        #expect(parsed.classes == bundle.classes)
        #expect(parsed.enrollments == bundle.enrollments)
        #expect(parsed.demographics == bundle.demographics)
        #expect(parsed.users.map(\.sourcedId) == bundle.users.map(\.sourcedId))
        #expect(parsed.users.map(\.role) == bundle.users.map(\.role))
    }

    @Test func fieldsWithCommasQuotesAndLineBreaksAreQuoted() throws {
        var writer = CSVWriter(header: ["a", "b"])
        writer.append(["O'Brien, \"Ace\"", "two\nlines"])
        #expect(writer.text == "a,b\r\n\"O'Brien, \"\"Ace\"\"\",\"two\nlines\"\r\n")
        #expect(try CSVTable(fileName: "t.csv", bytes: Array(writer.text.utf8)).records[0].fields == ["O'Brien, \"Ace\"", "two\nlines"])
    }
}
