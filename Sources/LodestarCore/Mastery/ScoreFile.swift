/// Lodestar's simple score file: one row per student, standard and assessment.
///
/// ```
/// assessment,date,class,student,standard,score
/// Exit ticket: unit rates,2026-09-10,class-6a,stu-1042,CCSS.Math.Content.6.RP.A.2,3
/// Exit ticket: unit rates,2026-09-10,class-6a,stu-1043,CCSS.Math.Content.6.RP.A.2,7/10
/// ```
///
/// `class` and `student` are roster sourcedIds; `standard` is a standard's code (or CASE identifier);
/// `score` is a level value on the scale or points as `earned/possible`, turned into a level by the
/// scale's cut scores. Rows with the same assessment, date and class are one assessment.
public enum ScoreFile {
    public static let columns = ["assessment", "date", "class", "student", "standard", "score"]

    public struct Row: Sendable, Equatable {
        public var line: Int
        public var assessment: String
        public var date: String
        public var classId: String
        public var studentId: String
        public var standard: String
        /// The level value, after converting points.
        public var value: Double
        /// Each field's column (keys: assessment, date, class, student, standard, score): one dictionary
        /// shared by every row of a file, so millions of rows do not each carry their own.
        public var columns: [String: FileLocation]

        public init(line: Int, assessment: String, date: String, classId: String, studentId: String, standard: String, value: Double,
                    columns: [String: FileLocation]) {
            self.line = line; self.assessment = assessment; self.date = date; self.classId = classId; self.studentId = studentId
            self.standard = standard; self.value = value; self.columns = columns
        }

        /// Where `field` came from, for an error.
        public func location(_ field: String) -> FileLocation? {
            guard var location = columns[field] else { return nil }
            location.line = line
            return location
        }
    }

    /// Rows already read, handed out one at a time.
    public struct Rows: ScoreRowSource {
        private let rows: [Row]
        private var position = 0
        public let classIds: [String]
        public let standardReferences: [String]

        public init(_ rows: [Row]) {
            self.rows = rows
            classIds = Array(Set(rows.map(\.classId))).sorted()
            standardReferences = Array(Set(rows.map(\.standard))).sorted()
        }

        public var fractionRead: Double { rows.isEmpty ? 1 : Double(position) / Double(rows.count) }

        public mutating func next() -> Row? {
            guard position < rows.count else { return nil }
            defer { position += 1 }
            return rows[position]
        }
    }

    /// The longest assessment title, as the assessment form allows.
    public static let titleLength = 200

    public static func parse(_ bytes: [UInt8], fileName: String, scale: ProficiencyScale) throws(LodestarError) -> [Row] {
        let table = try CSVTable(fileName: fileName, bytes: bytes)
        for name in columns where table.columnIndex(name) == nil {
            throw LodestarError("the header has no “\(name)” column; expected \(columns.joined(separator: ","))",
                                at: FileLocation(file: fileName, line: 1, columnName: name))
        }
        guard !table.records.isEmpty else { throw LodestarError("the file has no scores", at: FileLocation(file: fileName, line: 2)) }
        let index = Dictionary(uniqueKeysWithValues: columns.map { ($0, table.columnIndex($0)!) })
        let fieldColumns = Dictionary(uniqueKeysWithValues: columns.map { ($0, FileLocation(file: fileName, column: index[$0]! + 1, columnName: $0)) })
        var rows: [Row] = []
        var seen: [String: Int] = [:]
        for record in table.records {
            func field(_ name: String) -> String { record.trimmedField(index[name]!) }
            func fail(_ name: String, _ message: String) -> LodestarError {
                LodestarError(message, at: FileLocation(file: fileName, line: record.line, column: index[name]! + 1, columnName: name))
            }
            for name in columns where field(name).isEmpty { throw fail(name, "a value is required here") }
            guard field("assessment").count <= Self.titleLength else {
                throw fail("assessment", "an assessment's title is at most \(Self.titleLength) characters; this one has \(field("assessment").count)")
            }
            guard ISODate.isValid(field("date")) else { throw fail("date", "expected a date as YYYY-MM-DD, found “\(field("date"))”") }
            let value: Double
            let text = field("score")
            if let slash = text.firstIndex(of: "/") {
                guard let earned = Double(text[..<slash]), let possible = Double(text[text.index(after: slash)...]),
                      let level = scale.level(points: earned, outOf: possible) else {
                    throw fail("score", "expected points as earned/possible with 0 ≤ earned ≤ possible, found “\(text)”")
                }
                value = level.value
            } else {
                guard let number = Double(text), scale.levels.contains(where: { $0.value == number }) else {
                    let allowed = scale.levels.map { $0.value == $0.value.rounded() ? String(Int($0.value)) : String($0.value) }
                    throw fail("score", "expected one of \(allowed.joined(separator: ", ")) or points like 7/10, found “\(text)”")
                }
                value = number
            }
            let key = [field("assessment"), field("date"), field("class"), field("student"), field("standard")].joined(separator: "\u{1F}")
            if let first = seen.updateValue(record.line, forKey: key) {
                throw fail("student", "this student already has a score for this standard on this assessment (line \(first))")
            }
            rows.append(Row(line: record.line, assessment: field("assessment"), date: field("date"), classId: field("class"),
                            studentId: field("student"), standard: field("standard"), value: value, columns: fieldColumns))
        }
        return rows
    }
}

/// Score rows read from a file one at a time, with the classes and standards they may name known
/// before the first row, so an import can check references up front and write as it reads.
public protocol ScoreRowSource: Sendable {
    var classIds: [String] { get }
    /// Standard codes or CASE identifiers.
    var standardReferences: [String] { get }
    /// How much of the source has been read, from 0 to 1: for an import's progress line.
    var fractionRead: Double { get }
    mutating func next() throws(LodestarError) -> ScoreFile.Row?
}
