import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// One entry in the audit trail: who did what to which record, when, from where.
/// Written by the application, never edited or deleted by it (the database refuses both; see `AuditTrailMigration`).
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

    /// A new entry, now. Bounded, whatever a visitor typed: the trail is append-only, so nothing long may enter it.
    init(_ action: String, subject: String, staffId: String, address: String) {
        self.id = UUID().uuidString.lowercased()
        self.at = Int(Date().timeIntervalSince1970)
        self.staffId = staffId
        self.action = String(action.prefix(AuditTrail.textLength))
        self.subject = String(subject.prefix(AuditTrail.textLength))
        self.address = address
    }
}

/// The audit trail's vocabulary and its one permitted change.
enum AuditTrail {
    /// What a deleted student's events name instead of them.
    static let redactedSubject = "deleted student"

    /// Actions that are student-level exports: counted against the export limit and shown to district admins.
    static let studentExportPrefix = "exported student-level data"

    /// What a student-level export over the daily limit is recorded as.
    static let refusedExport = "student-level export refused: over the daily limit"

    /// The longest action or subject recorded.
    static let textLength = 1_000

    /// How many student-level exports one person may make in 24 hours: enough for a teacher's classes
    /// or a district's reporting, too few to empty the district class by class.
    static let studentExportsPerDay = 25

    /// On a district's deletion request: the student's events keep who, what, when and where, but no longer name them.
    static func redact(subject: String, on db: any Database) async throws {
        try await db.sql.raw("UPDATE audit_events SET subject = \(bind: redactedSubject) WHERE subject = \(bind: subject)").run()
    }
}

extension Request {
    /// Records that the signed-in person (or `staffId`, at sign-in) did `action` to `subject`.
    func audit(_ action: String, subject: String, staffId: String? = nil) async throws {
        let event = auditEvent(action, subject: subject, staffId: staffId)
        try await db.writeTransaction { db in try await event.create(on: db) }
    }

    /// Records it inside the caller's transaction, so the change and its record stand or fall together.
    func audit(_ action: String, subject: String, on db: any Database) async throws {
        try await auditEvent(action, subject: subject).create(on: db)
    }

    private func auditEvent(_ action: String, subject: String, staffId: String? = nil) -> AuditEvent {
        AuditEvent(action, subject: subject, staffId: staffId ?? loadedViewer?.id ?? auth.get(Staff.self)?.id ?? "unknown", address: clientAddress)
    }

    /// Records an import in the audit trail and, when it was refused or gave warnings, tells the person who
    /// started it (`link`: the import's page, by default the address the file was sent to).
    func auditImport(_ kind: String, fileName: String, refused error: LodestarError? = nil, warnings: Int = 0, link: String? = nil) async throws {
        try await importAudit(kind, fileName: fileName, link: link ?? url.path).record(refused: error, warnings: warnings, on: db)
    }

    /// What an import's record needs of this request, taken now for an import that ends after the request has
    /// been answered (`ImportJobs`): by then neither the request nor, at shutdown, the application may be touched.
    func importAudit(_ kind: String, fileName: String, link: String) -> ImportAudit {
        let event = auditEvent("", subject: fileName)
        return ImportAudit(kind: kind, fileName: event.subject, staffId: event.staffId, address: event.address, link: link)
    }

    /// A CSV download, recorded in the audit trail as an export of what the address asked for.
    /// (A student-level export is recorded by `takeStudentExport` instead, before it is built.)
    func csvDownload(_ csv: CSVWriter, named name: String) async throws -> Response {
        try await audit("exported \(name)", subject: url.string)
        return .csv(csv, named: name)
    }

    /// Takes one of the signed-in person's student-level exports (`AuditTrail.studentExportsPerDay` in 24 hours)
    /// for `what`, or refuses (429). The count and the record of this export are one step — one write
    /// transaction, which runs alone on both databases — so concurrent requests cannot all pass the count.
    /// Counted from the audit trail, so the limit holds across restarts; a refusal is recorded too.
    func takeStudentExport(_ what: String, subject: String? = nil) async throws {
        let viewer = try await viewer()
        let since = Int(Date().timeIntervalSince1970) - 24 * 60 * 60
        let export = auditEvent("\(AuditTrail.studentExportPrefix): \(what)", subject: subject ?? url.string)
        let refusal = auditEvent(AuditTrail.refusedExport, subject: url.string)
        let refusedAt: Int? = try await db.writeTransaction { db in
            let exports = try await AuditEvent.query(on: db).filter(\.$staffId == viewer.id).filter(\.$at >= since)
                .filter(\.$action, .custom("LIKE"), AuditTrail.studentExportPrefix + ":%").count()
            guard exports < AuditTrail.studentExportsPerDay else {
                try await refusal.create(on: db)
                return exports
            }
            try await export.create(on: db)
            return nil
        }
        if let refusedAt {
            throw LodestarError(.tooManyAttempts, "You have made \(refusedAt) student-level exports in the last 24 hours, the most one person may. The district admins have been told; ask one of them if you need more.")
        }
    }
}

/// An import's entry in the audit trail, and the notification of its end to the person who started it.
struct ImportAudit: Sendable {
    let kind: String
    let fileName: String
    let staffId: String
    let address: String
    let link: String

    /// Records the import, refused (with why) or not. The person is told when it was refused or gave warnings, and
    /// with `announceSuccess` whatever the outcome (an import they left running).
    func record(refused error: LodestarError? = nil, warnings: Int = 0, announceSuccess: Bool = false, on db: any Database) async throws {
        let event = AuditEvent(error.map { "import of \(kind) refused: \($0.description)" } ?? "imported \(kind)",
                               subject: fileName, staffId: staffId, address: address)
        let change = Change.importFinished(what: kind, fileName: fileName, by: staffId, refused: error != nil, warnings: warnings, link: link)
        try await db.writeTransaction { db in
            try await event.create(on: db)
            if error != nil || warnings > 0 || announceSuccess { try await db.announce(change) }
        }
    }
}
