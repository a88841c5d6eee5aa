import Fluent
import Foundation
import LodestarCore
import SQLKit

/// One version of a framework. Editing or re-importing makes a new version; walkthroughs keep
/// the version they were marked on, so old marks always read against the words the observer saw.
final class FrameworkRecord: Model, @unchecked Sendable {
    static let schema = "frameworks"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "key") var key: String
    @Field(key: "version") var version: Int
    @Field(key: "name") var name: String
    /// The framework as its JSON file.
    @Field(key: "definition") var definition: String
    /// The version new walkthroughs use. Exactly one row is active.
    @Field(key: "is_active") var isActive: Bool
    @Field(key: "created_at") var createdAt: Int
    init() {}

    init(framework: Framework, version: Int, isActive: Bool) {
        id = "\(framework.key)@\(version)"
        key = framework.key
        self.version = version
        name = framework.name
        definition = String(decoding: FrameworkJSON.encode(framework), as: UTF8.self)
        self.isActive = isActive
        createdAt = Int(Date().timeIntervalSince1970)
    }

    func framework() throws -> Framework { try Self.framework(id: id ?? key, definition: definition) }

    static func framework(id: String, definition: String) throws -> Framework {
        try decoded.value(of: definition) { try FrameworkJSON.decode(Array(definition.utf8), fileName: "framework \(id)") }
    }

    private static let decoded = DecodedDefinitions<Framework>(limit: 64)
}

/// Reads and stores frameworks.
enum FrameworkStore {
    /// The framework new walkthroughs use; the default is stored on first use.
    static func active(on db: any Database) async throws -> (id: String, framework: Framework) {
        // Read by position, not as a model: every walkthrough saved and many pages ask, and Fluent's model
        // decoding (by reflection) was a tenth of a walkthrough submission's time.
        if let row = try await db.sql.rowsByPosition("SELECT id, definition FROM frameworks WHERE is_active = ?", [.bool(true)], kinds: [.text, .text]).first,
           let id = row[0].text, let definition = row[1].text {
            return (id, try FrameworkRecord.framework(id: id, definition: definition))
        }
        let record = try await db.writeTransaction { db in
            if let existing = try await FrameworkRecord.query(on: db).filter(\.$isActive == true).first() { return existing }
            let record = FrameworkRecord(framework: .lodestarDefault, version: 1, isActive: true)
            try await record.create(on: db)
            return record
        }
        return (record.id!, try record.framework())
    }

    /// Stores `framework` as the next version of its key and makes it active.
    @discardableResult
    static func save(_ framework: Framework, on db: any Database) async throws -> FrameworkRecord {
        try await db.writeTransaction { db in
            let latest = try await FrameworkRecord.query(on: db).filter(\.$key == framework.key).sort(\.$version, .descending).first()
            if let latest, try latest.framework() == framework { return latest }
            try await db.sql.update("frameworks").set("is_active", to: false).run()
            let record = FrameworkRecord(framework: framework, version: (latest?.version ?? 0) + 1, isActive: true)
            try await record.create(on: db)
            return record
        }
    }

    static func framework(id: String, on db: any Database) async throws -> Framework? {
        try await FrameworkRecord.find(id, on: db)?.framework()
    }

    /// The framework versions with the given ids, decoded once each (walkthroughs name the version they used).
    static func frameworks(ids: some Sequence<String>, on db: any Database) async throws -> [String: Framework] {
        var result: [String: Framework] = [:]
        for record in try await FrameworkRecord.query(on: db).filter(\.$id ~~ Array(Set(ids))).all() { result[record.id!] = try record.framework() }
        return result
    }
}
