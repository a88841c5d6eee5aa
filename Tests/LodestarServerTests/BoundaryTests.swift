import Foundation
import Testing

/// Features reach each other's tables only through front doors (issue 18). Until every door is built this
/// is a ratchet: the reads of another feature's tables — raw SQL naming its table, or a Fluent query on its
/// model — may only go down. A new crossing fails here; use the owner's queries type instead. When a number
/// falls, lower it here so it cannot climb back.
@Suite("Feature boundaries")
struct BoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/LodestarServer")

    /// "Reader → owner": how many places in the reader's files read the owner's tables (4 December 2026).
    static let allowed: [String: Int] = [
        "Accounts → People": 1,
        "Assessments → Accounts": 1,
        "Assessments → People": 17,
        "Assessments → Standards": 14,
        "Audit → Accounts": 2,
        "Coaching → Accounts": 6,
        "Coaching → People": 1,
        "Coaching → Walkthroughs": 9,
        "Commands → Accounts": 3,
        "Frameworks → Walkthroughs": 1,
        "Goals → Accounts": 8,
        "Goals → Assessments": 5,
        "Goals → People": 7,
        "Goals → Standards": 2,
        "Goals → Walkthroughs": 3,
        "Home → Goals": 2,
        "Insights → Accounts": 4,
        "Insights → Assessments": 4,
        "Insights → Frameworks": 1,
        "Insights → People": 4,
        "Insights → Standards": 4,
        "Insights → Walkthroughs": 13,
        "People → Accounts": 11,
        "People → Coaching": 2,
        "People → ProfessionalLearning": 2,
        "People → Walkthroughs": 1,
        "ProfessionalLearning → Accounts": 6,
        "ProfessionalLearning → Assessments": 4,
        "ProfessionalLearning → People": 9,
        "ProfessionalLearning → Standards": 4,
        "ProfessionalLearning → Walkthroughs": 5,
        "Search → Accounts": 3,
        "Search → People": 9,
        "Search → Standards": 1,
        "StudentData → Accounts": 1,
        "StudentData → Assessments": 6,
        "StudentData → Audit": 1,
        "StudentData → People": 7,
        "StudentData → Standards": 3,
        "Time → Accounts": 8,
        "Time → Coaching": 1,
        "Time → People": 1,
        "Time → Walkthroughs": 1,
        "Walkthroughs → Accounts": 15,
        "Walkthroughs → Coaching": 1,
        "Walkthroughs → People": 7,
    ]

    func swiftFiles() throws -> [(feature: String, path: String, text: String)] {
        var files: [(String, String, String)] = []
        let enumerator = FileManager.default.enumerator(atPath: Self.sources.path)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let feature = String(relative.split(separator: "/")[0])
            files.append((feature, relative, try String(contentsOf: Self.sources.appendingPathComponent(relative), encoding: .utf8)))
        }
        return files
    }

    func count(_ pattern: String, in text: String) throws -> Int {
        try NSRegularExpression(pattern: pattern).numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
    }

    @Test func noFeatureReadsMoreOfAnothersTablesThanItDidBefore() throws {
        let files = try swiftFiles()
        // Who owns what: a model's table belongs to the feature whose folder declares the model.
        var tableOwner: [String: String] = [:], modelOwner: [String: String] = [:]
        let model = try NSRegularExpression(pattern: #"final class (\w+): Model[^{]*\{\s*static let schema = "(\w+)""#)
        for file in files {
            for match in model.matches(in: file.text, range: NSRange(file.text.startIndex..., in: file.text)) {
                let name = String(file.text[Range(match.range(at: 1), in: file.text)!]), table = String(file.text[Range(match.range(at: 2), in: file.text)!])
                modelOwner[name] = file.feature
                tableOwner[table] = file.feature
            }
        }
        #expect(tableOwner.count > 40, "the models were not found; the rule reads nothing")

        // Migrations create their feature's tables, and the demo loader fills every table on purpose.
        var found: [String: Int] = [:]
        for file in files where !file.path.contains("/Migrations/") && file.feature != "Demo" {
            for (table, owner) in tableOwner where owner != file.feature {
                let n = try count(#"\b(?:FROM|JOIN|INTO|UPDATE)\s+"?"# + table + #"\b"#, in: file.text)
                if n > 0 { found["\(file.feature) → \(owner)", default: 0] += n }
            }
            for (name, owner) in modelOwner where owner != file.feature {
                let n = try count(#"\b"# + name + #"\.(?:query|find)\("#, in: file.text)
                if n > 0 { found["\(file.feature) → \(owner)", default: 0] += n }
            }
        }
        for pair in Set(found.keys).union(Self.allowed.keys).sorted() {
            let n = found[pair] ?? 0, allowed = Self.allowed[pair] ?? 0
            #expect(n <= allowed, "\(pair): \(n) reads of another feature's tables, allowed \(allowed) — go through the owner's front door")
            #expect(n >= allowed, "\(pair): down to \(n) from \(allowed) — lower the allowance here so it stays down")
        }
    }
}
