/// Where a visit or a result sits for trend views: the grade band and subject of its class.
public enum ClassContext {
    /// The bands trends are grouped by, in order.
    public static let gradeBands = ["K–2", "3–5", "6–8", "9–12"]
    /// A class that teaches several subjects (an elementary homeroom).
    public static let severalSubjects = "Several subjects"

    /// The band of a class's grades (OneRoster grade codes), by its first grade; "" when unknown.
    public static func gradeBand(_ grades: [String]) -> String {
        for grade in grades {
            switch grade {
            case "IT", "PR", "PK", "TK", "KG", "01", "02": return "K–2"
            case "03", "04", "05": return "3–5"
            case "06", "07", "08": return "6–8"
            case "09", "10", "11", "12", "13": return "9–12"
            default: continue
            }
        }
        return ""
    }

    /// A class's subject: its one subject, `severalSubjects` for more, "" for none.
    public static func subject(_ subjects: [String]) -> String {
        let named = subjects.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return named.count == 1 ? named[0] : named.isEmpty ? "" : severalSubjects
    }

    /// Splits a stored comma-separated list.
    public static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
