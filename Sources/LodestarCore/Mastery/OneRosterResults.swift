/// Reads OneRoster gradebook files — `lineItems.csv` and `results.csv`, with standards from
/// `lineItemLearningObjectiveIds.csv` (CASE identifiers) or a `metadata.standards` column on line items
/// (codes or identifiers, separated by spaces or commas) — into score rows. Points become levels by the
/// scale's cut scores over the line item's `resultValueMin`…`resultValueMax`.
/// The line items are read first, so their classes and standards are known before any result;
/// `results.csv` is then read one row at a time, so millions of results are never all in memory; a second result for
/// one student on one line item is found once the file is read.
public struct OneRosterResults: ScoreRowSource {
    private struct LineItem: Sendable { var number: Int; var title: String; var classId: String; var date: String?; var min: Double; var max: Double; var standards: [String] }

    public let classIds: [String]
    public let standardReferences: [String]
    private var items: [String: LineItem]
    private let scale: ProficiencyScale
    private var results: CSVReader
    private let resultFile: CSVSource
    private let fieldColumns: [String: FileLocation]
    /// Each result's line item and student numbers in one 64-bit key, in file order: sorted once the file is read,
    /// equal neighbours are a second result for one student on one line item. Eight bytes a result, where a table
    /// of keys and lines took twenty: a large district's file has millions of results.
    private var keys: [UInt64] = []
    private var studentNumbers: [String: Int] = [:]
    /// Rows still to hand out from the last result (one per standard of its line item).
    private var pending: [ScoreFile.Row] = []
    private var produced = false

    public var fractionRead: Double { results.fractionRead }

    /// - Parameter files: file name → where its bytes are; `results.csv` is read as the rows are asked for.
    public init(files: [String: CSVSource], scale: ProficiencyScale) throws(LodestarError) {
        guard let lineItemFile = files["lineItems.csv"] else { throw LodestarError("lineItems.csv is missing", at: FileLocation(file: "lineItems.csv")) }
        guard let resultFile = files["results.csv"] else { throw LodestarError("results.csv is missing", at: FileLocation(file: "results.csv")) }
        var lineItems = try CSVReader(fileName: "lineItems.csv", source: lineItemFile)
        try OneRosterParser.requireColumns(["sourcedId", "title", "classSourcedId"], in: lineItems.columns)

        // Standards per line item.
        var standards: [String: [String]] = [:]
        if let file = files["lineItemLearningObjectiveIds.csv"] {
            let name = "lineItemLearningObjectiveIds.csv"
            var objectives = try CSVReader(fileName: name, source: file)
            try OneRosterParser.requireColumns(["lineItemSourcedId", "learningObjectiveId"], in: objectives.columns)
            while let record = try objectives.next() {
                let row = OneRosterParser.Row(columns: objectives.columns, record: record)
                standards[try row.required("lineItemSourcedId"), default: []].append(try row.required("learningObjectiveId"))
            }
        }

        var items: [String: LineItem] = [:]
        while let record = try lineItems.next() {
            let row = OneRosterParser.Row(columns: lineItems.columns, record: record)
            let id = try row.sourcedId()
            guard try row.status() != .toBeDeleted else { continue }
            guard items[id] == nil else { throw row.error("sourcedId", "\(id) appears twice in this file") }
            func number(_ column: String, default value: Double) throws(LodestarError) -> Double {
                let text = row.optional(column)
                if text.isEmpty { return value }
                guard let number = Double(text) else { throw row.error(column, "expected a number, found “\(text)”") }
                return number
            }
            let min = try number("resultValueMin", default: 0), max = try number("resultValueMax", default: 100)
            guard max > min else { throw row.error("resultValueMax", "must be greater than resultValueMin") }
            var itemStandards = standards[id] ?? []
            itemStandards += row.optional("metadata.standards").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            guard !itemStandards.isEmpty else {
                throw row.error("sourcedId", "no standard is given for this line item; add lineItemLearningObjectiveIds.csv or a metadata.standards column")
            }
            let assigned = try row.date("assignDate")
            let due = try row.date("dueDate")
            let title = try row.required("title")
            guard title.count <= ScoreFile.titleLength else {
                throw row.error("title", "a line item's title is at most \(ScoreFile.titleLength) characters; this one has \(title.count)")
            }
            items[id] = LineItem(number: items.count, title: title, classId: try row.required("classSourcedId"),
                                 date: assigned ?? due, min: min, max: max, standards: itemStandards)
        }

        results = try CSVReader(fileName: "results.csv", source: resultFile)
        self.resultFile = resultFile
        try OneRosterParser.requireColumns(["sourcedId", "lineItemSourcedId", "studentSourcedId", "score"], in: results.columns)
        self.items = items
        self.scale = scale
        classIds = Array(Set(items.values.map(\.classId))).sorted()
        standardReferences = Array(Set(items.values.flatMap(\.standards))).sorted()
        let columns = results.columns
        func location(_ column: String) -> FileLocation {
            FileLocation(file: "results.csv", column: columns.index(of: column).map { $0 + 1 }, columnName: column)
        }
        fieldColumns = [
            "assessment": location("lineItemSourcedId"), "date": location("lineItemSourcedId"), "class": location("lineItemSourcedId"),
            "student": location("studentSourcedId"), "standard": location("lineItemSourcedId"), "score": location("score"),
        ]
    }

    public mutating func next() throws(LodestarError) -> ScoreFile.Row? {
        while pending.isEmpty {
            guard let record = try results.next() else {
                guard produced else { throw LodestarError("results.csv has no scores", at: FileLocation(file: "results.csv", line: 2)) }
                try refuseSecondResults()
                // Read to the end: what was kept to check rows is not needed while the import goes on.
                (items, keys, studentNumbers) = ([:], [], [:])
                return nil
            }
            guard let (key, rows) = try read(record) else { continue }
            keys.reserveForWholeFile(fractionRead: results.fractionRead)
            keys.append(key)
            pending = rows.reversed()
        }
        produced = true
        return pending.removeLast()
    }

    /// A result's key (line item and student numbers) and its rows, one per standard of its line item; nil for a
    /// result to skip (to be deleted, or not yet scored).
    private mutating func read(_ record: CSVTable.Record) throws(LodestarError) -> (key: UInt64, rows: [ScoreFile.Row])? {
        let row = OneRosterParser.Row(columns: results.columns, record: record)
        guard try row.status() != .toBeDeleted else { return nil }
        let itemId = try row.required("lineItemSourcedId")
        guard let item = items[itemId] else { throw row.error("lineItemSourcedId", "no line item has the sourcedId “\(itemId)”") }
        let scoreText = row.optional("score")
        if scoreText.isEmpty { return nil } // not yet scored
        guard let score = Double(scoreText), score >= item.min, score <= item.max,
              let level = scale.level(points: score - item.min, outOf: item.max - item.min) else {
            throw row.error("score", "expected a score from \(item.min) to \(item.max), found “\(scoreText)”")
        }
        let scored = try row.date("scoreDate")
        guard let date = item.date ?? scored else {
            throw row.error("scoreDate", "a date is needed: give the line item an assignDate or the result a scoreDate")
        }
        let student = try row.required("studentSourcedId")
        let studentNumber = studentNumbers[student] ?? studentNumbers.count
        studentNumbers[student] = studentNumber
        return (UInt64(item.number) << 32 | UInt64(studentNumber), item.standards.map {
            ScoreFile.Row(line: record.line, assessment: item.title, date: date, classId: item.classId, studentId: student,
                          standard: $0, value: level.value, columns: fieldColumns)
        })
    }

    /// Refuses the file if a student has two results for one line item, naming the line of the first second result
    /// and the line of the result before it. Only then is the file read again, for those lines.
    private mutating func refuseSecondResults() throws(LodestarError) {
        keys.sort()
        var twice: Set<UInt64> = []
        for index in keys.indices.dropFirst() where keys[index] == keys[index - 1] { twice.insert(keys[index]) }
        guard !twice.isEmpty else { return }
        var again = try CSVReader(fileName: "results.csv", source: resultFile)
        var first: [UInt64: Int] = [:]
        while let record = try again.next() {
            guard let (key, _) = try read(record), twice.contains(key) else { continue }
            if let line = first[key] {
                throw OneRosterParser.Row(columns: again.columns, record: record)
                    .error("studentSourcedId", "this student already has a result for this line item (line \(line))")
            }
            first[key] = record.line
        }
    }
}
