/// A parsed CSV file (RFC 4180): a header row and records, each remembering the line it started on.
///
/// Parsing works on raw UTF-8 bytes in one pass, because roster files run to millions of lines.
/// Quoted fields may contain commas, quotes (`""`) and line breaks; CRLF and LF both end records;
/// a UTF-8 byte order mark is skipped; a missing final newline is fine.
public struct CSVTable: Sendable {
    public struct Record: Sendable {
        /// 1-based line on which the record starts.
        public let line: Int
        public let fields: [String]
    }

    public let columns: CSVColumns
    public let records: [Record]

    /// Parses `bytes`; `fileName` is used in error messages.
    public init(fileName: String, bytes: [UInt8]) throws(LodestarError) {
        var reader = try CSVReader(fileName: fileName, bytes: bytes)
        var records: [Record] = []
        while let record = try reader.next() { records.append(record) }
        self.columns = reader.columns
        self.records = records
    }

    public var fileName: String { columns.fileName }
    public var header: [String] { columns.header }

    /// The index of a header column, matched exactly as OneRoster names columns.
    public func columnIndex(_ name: String) -> Int? {
        columns.index(of: name)
    }
}

/// A CSV file's name and header row.
public struct CSVColumns: Sendable {
    public let fileName: String
    public let header: [String]
    private let indexByName: [String: Int]

    init(fileName: String, header: [String]) {
        self.fileName = fileName
        self.header = header
        indexByName = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The index of a header column, matched exactly as OneRoster names columns.
    public func index(of name: String) -> Int? {
        indexByName[name]
    }
}

/// Reads a CSV file one record at a time, so a file of millions of rows is never held as records:
/// the header first, then each record checked to have as many fields as the header.
public struct CSVReader: Sendable {
    public let columns: CSVColumns
    private var parser: CSVParser

    public init(fileName: String, bytes: [UInt8]) throws(LodestarError) {
        parser = CSVParser(bytes: bytes, fileName: fileName)
        guard let first = try parser.nextRecord() else {
            throw LodestarError("the file is empty; expected a header row", at: FileLocation(file: fileName, line: 1))
        }
        columns = CSVColumns(fileName: fileName, header: first.fields.map { $0.trimmingSpaces() })
    }

    /// How much of the file has been read, from 0 to 1.
    public var fractionRead: Double { parser.bytes.isEmpty ? 1 : Double(parser.index) / Double(parser.bytes.count) }

    /// The next record, skipping blank lines; nil at the end of the file.
    public mutating func next() throws(LodestarError) -> CSVTable.Record? {
        while let record = try parser.nextRecord() {
            if record.fields.count == 1 && record.fields[0].isEmpty { continue } // blank line
            guard record.fields.count == columns.header.count else {
                throw LodestarError(
                    "expected \(columns.header.count) fields as in the header, found \(record.fields.count)",
                    at: FileLocation(file: columns.fileName, line: record.line))
            }
            return record
        }
        return nil
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let c = scalars.first, c == " " || c == "\t" { scalars.removeFirst() }
        while let c = scalars.last, c == " " || c == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}

private struct CSVParser: Sendable {
    let bytes: [UInt8]
    let fileName: String
    var index = 0
    var line = 1

    init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    mutating func nextRecord() throws(LodestarError) -> CSVTable.Record? {
        guard index < bytes.count else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        while true {
            field.removeAll(keepingCapacity: true)
            if index < bytes.count && bytes[index] == UInt8(ascii: "\"") {
                let quoteLine = line
                index += 1
                var closed = false
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") {
                        if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                            field.append(byte)
                            index += 2
                        } else {
                            index += 1
                            closed = true
                            break
                        }
                    } else {
                        if byte == UInt8(ascii: "\n") { line += 1 }
                        field.append(byte)
                        index += 1
                    }
                }
                guard closed else {
                    throw LodestarError("a quoted field is never closed (missing \")",
                                        at: FileLocation(file: fileName, line: quoteLine, column: fields.count + 1))
                }
                // Tolerate spaces between a closing quote and the separator; anything else is malformed.
                while index < bytes.count && bytes[index] == UInt8(ascii: " ") { index += 1 }
                if index < bytes.count, !Self.isSeparatorOrEnd(bytes[index]) {
                    throw LodestarError("unexpected text after a closing quote",
                                        at: FileLocation(file: fileName, line: line, column: fields.count + 1))
                }
            } else {
                while index < bytes.count, !Self.isSeparatorOrEnd(bytes[index]) {
                    field.append(bytes[index])
                    index += 1
                }
            }
            guard let text = String(validating: field, as: UTF8.self) else {
                throw LodestarError("the text is not valid UTF-8; save the file as UTF-8",
                                    at: FileLocation(file: fileName, line: line, column: fields.count + 1))
            }
            fields.append(text)
            if index >= bytes.count { break }
            let separator = bytes[index]
            index += 1
            if separator == UInt8(ascii: ",") { continue }
            if separator == UInt8(ascii: "\r"), index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
            line += 1
            break
        }
        return CSVTable.Record(line: startLine, fields: fields)
    }

    static func isSeparatorOrEnd(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}

extension String {
    /// Holds a C0 control character (line breaks and tabs among them) or DEL: never part of an id or a one-line value.
    public var hasControlCharacters: Bool {
        utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }
}
