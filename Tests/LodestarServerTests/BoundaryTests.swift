import Foundation
@testable import LodestarServer
import SQLKit
import Testing

/// Features reach each other's tables only through front doors (issue 18): no file names another feature's
/// table in SQL, queries another feature's model or makes a row of it; it asks the owner's queries type instead. The compiler
/// cannot keep this inside one target (ARCHITECTURE.md, "Why one target"), so these scans do.
@Suite("Feature boundaries")
struct BoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/LodestarServer")

    /// Tables no model declares, and the feature that owns each.
    static let tablesWithoutModels = [
        "assessment_classes": "Assessments", "assessment_standards": "Assessments",
        "mastery_pairs": "Insights", "rollup_indicator_months": "Insights", "rollup_mastery_months": "Insights",
        "write_lock": "App", "calendar_feeds": "CalendarFeeds", "calendar_feed_items": "CalendarFeeds",
        "sign_in_failures": "Accounts", "import_jobs": "Operations", "rollup_feedback_days": "Walkthroughs",
    ]

    /// Every table a migrated database holds has an owner the rule below knows, so a table added later
    /// cannot slip past it by having no model.
    @Test func everyTableHasAnOwner() async throws {
        let files = try swiftFiles()
        let model = try NSRegularExpression(pattern: #"static let schema = "(\w+)""#)
        var owned = Set(Self.tablesWithoutModels.keys)
        for file in files {
            for match in model.matches(in: file.text, range: NSRange(file.text.startIndex..., in: file.text)) {
                owned.insert(String(file.text[Range(match.range(at: 1), in: file.text)!]))
            }
        }
        try await withLodestar(.sqlite) { app in
            let tables = try await app.db.sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_fluent_%'")
                .all().map { try $0.decode(column: "name", as: String.self) }
            #expect(tables.count > 40)
            #expect(Set(tables).subtracting(owned).sorted() == [], "name the owner of these tables in tablesWithoutModels")
        }
    }

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

    @Test func noFeatureReadsAnothersTables() throws {
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
        tableOwner.merge(Self.tablesWithoutModels) { model, _ in model }

        // Migrations create their feature's tables, and the demo loader fills every table on purpose.
        var found: [String] = []
        var checked = 0
        for file in files where !file.path.contains("/Migrations/") && file.feature != "Demo" {
            for (table, owner) in tableOwner {
                let n = try count(#"\b(?:FROM|JOIN|INTO|UPDATE)\s+"?"# + table + #"\b"#, in: file.text)
                if owner == file.feature { checked += n } else if n > 0 { found.append("\(file.path) reads \(owner)'s \(table)") }
            }
            for (name, owner) in modelOwner where owner != file.feature {
                if try count(#"\b"# + name + #"\.(?:query|find)\("#, in: file.text) > 0 { found.append("\(file.path) queries \(owner)'s \(name)") }
                // A model is made empty and filled before it is created: another feature's row is written by its owner.
                if try count(#"\b"# + name + #"\(\)"#, in: file.text) > 0 { found.append("\(file.path) makes a row of \(owner)'s \(name)") }
            }
        }
        #expect(checked > 100, "the rule matched no table reads at all; it reads nothing")
        #expect(found.isEmpty, "go through the owner's front door (its queries type): \(found)")
    }

    /// Only `AccessPolicy` (and the role catalogue beside it in `LodestarCore/Access`) compares roles; the
    /// server asks named questions. Role names in SQL live in Accounts' `StaffDirectory` alone: another
    /// feature reading `role_grants` is already a crossing the test above counts.
    @Test func noRoleIsComparedOutsideTheAccessPolicy() throws {
        let role = #"(?:districtAdmin|districtLeader|principal|assistantPrincipal|coach|teacherLeader|teacher)\b"#
        let comparison = try NSRegularExpression(pattern: #"[=!]=\s*(?:StaffRole)?\."# + role + #"|StaffRole\."# + role + #"\.rawValue|\.role\s*[=!]="#)
        let roleSQL = try NSRegularExpression(pattern: #"\bg\.role\b|role_grants\s+WHERE[^"]*\brole\s*(?:=|IN)"#)
        var found: [String] = []
        for file in try swiftFiles() where !file.path.contains("/Migrations/") && file.feature != "Demo" {
            let range = NSRange(file.text.startIndex..., in: file.text)
            if comparison.numberOfMatches(in: file.text, range: range) > 0 { found.append("\(file.path): compares a role") }
            if file.path != "Accounts/StaffDirectory.swift", roleSQL.numberOfMatches(in: file.text, range: range) > 0 { found.append("\(file.path): filters role_grants by role") }
        }
        #expect(found.isEmpty, "ask AccessPolicy or StaffDirectory instead: \(found)")
        // The rule reads something: the directory itself filters by role.
        let directory = try swiftFiles().first { $0.path == "Accounts/StaffDirectory.swift" }
        #expect(try directory.map { try roleSQL.numberOfMatches(in: $0.text, range: NSRange($0.text.startIndex..., in: $0.text)) } ?? 0 > 0)
    }

    /// A controller answers its routes and nothing else: what another feature needs from it lives in that
    /// feature's queries type or in Core, so no feature calls another feature's controller.
    @Test func noFeatureUsesAnotherFeaturesController() throws {
        let files = try swiftFiles()
        let declaration = try NSRegularExpression(pattern: #"struct (\w+Controller)\b"#)
        var owner: [String: String] = [:]
        for file in files {
            for match in declaration.matches(in: file.text, range: NSRange(file.text.startIndex..., in: file.text)) {
                owner[String(file.text[Range(match.range(at: 1), in: file.text)!])] = file.feature
            }
        }
        #expect(owner.count > 30, "the controllers were not found; the rule reads nothing")
        var found: [String] = []
        for file in files where !file.path.contains("/Migrations/") {
            for (controller, feature) in owner where feature != file.feature && file.feature != "App" {
                if try count(#"\b"# + controller + #"\.\w"#, in: file.text) > 0 { found.append("\(file.path) uses \(controller)") }
            }
        }
        #expect(found.isEmpty, "\(found)")
    }

    /// Rollups follow announced changes: a writer says what changed (`db.announce`) and never calls Insights'
    /// rollups itself, so Insights owns its tables and nothing loops back into the writer's feature.
    @Test func writersAnnounceChangesInsteadOfCallingTheRollups() throws {
        var found: [String] = []
        var announcing = 0
        for file in try swiftFiles() where file.feature != "Insights" {
            if try count(#"\b(?:IndicatorRollup|MasteryRollup)\.(?:add|remove|refresh|reattribute|recompute|rebuild|increment)\("#, in: file.text) > 0 {
                found.append(file.path)
            }
            announcing += try count(#"\.announce\(\."#, in: file.text)
        }
        #expect(found.isEmpty, "announce the change instead: \(found)")
        #expect(announcing >= 10, "the writers were not found; the rule reads nothing")
    }
}
