import Fluent
import SQLKit
import LodestarCore

/// Standards' front door: standards by id or by code, and the subject of each standards document. Other
/// features read `standards` and `standard_documents` through here.
struct StandardsQueries {
    let db: any Database

    func standard(_ id: String) async throws -> Standard? { try await Standard.find(id, on: db) }

    /// These standards, by code.
    func standards(ids: some Collection<String>) async throws -> [Standard] {
        guard !ids.isEmpty else { return [] }
        let unique = Array(Set(ids))
        // Read by position: Fluent reads a model's fields by reflection, a large part of an insight page's time.
        return try await db.sql.rowsByPosition("""
            SELECT id, document_id, code, statement, abbreviated, item_type, grades, parent_id, position
            FROM standards WHERE id IN (\(Cell.placeholders(unique.count))) ORDER BY code, id
            """, unique.map(Cell.text), kinds: [.text, .text, .text, .text, .text, .text, .text, .optionalText, .int]).map(Standard.init(stored:))
    }

    /// The standard with exactly this code.
    func standard(code: String) async throws -> Standard? { try await Standard.query(on: db).filter(\.$code == code).first() }

    /// Standards named by their code or their id, as score files and forms may give either.
    func standards(codesOrIds: some Collection<String>) async throws -> [Standard] {
        guard !codesOrIds.isEmpty else { return [] }
        let keys = Array(Set(codesOrIds))
        return try await Standard.query(on: db).group(.or) { $0.filter(\.$code ~~ keys).filter(\.$id ~~ keys) }.all()
    }

    /// Each standards document's subject, by document id.
    func subjects() async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await StandardDocument.query(on: db).all().map { ($0.id!, $0.subject) })
    }

    struct StandardHit: Codable, Sendable { var id: String; var code: String; var statement: String }

    /// Standards by code or words of the statement: open to everyone signed in.
    func search(_ like: String, limit: Int) async throws -> [StandardHit] {
        try await db.sql.raw("""
            SELECT id, code, statement FROM standards
            WHERE LOWER(code) LIKE \(bind: like) OR LOWER(statement) LIKE \(bind: like)
            ORDER BY code, id LIMIT \(literal: limit)
            """).all(decoding: StandardHit.self, keyDecodingStrategy: .snakeCase)
    }

    /// Reading and English language arts standards (documents whose subject says English, reading or
    /// literacy), without the grade headings, by code: what a school may designate as reading benchmarks.
    func literacyStandards() async throws -> [Standard] {
        let documents = try await StandardDocument.query(on: db).all().filter { document in
            let subject = document.subject.lowercased()
            return ["english", "reading", "literacy"].contains { subject.contains($0) }
        }.compactMap(\.id)
        guard !documents.isEmpty else { return [] }
        return try await Standard.query(on: db).filter(\.$documentId ~~ documents).filter(\.$itemType != "Grade").sort(\.$code).all()
    }
}
