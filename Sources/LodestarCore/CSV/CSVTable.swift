import Foundation

/// A parsed CSV file (RFC 4180): a header row and records, each remembering the line it started on.
///
/// Parsing works on raw UTF-8 bytes in one pass, because roster files run to millions of lines.
/// Quoted fields may contain commas, quotes (`""`) and line breaks; CRLF and LF both end records;
/// a UTF-8 byte order mark is skipped; a missing final newline is fine.
public struct CSVTable: Sendable {
    /// One record: its fields' bytes side by side, each made a `String` only when it is read, so a column
    /// nobody reads costs no string (a results file has eight columns, of which an import reads five).
    public struct Record: Sendable {
        /// 1-based line on which the record starts.
        public let line: Int
        private let bytes: [UInt8]
        /// Where each field ends in `bytes`; the next one starts there.
        private let ends: [Int]

        init(line: Int, bytes: [UInt8], ends: [Int]) {
            self.line = line
            self.bytes = bytes
            self.ends = ends
        }

        public var count: Int { ends.count }

        /// Every field as written.
        public var fields: [String] { (0..<count).map(field) }

        /// Field `index` as written (the parser has checked that it is UTF-8).
        public func field(_ index: Int) -> String {
            String(decoding: bytes[range(index)], as: UTF8.self)
        }

        /// Field `index` without spaces or tabs at either end, the way every column is read.
        public func trimmedField(_ index: Int) -> String {
            String(decoding: bytes[range(index)].trimmingSpaces(), as: UTF8.self)
        }

        /// Whether field `index` holds a control character, as `String.hasControlCharacters` says.
        public func fieldHasControlCharacters(_ index: Int) -> Bool {
            bytes[range(index)].contains(where: \.isControlCharacter)
        }

        var isBlankLine: Bool { ends == [0] }

        private func range(_ index: Int) -> Range<Int> { (index == 0 ? 0 : ends[index - 1])..<ends[index] }
    }

    public let columns: CSVColumns
    public let records: [Record]

    /// Parses `bytes`; `fileName` is used in error messages.
    public init(fileName: String, bytes: [UInt8]) throws(LodestarError) {
        var reader = try CSVReader(fileName: fileName, source: .bytes(bytes))
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

/// Where a CSV file's bytes are: in memory (an upload, a file from a zip) or in a file on disk, which is read
/// a block at a time, so a results file of gigabytes is never in memory whole.
public enum CSVSource: Sendable {
    case bytes([UInt8])
    case file(path: String)

    /// All the bytes at once, for the small files that are parsed whole.
    public func readAll(fileName: String) throws(LodestarError) -> [UInt8] {
        switch self {
        case .bytes(let bytes): return bytes
        case .file(let path):
            do { return Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
                throw LodestarError("could not read the file: \(error.localizedDescription)", at: FileLocation(file: fileName))
            }
        }
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
        try self.init(fileName: fileName, source: .bytes(bytes))
    }

    public init(fileName: String, source: CSVSource) throws(LodestarError) {
        try self.init(fileName: fileName, source: source, blockSize: 1 << 20)
    }

    /// `blockSize`: how much of a file is read at a time (the tests make it a few bytes, to put every kind of
    /// boundary between two blocks).
    init(fileName: String, source: CSVSource, blockSize: Int) throws(LodestarError) {
        parser = try CSVParser(source: source, fileName: fileName, blockSize: blockSize)
        guard let first = try parser.nextRecord() else {
            throw LodestarError("the file is empty; expected a header row", at: FileLocation(file: fileName, line: 1))
        }
        columns = CSVColumns(fileName: fileName, header: (0..<first.count).map(first.trimmedField))
    }

    /// How much of the file has been read, from 0 to 1.
    public var fractionRead: Double { parser.size == 0 ? 1 : Double(parser.bytesRead) / Double(parser.size) }

    /// The next record, skipping blank lines; nil at the end of the file.
    public mutating func next() throws(LodestarError) -> CSVTable.Record? {
        while let record = try parser.nextRecord() {
            if record.isBlankLine { continue }
            guard record.count == columns.header.count else {
                throw LodestarError(
                    "expected \(columns.header.count) fields as in the header, found \(record.count)",
                    at: FileLocation(file: columns.fileName, line: record.line))
            }
            return record
        }
        return nil
    }
}

extension String {
    /// Without spaces or tabs at either end, as a CSV field is read.
    func trimmingSpaces() -> String {
        String(decoding: utf8.trimmingSpaces(), as: UTF8.self)
    }
}

extension BidirectionalCollection<UInt8> {
    /// UTF-8 without spaces or tabs at either end (both are single bytes, never inside another character's).
    func trimmingSpaces() -> SubSequence {
        var trimmed = self[...]
        while let first = trimmed.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { trimmed = trimmed.dropLast() }
        return trimmed
    }
}

/// A file on disk, handed out a block at a time. Only the parser that opened it reads it.
private final class FileBlocks: @unchecked Sendable {
    private let handle: FileHandle
    private let fileName: String
    private let blockSize: Int
    let size: Int

    init(path: String, fileName: String, blockSize: Int) throws(LodestarError) {
        self.fileName = fileName
        self.blockSize = blockSize
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
        } catch {
            throw LodestarError("could not open the file: \(error.localizedDescription)", at: FileLocation(file: fileName))
        }
    }

    deinit { try? handle.close() }

    /// The next block; nil at the end of the file.
    func next() throws(LodestarError) -> [UInt8]? {
        do {
            guard let data = try handle.read(upToCount: blockSize), !data.isEmpty else { return nil }
            return Array(data)
        } catch {
            throw LodestarError("could not read the file: \(error.localizedDescription)", at: FileLocation(file: fileName))
        }
    }
}

private struct CSVParser: Sendable {
    let fileName: String
    /// The bytes not yet parsed start at `index`; a file's next block is appended when they run out.
    private var buffer: [UInt8]
    private var index = 0
    /// The file's bytes before `buffer`'s first.
    private var dropped = 0
    private let blocks: FileBlocks?
    let size: Int
    private var line = 1

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lineFeed = UInt8(ascii: "\n"),
                       carriageReturn = UInt8(ascii: "\r"), space = UInt8(ascii: " ")

    init(source: CSVSource, fileName: String, blockSize: Int) throws(LodestarError) {
        self.fileName = fileName
        switch source {
        case .bytes(let bytes):
            buffer = bytes
            blocks = nil
            size = bytes.count
        case .file(let path):
            let file = try FileBlocks(path: path, fileName: fileName, blockSize: blockSize)
            buffer = []
            blocks = file
            size = file.size
        }
        if try has(2), buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { index = 3 }
    }

    var bytesRead: Int { dropped + index }

    /// Whether the byte `ahead` of `index` exists, reading the file's next blocks if it is not in the buffer yet.
    @inline(__always)
    private mutating func has(_ ahead: Int = 0) throws(LodestarError) -> Bool {
        if index + ahead < buffer.count { return true }
        return try readMore(ahead)
    }

    private mutating func readMore(_ ahead: Int) throws(LodestarError) -> Bool {
        guard let blocks else { return false }
        while index + ahead >= buffer.count {
            guard let block = try blocks.next() else { return false }
            dropped += index
            buffer.removeSubrange(..<index)
            index = 0
            buffer.append(contentsOf: block)
        }
        return true
    }

    mutating func nextRecord() throws(LodestarError) -> CSVTable.Record? {
        guard try has() else { return nil }
        let startLine = line
        var bytes: [UInt8] = []
        var ends: [Int] = []
        // Every byte of the record OR-ed together: below 0x80, the record is ASCII and so valid UTF-8.
        var anyByte: UInt8 = 0
        while true {
            if try has(), buffer[index] == Self.quote {
                let quoteLine = line
                index += 1
                var closed = false
                while try has() {
                    let byte = buffer[index]
                    if byte == Self.quote {
                        if try has(1), buffer[index + 1] == Self.quote {
                            bytes.append(byte)
                            index += 2
                        } else {
                            index += 1
                            closed = true
                            break
                        }
                    } else {
                        if byte == Self.lineFeed { line += 1 }
                        anyByte |= byte
                        bytes.append(byte)
                        index += 1
                    }
                }
                guard closed else {
                    throw LodestarError("a quoted field is never closed (missing \")",
                                        at: FileLocation(file: fileName, line: quoteLine, column: ends.count + 1))
                }
                // Tolerate spaces between a closing quote and the separator; anything else is malformed.
                while try has(), buffer[index] == Self.space { index += 1 }
                if try has(), !Self.isSeparatorOrEnd(buffer[index]) {
                    throw LodestarError("unexpected text after a closing quote",
                                        at: FileLocation(file: fileName, line: line, column: ends.count + 1))
                }
            } else {
                // An unquoted field: the bytes up to the separator, copied a run at a time.
                while true {
                    var end = index
                    while end < buffer.count, !Self.isSeparatorOrEnd(buffer[end]) {
                        anyByte |= buffer[end]
                        end += 1
                    }
                    bytes.append(contentsOf: buffer[index..<end])
                    index = end
                    guard end == buffer.count, try readMore(0) else { break }
                }
            }
            ends.append(bytes.count)
            if !(try has()) { break }
            let separator = buffer[index]
            index += 1
            if separator == Self.comma { continue }
            if separator == Self.carriageReturn, try has(), buffer[index] == Self.lineFeed { index += 1 }
            line += 1
            break
        }
        if anyByte >= 0x80 {
            var start = 0
            for (column, end) in ends.enumerated() {
                guard String(validating: bytes[start..<end], as: UTF8.self) != nil else {
                    throw LodestarError("the text is not valid UTF-8; save the file as UTF-8",
                                        at: FileLocation(file: fileName, line: startLine, column: column + 1))
                }
                start = end
            }
        }
        return CSVTable.Record(line: startLine, bytes: bytes, ends: ends)
    }

    static func isSeparatorOrEnd(_ byte: UInt8) -> Bool {
        byte == comma || byte == lineFeed || byte == carriageReturn
    }
}

extension String {
    /// Holds a C0 control character (line breaks and tabs among them) or DEL: never part of an id or a one-line value.
    public var hasControlCharacters: Bool {
        utf8.contains(where: \.isControlCharacter)
    }
}

extension Array {
    /// At the 10,000th element kept from a file read in order, room for as many as the whole file seems to hold
    /// (5 % over), so a list of millions is not copied as it grows; elsewhere, nothing.
    public mutating func reserveForWholeFile(fractionRead: Double) {
        guard count == 10_000 else { return }
        reserveCapacity(Int(Double(count) / Swift.max(fractionRead, 0.000_001) * 1.05))
    }
}

extension UInt8 {
    /// A C0 control character or DEL, in UTF-8 (no other character's bytes fall in this range).
    var isControlCharacter: Bool { self < 0x20 || self == 0x7F }
}
