import Foundation
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

    /// A file on disk is read a block at a time: with blocks of one to seven bytes, every boundary falls inside a
    /// quoted field, between `""`, between CR and LF, inside the byte order mark and inside a multi-byte character.
    /// Each file must read as the hand-written records say, and each broken one fail as it does from memory.
    @Test func aFileReadInSmallBlocksReadsAsWritten() throws {
        let cases: [(bytes: [UInt8], records: [[String]], lines: [Int])] = [
            (Array("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",z\r\nlast,row".utf8),
             [["x, y", "say \"hi\""], ["two\nlines", "z"], ["last", "row"]], [2, 3, 5]),
            ([0xEF, 0xBB, 0xBF] + Array("id,name\n1,Zoë Ñúñez\n\n2,\"日本\"  \r\n3,\n".utf8),
             [["1", "Zoë Ñúñez"], ["2", "日本"], ["3", ""]], [2, 4, 5]),
            (Array("a\r\n\"\"\r\n\"\"\"\"".utf8), [["\""]], [3]), // a lone "" reads as a blank line
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("csv-blocks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func records(_ source: CSVSource, blockSize: Int) throws(LodestarError) -> [CSVTable.Record] {
            var reader = try CSVReader(fileName: "t.csv", source: source, blockSize: blockSize)
            var records: [CSVTable.Record] = []
            while let record = try reader.next() { records.append(record) }
            #expect(reader.fractionRead == 1)
            return records
        }
        for (number, expected) in cases.enumerated() {
            let path = folder.appendingPathComponent("\(number).csv").path
            FileManager.default.createFile(atPath: path, contents: Data(expected.bytes))
            for blockSize in [1, 2, 3, 4, 5, 7, 1 << 20] {
                let read = try records(.file(path: path), blockSize: blockSize)
                #expect(read.map(\.fields) == expected.records, "case \(number), blocks of \(blockSize)")
                #expect(read.map(\.line) == expected.lines, "case \(number), blocks of \(blockSize)")
            }
        }
        let broken: [[UInt8]] = [Array("a,b\n1,2\n3,\"open\n".utf8), Array("a\n".utf8) + [0xC3], Array("a,b\n\"x\"y,1\n".utf8),
                                 Array("a,b\n1\n".utf8)]
        for (number, bytes) in broken.enumerated() {
            let path = folder.appendingPathComponent("broken-\(number).csv").path
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            let fromMemory = #expect(throws: LodestarError.self) { try records(.bytes(bytes), blockSize: 1) }
            for blockSize in [1, 2, 3, 64] {
                #expect(throws: fromMemory!) { try records(.file(path: path), blockSize: blockSize) }
            }
        }
    }

    @Test func fieldsAreReadTrimmedAndCheckedForControlCharacters() throws {
        let record = try table("a,b,c\n  padded\t,\"tab\there\",plain\n").records[0]
        #expect(record.field(0) == "  padded\t")
        #expect(record.trimmedField(0) == "padded")
        #expect(record.fieldHasControlCharacters(1))
        #expect(!record.fieldHasControlCharacters(2))
    }

    @Test func errorDescriptionReadsAsASentenceWithLocation() {
        let error = LodestarError("expected a date", at: FileLocation(file: "users.csv", line: 14, column: 6, columnName: "role"))
        #expect(error.description == "users.csv, line 14, column 6 (role): expected a date")
    }
}
