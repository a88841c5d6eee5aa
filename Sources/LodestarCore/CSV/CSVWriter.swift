/// Writes RFC 4180 CSV: the one CSV writer for every export. Fields with commas, quotes or line
/// breaks are quoted; lines end with CRLF as the RFC asks.
public struct CSVWriter: Sendable {
    public private(set) var text = ""

    public init(header: [String]) {
        append(header)
    }

    /// Rows that continue a file whose header was written already (large files written in parts).
    public init() {}

    public mutating func append(_ fields: [String]) {
        var first = true
        for field in fields {
            if !first { text += "," }
            first = false
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
}
