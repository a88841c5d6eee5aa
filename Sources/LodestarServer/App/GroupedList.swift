import SQLKit

/// Many values of a group in one column: a query that would return a row per value (every wait of a school's
/// visits, every teacher of a school) returns a row per group instead, which is far cheaper to read. Text travels
/// as hexadecimal UTF-8, so no id can break the comma-separated list; both databases write the same list.
enum GroupedList {
    /// The distinct text values of `column` in each group.
    static func distinctTexts(_ column: SQLQueryString, on sql: any SQLDatabase) -> SQLQueryString {
        sql.dialect.name == "sqlite" ? "group_concat(DISTINCT hex(\(column)))" : "string_agg(DISTINCT encode(convert_to(\(column), 'UTF8'), 'hex'), ',')"
    }


    /// The texts of a `distinctTexts` list (none for a group with none).
    static func texts(_ list: String?) -> [String] {
        var texts: [String] = []
        forEachText(list ?? "") { texts.append($0) }
        return texts
    }

    /// Each text of a `distinctTexts` list, without building the list.
    static func forEachText(_ list: String, _ body: (String) -> Void) {
        var bytes: [UInt8] = [], high: UInt8? = nil
        for digit in list.utf8 {
            if digit == UInt8(ascii: ",") {
                body(String(decoding: bytes, as: UTF8.self))
                bytes.removeAll(keepingCapacity: true)
                continue
            }
            let value = digit <= 0x39 ? digit &- 0x30 : (digit | 0x20) &- 0x61 &+ 10
            if let first = high { bytes.append(first << 4 | value); high = nil } else { high = value }
        }
        if !bytes.isEmpty { body(String(decoding: bytes, as: UTF8.self)) }
    }

    /// The stored lists of `column` (a rollup's) in each group, joined into one list.
    static func joined(_ column: String, on sql: any SQLDatabase) -> String {
        sql.dialect.name == "sqlite" ? "group_concat(\(column))" : "string_agg(\(column), ',')"
    }

    /// Texts as a `distinctTexts` list reads them, for a rollup that stores one.
    static func list(texts: [String]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return texts.map { text in String(decoding: text.utf8.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self) }.joined(separator: ",")
    }

    /// Numbers as an `integers` list reads them, written digit by digit: a school's day holds a wait per shared visit,
    /// written again with each visit added, and a string per number was most of that.
    static func list(integers: [Int]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(integers.count * 7)
        for (index, number) in integers.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            if number < 0 { bytes.append(UInt8(ascii: "-")) }
            let first = bytes.count
            var rest = number.magnitude
            repeat {
                bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
            } while rest > 0
            bytes[first...].reverse()
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The numbers of an `integers` list.
    static func integers(_ list: String?) -> [Int] {
        var numbers: [Int] = [], value = 0, negative = false, any = false
        for byte in (list ?? "").utf8 {
            switch byte {
            case UInt8(ascii: ","):
                if any { numbers.append(negative ? -value : value) }
                (value, negative, any) = (0, false, false)
            case UInt8(ascii: "-"): negative = true
            default:
                value = value &* 10 &+ Int(byte &- 0x30)
                any = true
            }
        }
        if any { numbers.append(negative ? -value : value) }
        return numbers
    }
}
