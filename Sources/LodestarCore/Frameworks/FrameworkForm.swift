import Foundation

/// The framework editor's form: flat fields (`name`, `d0_name`, `d0_i1_shortName`, …) to and from a
/// `Framework`. Look-fors, questions and rating levels are one per line. Blank slots (no name) are left
/// out, which is how the form adds an indicator or a domain; a ticked `…_remove` drops one.
/// New domains and indicators get keys made from their names; existing keys never change.
public enum FrameworkForm {
    public static func fields(of framework: Framework) -> [String: String] {
        var fields: [String: String] = ["name": framework.name, "description": framework.description]
        switch framework.scale {
        case .observation: fields["scaleType"] = "observation"
        case .rating(let levels):
            fields["scaleType"] = "rating"
            fields["levels"] = levels.joined(separator: "\n")
        }
        for (d, domain) in framework.domains.enumerated() {
            fields["d\(d)_key"] = domain.key
            fields["d\(d)_name"] = domain.name
            for (i, indicator) in domain.indicators.enumerated() {
                let prefix = "d\(d)_i\(i)_"
                fields[prefix + "key"] = indicator.key
                fields[prefix + "shortName"] = indicator.shortName
                fields[prefix + "description"] = indicator.description
                fields[prefix + "lookFors"] = indicator.lookFors.joined(separator: "\n")
                fields[prefix + "questions"] = indicator.questions.joined(separator: "\n")
            }
        }
        return fields
    }

    /// Builds the framework the form describes; `key` is the framework's, which an edit keeps.
    public static func framework(key: String, from fields: [String: String]) -> Framework {
        func text(_ name: String) -> String { (fields[name] ?? "").trimmed }
        func lines(_ name: String) -> [String] {
            (fields[name] ?? "").split(whereSeparator: \.isNewline).map { String($0).trimmed }.filter { !$0.isEmpty }
        }
        let scale: MarkScale = text("scaleType") == "rating" ? .rating(levels: lines("levels")) : .observation
        var usedKeys: Set<String> = []
        func newKey(from name: String) -> String {
            var base = String(name.lowercased().unicodeScalars.map { ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "-" })
            while base.contains("--") { base = base.replacingOccurrences(of: "--", with: "-") }
            base = String(base.trimmingCharacters(in: ["-"]).prefix(50))
            if base.isEmpty { base = "item" }
            var key = base, n = 2
            while usedKeys.contains(key) { key = "\(base)-\(n)"; n += 1 }
            usedKeys.insert(key)
            return key
        }
        // Existing keys first, so a new item never takes one.
        for (name, value) in fields where name.hasSuffix("_key") && !value.trimmed.isEmpty { usedKeys.insert(value.trimmed) }

        var domains: [Framework.Domain] = []
        var d = 0
        while fields["d\(d)_name"] != nil {
            defer { d += 1 }
            let name = text("d\(d)_name")
            guard !name.isEmpty, fields["d\(d)_remove"] == nil else { continue }
            var indicators: [Framework.Indicator] = []
            var i = 0
            while fields["d\(d)_i\(i)_shortName"] != nil {
                defer { i += 1 }
                let prefix = "d\(d)_i\(i)_"
                let shortName = text(prefix + "shortName")
                guard !shortName.isEmpty, fields[prefix + "remove"] == nil else { continue }
                let existing = text(prefix + "key")
                indicators.append(.init(key: existing.isEmpty ? newKey(from: shortName) : existing, shortName: shortName,
                                        description: text(prefix + "description"), lookFors: lines(prefix + "lookFors"),
                                        questions: lines(prefix + "questions")))
            }
            let existing = text("d\(d)_key")
            domains.append(.init(key: existing.isEmpty ? newKey(from: name) : existing, name: name, indicators: indicators))
        }
        return Framework(key: key, name: text("name"), description: text("description"), scale: scale, domains: domains)
    }
}
