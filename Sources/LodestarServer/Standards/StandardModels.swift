import Foundation
import Fluent
import LodestarCore
import SQLKit

/// A standards framework document from a CASE package.
final class StandardDocument: Model, @unchecked Sendable {
    static let schema = "standard_documents"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "title") var title: String
    @Field(key: "creator") var creator: String
    @Field(key: "subject") var subject: String
    @Field(key: "adoption_status") var adoptionStatus: String
    init() {}
}

/// One standard (CASE CFItem), placed in its document's tree.
final class Standard: Model, @unchecked Sendable {
    static let schema = "standards"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "document_id") var documentId: String
    @Field(key: "code") var code: String
    @Field(key: "statement") var statement: String
    @Field(key: "abbreviated") var abbreviated: String
    @Field(key: "item_type") var itemType: String
    /// Grade codes, comma-separated.
    @Field(key: "grades") var grades: String
    @OptionalField(key: "parent_id") var parentId: String?
    @Field(key: "position") var position: Int
    init() {}

    /// A standard as stored, from a row read by position in the columns' order above.
    convenience init(stored row: [Cell]) {
        self.init()
        id = row[0].text
        $id.exists = true
        documentId = row[1].text ?? ""
        code = row[2].text ?? ""
        statement = row[3].text ?? ""
        abbreviated = row[4].text ?? ""
        itemType = row[5].text ?? ""
        grades = row[6].text ?? ""
        parentId = row[7].text
        position = row[8].integer ?? 0
    }
}

/// One standard leading to another (`precedes`) or sitting beside it (`isRelatedTo`, `isPeerOf`). A link from a CASE
/// package names its document; one the district added names who added it.
final class StandardLink: Model, @unchecked Sendable {
    static let schema = "standard_links"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "origin_id") var originId: String
    @Field(key: "destination_id") var destinationId: String
    /// A `CASEPackage.LinkKind` raw value.
    @Field(key: "kind") var kind: String
    @OptionalField(key: "document_id") var documentId: String?
    @OptionalField(key: "created_by") var createdBy: String?
    @Field(key: "created_at") var createdAt: Int
    init() {}
}

/// Stores CASE packages: re-importing updates by identifier, and items gone from the package go.
enum StandardsStore {
    static let documents = TableSync(table: "standard_documents", columns: [
        ("title", .text), ("creator", .text), ("subject", .text), ("adoption_status", .text)])

    static func standards(of documentId: String) -> TableSync {
        // The identifier was checked by the parser (letters, digits, . _ : -), so it is safe in the condition.
        TableSync(table: "standards", columns: [
            ("document_id", .text), ("code", .text), ("statement", .text), ("abbreviated", .text), ("item_type", .text),
            ("grades", .text), ("parent_id", .optionalText), ("position", .int)], scope: "document_id = '\(documentId)'")
    }

    /// - Parameter subject: the subject to file the standards under, when the package names none.
    @discardableResult
    static func save(_ package: CASEPackage, subject: String?, on db: any Database) async throws -> SyncCounts {
        let subject = (subject?.isEmpty == false ? subject! : package.subject)
        return try await db.writeTransaction { db in
            try await documents.merge([package.identifier: [.text(package.title), .text(package.creator), .text(subject), .text(package.adoptionStatus)]],
                                      on: db.sql)
            var rows = TableRows(minimumCapacity: package.items.count)
            for item in package.items {
                rows[item.identifier] = [.text(package.identifier), .text(item.code), .text(item.statement), .text(item.abbreviatedStatement),
                                         .text(item.type), .text(item.grades.joined(separator: ",")), Cell(item.parentIdentifier), .int(item.position)]
            }
            let sync = standards(of: package.identifier)
            let counts = try await sync.apply(from: try await sync.load(db.sql), to: rows, on: db.sql)
            // The package's links are replaced with the ones it has now; the district's own stay.
            try await db.sql.delete(from: StandardLink.schema).where("document_id", .equal, package.identifier).run()
            let now = Int(Date().timeIntervalSince1970)
            for batch in package.links.chunks(of: 200) {
                let insert = db.sql.insert(into: StandardLink.schema).columns("id", "origin_id", "destination_id", "kind", "document_id", "created_at")
                for link in batch {
                    insert.values(SQLBind("\(package.identifier)|\(link.origin)|\(link.kind.rawValue)|\(link.destination)"), SQLBind(link.origin),
                                  SQLBind(link.destination), SQLBind(link.kind.rawValue), SQLBind(package.identifier), SQLBind(now))
                }
                try await insert.run()
            }
            return counts
        }
    }
}
