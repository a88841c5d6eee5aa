/// Writes RFC 4180 CSV: the one CSV writer for every export. Fields with commas, quotes or line
/// breaks are quoted; lines end with CRLF as the RFC asks.
///
/// Files people open in a spreadsheet are written so no cell can run as a formula (OWASP's rule for CSV
/// injection): a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`,
/// which spreadsheets show as text. A cell that is a plain signed number (`-12`, `+29`, `-0.5`) is left as
/// it is, so gaps and changes stay numbers; a number cannot run. Exchange files read by other programs
/// (OneRoster bundles) are written as they are (`readBy: .program`).
public struct CSVWriter: Sendable {
    public enum Reader: Sendable { case people, program }

    public private(set) var text = ""
    private let neutralisesFormulas: Bool

    public init(header: [String], readBy reader: Reader = .people) {
        neutralisesFormulas = reader == .people
        append(header)
    }

    /// Rows that continue a file whose header was written already (large files written in parts).
    public init(readBy reader: Reader = .people) {
        neutralisesFormulas = reader == .people
    }

    public mutating func append(_ fields: [String]) {
        var first = true
        for var field in fields {
            if !first { text += "," }
            first = false
            if neutralisesFormulas, Self.couldRunAsFormula(field) { field = "'" + field }
            if field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                text += "\""
                for scalar in field.unicodeScalars {
                    if scalar == "\"" { text += "\"\"" } else { text.unicodeScalars.append(scalar) }
                }
                text += "\""
            } else {
                text += field
            }
        }
        text += "\r\n"
    }

    /// Starts with a character a spreadsheet reads as the start of a formula, and is not a plain number.
    static func couldRunAsFormula(_ field: String) -> Bool {
        guard let first = field.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return false }
        return !isPlainNumber(field)
    }

    /// `-12`, `+29`, `-0.5`, `-.5`: an optional sign, digits, at most one point. Nothing else.
    static func isPlainNumber(_ field: String) -> Bool {
        var scalars = Substring(field).unicodeScalars[...]
        if scalars.first == "-" || scalars.first == "+" { scalars = scalars.dropFirst() }
        var digits = 0, points = 0
        for scalar in scalars {
            if ("0"..."9").contains(scalar) { digits += 1 } else if scalar == "." { points += 1 } else { return false }
        }
        return digits > 0 && points <= 1
    }
}
