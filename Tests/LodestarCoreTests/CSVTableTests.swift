import Testing
@testable import LodestarCore

@Suite("CSV")
struct CSVTableTests {
    func table(_ text: String) throws(LodestarError) -> CSVTable {
        try CSVTable(fileName: "test.csv", bytes: Array(text.utf8))
    }

    @Test func quotedFieldsKeepCommasQuotesAndLineBreaks() throws {
        let t = try table("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",z\r\nlast,row")
        #expect(t.header == ["a", "b"])
        #expect(t.records.map(\.fields) == [["x, y", "say \"hi\""], ["two\nlines", "z"], ["last", "row"]])
        #expect(t.records.map(\.line) == [2, 3, 5])
    }

    @Test func byteOrderMarkAndBlankLinesAreIgnored() throws {
        let t = try CSVTable(fileName: "t.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("id\n1\n\n2\n".utf8))
        #expect(t.header == ["id"])
        #expect(t.records.map(\.fields) == [["1"], ["2"]])
    }

    @Test func headerOnlyFileHasNoRecords() throws {
        #expect(try table("sourcedId,status").records.isEmpty)
    }

    @Test func unclosedQuoteNamesItsLineAndColumn() {
        #expect(throws: LodestarError("a quoted field is never closed (missing \")", at: FileLocation(file: "test.csv", line: 3, column: 2))) {
            try table("a,b\n1,2\n3,\"open\n")
        }
    }

    @Test func wrongFieldCountNamesTheLine() {
        #expect(throws: LodestarError("expected 3 fields as in the header, found 2", at: FileLocation(file: "test.csv", line: 2))) {
            try table("a,b,c\n1,2\n")
        }
    }

    @Test func emptyFileIsRefused() {
        #expect(throws: LodestarError.self) { try table("") }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: LodestarError.self) { try CSVTable(fileName: "t.csv", bytes: Array("a\n".utf8) + [0xFF, 0xFE]) }
    }

    @Test func errorDescriptionReadsAsASentenceWithLocation() {
        let error = LodestarError("expected a date", at: FileLocation(file: "users.csv", line: 14, column: 6, columnName: "role"))
        #expect(error.description == "users.csv, line 14, column 6 (role): expected a date")
    }
}
