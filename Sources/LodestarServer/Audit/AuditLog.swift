import Fluent
import Foundation
import SQLKit
import Vapor

/// One entry in the audit trail: who did what to which record, when, from where.
/// Written by the application, never edited or deleted by it.
final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "at") var at: Int
    @Field(key: "staff_id") var staffId: String
    /// What happened, e.g. "viewed student profile".
    @Field(key: "action") var action: String
    /// The record it happened to, e.g. a student's sourcedId.
    @Field(key: "subject") var subject: String
    @Field(key: "address") var address: String
    init() {}
}

struct AuditMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_events")
            .field("id", .string, .identifier(auto: false))
            .field("at", .int64, .required).field("staff_id", .string, .required).field("action", .string, .required)
            .field("subject", .string, .required).field("address", .string, .required)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX audit_events_at ON audit_events (at)").run()
        try await (database as! any SQLDatabase).raw("CREATE INDEX audit_events_subject ON audit_events (subject)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_events").delete()
    }
}

extension Request {
    /// Records that the signed-in person did `action` to `subject` (student-level views and the like).
    func audit(_ action: String, subject: String) async throws {
        let event = AuditEvent()
        event.id = UUID().uuidString.lowercased()
        event.at = Int(Date().timeIntervalSince1970)
        event.staffId = loadedViewer?.id ?? auth.get(Staff.self)?.id ?? "unknown"
        event.action = action
        event.subject = subject
        event.address = remoteAddress?.ipAddress ?? "unknown"
        try await db.writeTransaction { db in try await event.create(on: db) }
    }
}
