/// The content of an iCalendar file (RFC 5545 §3.1–3.4): lines unfolded as bytes, then properties with
/// their parameters, then components nested by BEGIN/END. Every refusal names the file and the line.
extension ICalendar {
    struct Property {
        var line: Int
        var name: String
        var parameters: [String: String]
        var value: String
    }

    final class Component {
        let name: String
        let line: Int
        var properties: [Property] = []
        var children: [Component] = []

        init(name: String, line: Int) { self.name = name; self.line = line }

        func first(_ name: String) -> Property? { properties.first { $0.name == name } }
        func all(_ name: String) -> [Property] { properties.filter { $0.name == name } }
        func children(_ name: String) -> [Component] { children.filter { $0.name == name } }
    }

    /// The file's VCALENDAR.
    static func calendar(_ bytes: [UInt8], fileName: String) throws(LodestarError) -> Component {
        var stack: [Component] = []
        var root: Component?
        for property in try properties(bytes, fileName: fileName) {
            switch property.name {
            case "BEGIN":
                var component = Component(name: property.value.uppercased(), line: property.line)
                if stack.isEmpty {
                    guard component.name == "VCALENDAR" else {
                        throw LodestarError("an iCalendar file starts with BEGIN:VCALENDAR", at: FileLocation(file: fileName, line: property.line))
                    }
                    // Calendars written one after another in one file are read as one.
                    if let root { component = root } else { root = component }
                } else {
                    stack[stack.count - 1].children.append(component)
                }
                stack.append(component)
            case "END":
                let open = stack.popLast()
                guard let open, open.name == property.value.uppercased() else {
                    let message = open.map { "END:\(property.value) comes while BEGIN:\($0.name) on line \($0.line) is still open" } ?? "END:\(property.value) has no BEGIN"
                    throw LodestarError(message, at: FileLocation(file: fileName, line: property.line, columnName: "END"))
                }
            default:
                guard let current = stack.last else {
                    throw LodestarError("an iCalendar file starts with BEGIN:VCALENDAR", at: FileLocation(file: fileName, line: property.line))
                }
                current.properties.append(property)
            }
        }
        if let open = stack.last {
            throw LodestarError("BEGIN:\(open.name) is never closed with END:\(open.name)", at: FileLocation(file: fileName, line: open.line, columnName: "BEGIN"))
        }
        guard let root else { throw LodestarError("an iCalendar file starts with BEGIN:VCALENDAR", at: FileLocation(file: fileName, line: 1)) }
        return root
    }

    /// Unfolds the lines (a line that starts with a space or a tab continues the one before, RFC 5545
    /// §3.1) as bytes, so a fold inside a multi-byte character is mended before the text is decoded;
    /// a UTF-8 byte-order mark is skipped. Then splits each line into name, parameters and value.
    static func properties(_ bytes: [UInt8], fileName: String) throws(LodestarError) -> [Property] {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        var lines: [(number: Int, bytes: [UInt8])] = []
        var number = 0
        var index = start
        while index < bytes.count {
            var end = index
            while end < bytes.count && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            number += 1
            let line = bytes[index..<end]
            if let first = line.first, first == 0x20 || first == 0x09, !lines.isEmpty {
                lines[lines.count - 1].bytes += line.dropFirst()
            } else if !line.isEmpty {
                lines.append((number, Array(line)))
            }
            // CRLF, LF or a lone CR ends a line.
            if end < bytes.count && bytes[end] == 0x0D && end + 1 < bytes.count && bytes[end + 1] == 0x0A { end += 1 }
            index = end + 1
        }
        var result: [Property] = []
        result.reserveCapacity(lines.count)
        for (line, raw) in lines {
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw LodestarError("the line is not UTF-8 text", at: FileLocation(file: fileName, line: line))
            }
            result.append(try property(text, line: line, fileName: fileName))
        }
        return result
    }

    static func property(_ text: String, line: Int, fileName: String) throws(LodestarError) -> Property {
        // The value starts at the first colon outside quotes.
        var inQuotes = false
        var colon: String.Index?
        for index in text.indices {
            if text[index] == "\"" { inQuotes.toggle() }
            if text[index] == ":" && !inQuotes { colon = index; break }
        }
        guard let colon else {
            throw LodestarError("expected NAME:value, found no colon", at: FileLocation(file: fileName, line: line))
        }
        var parts = splitOutsideQuotes(String(text[..<colon]), separator: ";")
        let name = parts.removeFirst().uppercased()
        guard !name.isEmpty, name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }) else {
            throw LodestarError("“\(name.prefix(40))” is not a property name", at: FileLocation(file: fileName, line: line))
        }
        var parameters: [String: String] = [:]
        for parameter in parts {
            guard let equals = parameter.firstIndex(of: "="), equals != parameter.startIndex else {
                throw LodestarError("a parameter of \(name) has no name (“\(parameter.prefix(40))”); expected NAME=value", at: FileLocation(file: fileName, line: line, columnName: name))
            }
            var value = String(parameter[parameter.index(after: equals)...])
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            parameters[parameter[..<equals].uppercased()] = value
        }
        return Property(line: line, name: name, parameters: parameters, value: String(text[text.index(after: colon)...]))
    }

    static func splitOutsideQuotes(_ text: String, separator: Character) -> [String] {
        var parts: [String] = [""]
        var inQuotes = false
        for character in text {
            if character == "\"" { inQuotes.toggle() }
            if character == separator && !inQuotes { parts.append("") } else { parts[parts.count - 1].append(character) }
        }
        return parts
    }

    /// A TEXT value with its escapes (`\n`, `\,`, `\;`, `\\`) read.
    static func text(_ value: String) -> String {
        guard value.contains("\\") else { return value }
        var result = ""
        var escaped = false
        for character in value {
            if escaped {
                result.append(character == "n" || character == "N" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        if escaped { result.append("\\") }
        return result
    }

    /// The items of a TEXT list such as CATEGORIES, split at commas that are not escaped.
    static func textList(_ value: String) -> [String] {
        var items: [String] = [""]
        var escaped = false
        for character in value {
            if escaped { items[items.count - 1].append(contentsOf: ["\\", character]); escaped = false }
            else if character == "\\" { escaped = true }
            else if character == "," { items.append("") }
            else { items[items.count - 1].append(character) }
        }
        return items.map { text($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Seconds and days of an RFC 5545 duration (§3.3.6) such as PT1H30M, P1D or -PT15M. Days and weeks
    /// are nominal (a day is the same wall time the next day); hours, minutes and seconds are exact.
    static func duration(_ text: String) -> (days: Int, seconds: Int)? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces).uppercased())
        var sign = 1
        if rest.first == "-" { sign = -1; rest = rest.dropFirst() } else if rest.first == "+" { rest = rest.dropFirst() }
        guard rest.first == "P", rest.count > 1 else { return nil }
        rest = rest.dropFirst()
        var days = 0, seconds = 0, number = "", inTime = false
        for character in rest {
            if character.isASCII && character.isNumber { number.append(character); continue }
            if character == "T" && !inTime && number.isEmpty { inTime = true; continue }
            guard let value = Int(number), value < 10_000_000 else { return nil }
            number = ""
            switch (character, inTime) {
            case ("W", false): days += value * 7
            case ("D", false): days += value
            case ("H", true): seconds += value * 3_600
            case ("M", true): seconds += value * 60
            case ("S", true): seconds += value
            default: return nil
            }
        }
        return number.isEmpty ? (sign * days, sign * seconds) : nil
    }

    /// `+HHMM` or `+HHMMSS` (TZOFFSETFROM, TZOFFSETTO) in seconds.
    static func utcOffset(_ text: String) -> Int? {
        let value = text.trimmingCharacters(in: .whitespaces)
        guard let sign = value.first, sign == "+" || sign == "-" else { return nil }
        let digits = value.dropFirst()
        guard digits.count == 4 || digits.count == 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let numbers = stride(from: 0, to: digits.count, by: 2).map { Int(digits.dropFirst($0).prefix(2))! }
        guard numbers[0] < 24, numbers[1] < 60, numbers.count < 3 || numbers[2] < 60 else { return nil }
        let seconds = numbers[0] * 3_600 + numbers[1] * 60 + (numbers.count == 3 ? numbers[2] : 0)
        return sign == "-" ? -seconds : seconds
    }
}
