/// Reads OneRoster gradebook files — `lineItems.csv` and `results.csv`, with standards from
/// `lineItemLearningObjectiveIds.csv` (CASE identifiers) or a `metadata.standards` column on line items
/// (codes or identifiers, separated by spaces or commas) — into score rows. Points become levels by the
/// scale's cut scores over the line item's `resultValueMin`…`resultValueMax`.
public enum OneRosterResults {
    public static func parse(files: [String: [UInt8]], scale: ProficiencyScale) throws(LodestarError) -> [ScoreFile.Row] {
        guard let lineItemBytes = files["lineItems.csv"] else { throw LodestarError("lineItems.csv is missing", at: FileLocation(file: "lineItems.csv")) }
        guard let resultBytes = files["results.csv"] else { throw LodestarError("results.csv is missing", at: FileLocation(file: "results.csv")) }
        let lineItems = try CSVTable(fileName: "lineItems.csv", bytes: lineItemBytes)
        let results = try CSVTable(fileName: "results.csv", bytes: resultBytes)
        try OneRosterParser.requireColumns(["sourcedId", "title", "classSourcedId"], in: lineItems)
        try OneRosterParser.requireColumns(["sourcedId", "lineItemSourcedId", "studentSourcedId", "score"], in: results)

        // Standards per line item.
        var standards: [String: [String]] = [:]
        if let bytes = files["lineItemLearningObjectiveIds.csv"] {
            let table = try CSVTable(fileName: "lineItemLearningObjectiveIds.csv", bytes: bytes)
            try OneRosterParser.requireColumns(["lineItemSourcedId", "learningObjectiveId"], in: table)
            for record in table.records {
                let row = OneRosterParser.Row(table: table, record: record)
                standards[try row.required("lineItemSourcedId"), default: []].append(try row.required("learningObjectiveId"))
            }
        }

        struct LineItem { var title: String; var classId: String; var date: String?; var min: Double; var max: Double; var line: Int; var standards: [String] }
        var items: [String: LineItem] = [:]
        for record in lineItems.records {
            let row = OneRosterParser.Row(table: lineItems, record: record)
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
            items[id] = LineItem(title: try row.required("title"), classId: try row.required("classSourcedId"),
                                 date: assigned ?? due, min: min, max: max, line: record.line, standards: itemStandards)
        }

        var rows: [ScoreFile.Row] = []
        var seen: [String: Int] = [:]
        for record in results.records {
            let row = OneRosterParser.Row(table: results, record: record)
            guard try row.status() != .toBeDeleted else { continue }
            let itemId = try row.required("lineItemSourcedId")
            guard let item = items[itemId] else { throw row.error("lineItemSourcedId", "no line item has the sourcedId “\(itemId)”") }
            let scoreText = row.optional("score")
            if scoreText.isEmpty { continue } // not yet scored
            guard let score = Double(scoreText), score >= item.min, score <= item.max,
                  let level = scale.level(points: score - item.min, outOf: item.max - item.min) else {
                throw row.error("score", "expected a score from \(item.min) to \(item.max), found “\(scoreText)”")
            }
            let scored = try row.date("scoreDate")
            guard let date = item.date ?? scored else {
                throw row.error("scoreDate", "a date is needed: give the line item an assignDate or the result a scoreDate")
            }
            let student = try row.required("studentSourcedId")
            if let first = seen.updateValue(record.line, forKey: "\(itemId)|\(student)") {
                throw row.error("studentSourcedId", "this student already has a result for this line item (line \(first))")
            }
            func location(_ column: String) -> FileLocation {
                FileLocation(file: "results.csv", line: record.line, column: results.columnIndex(column).map { $0 + 1 }, columnName: column)
            }
            let locations: [String: FileLocation] = [
                "assessment": location("lineItemSourcedId"), "date": location("lineItemSourcedId"), "class": location("lineItemSourcedId"),
                "student": location("studentSourcedId"), "standard": location("lineItemSourcedId"), "score": location("score"),
            ]
            for standard in item.standards {
                rows.append(ScoreFile.Row(line: record.line, assessment: item.title, date: date, classId: item.classId, studentId: student,
                                          standard: standard, value: level.value, locations: locations))
            }
        }
        guard !rows.isEmpty else { throw LodestarError("results.csv has no scores", at: FileLocation(file: "results.csv", line: 2)) }
        return rows
    }
}
