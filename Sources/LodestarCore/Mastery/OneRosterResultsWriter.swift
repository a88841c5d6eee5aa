/// Writes scores as a OneRoster gradebook — `lineItems.csv` (one line item per assessment and
/// standard, the standard in `metadata.standards`) and `results.csv` (scores as points out of 100) —
/// that `OneRosterResults` reads back to the same levels. Used to export the demo district's scores.
public struct OneRosterResultsWriter: Sendable {
    public struct LineItem: Sendable {
        public var id: String
        public var title: String
        public var classId: String
        public var date: String
        public var standard: String
        public init(id: String, title: String, classId: String, date: String, standard: String) {
            self.id = id; self.title = title; self.classId = classId; self.date = date; self.standard = standard
        }
    }

    public static let lineItemHeader = ["sourcedId", "status", "dateLastModified", "title", "assignDate", "dueDate", "classSourcedId",
                                        "resultValueMin", "resultValueMax", "metadata.standards"]
    public static let resultHeader = ["sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId", "scoreStatus", "score", "scoreDate"]

    /// Points out of 100 that fall in each level of `scale` (its lowest cut for each level, the level's
    /// own share below the first cut).
    public static func points(for value: Double, on scale: ProficiencyScale) -> Double {
        guard let index = scale.levels.firstIndex(where: { $0.value == value }) else { return 0 }
        if index == 0 { return min(scale.cutPercentages.first ?? 50, 100) / 2 }
        return scale.cutPercentages[min(index - 1, scale.cutPercentages.count - 1)]
    }

    public static func lineItemRow(_ item: LineItem) -> [String] {
        [item.id, "active", "", item.title, item.date, item.date, item.classId, "0", "100", item.standard]
    }

    public static func resultRow(lineItem: String, student: String, value: Double, date: String, scale: ProficiencyScale) -> [String] {
        let points = points(for: value, on: scale)
        return ["\(lineItem)|\(student)", "active", "", lineItem, student, "fully graded",
                points == points.rounded() ? String(Int(points)) : String(points), date]
    }
}
