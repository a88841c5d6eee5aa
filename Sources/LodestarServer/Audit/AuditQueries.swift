import Fluent
import Foundation
import SQLKit
import LodestarCore
import Vapor

/// Audit's front door for reading the trail: the search the audit page runs, and the recent student-level
/// exports district admins are shown on the admin page.
struct AuditQueries {
    let db: any Database

    /// The search form's fields, all optional.
    struct Filters: Content {
        var person: String?
        var action: String?
        var subject: String?
        var from: String?
        var through: String?
    }

    struct Row: Encodable {
        let at: String
        let person: String
        let action: String
        let subject: String
        let address: String
    }

    /// The matching events, most recent first, with each person's email, and how many matched in all.
    /// Who opened or exported records about `subject`, in order, for the student data export's access log.
    func accessRecords(ofSubject subject: String) async throws -> [any SQLRow] {
        try await db.sql.raw("SELECT at, staff_id, action, address FROM audit_events WHERE subject = \(bind: subject) ORDER BY at").all()
    }

    func events(_ filters: Filters, limit: Int) async throws -> ([Row], Int) {
        var query = AuditEvent.query(on: db)
        if let person = filters.person?.trimmingCharacters(in: .whitespaces).lowercased(), !person.isEmpty {
            let ids = try await StaffDirectory(db: db).ids(matching: person)
            // Sign-in attempts for an unknown address name the address typed as their subject.
            query = query.group(.or) { $0.filter(\.$staffId ~~ (ids + [person])).filter(\.$subject == person) }
        }
        if let action = filters.action?.trimmingCharacters(in: .whitespaces), !action.isEmpty {
            query = query.filter(\.$action, .custom("LIKE"), "%\(action)%")
        }
        if let subject = filters.subject?.trimmingCharacters(in: .whitespaces), !subject.isEmpty {
            query = query.filter(\.$subject == subject)
        }
        if let from = filters.from.flatMap({ DisplayTime.date(fromISODay: $0) }) { query = query.filter(\.$at >= Int(from.timeIntervalSince1970)) }
        if let through = filters.through.flatMap({ DisplayTime.date(fromISODay: $0, time: "23:59") }) {
            query = query.filter(\.$at <= Int(through.timeIntervalSince1970) + 59)
        }
        let total = try await query.copy().count()
        return (try await rows(query.sort(\.$at, .descending).sort(\.$id).limit(limit).all()), total)
    }

    /// Student-level exports and refused exports of the last `days` days, newest first: the notices district admins see.
    func recentStudentExports(days: Int = 7) async throws -> [Row] {
        let since = Int(Date().timeIntervalSince1970) - days * 24 * 60 * 60
        let events = try await AuditEvent.query(on: db).filter(\.$at >= since)
            .group(.or) { $0.filter(\.$action, .custom("LIKE"), AuditTrail.studentExportPrefix + "%").filter(\.$action == AuditTrail.refusedExport) }
            .sort(\.$at, .descending).limit(50).all()
        return try await rows(events)
    }

    /// Events as the page and the CSV show them: each person by email (or user name).
    private func rows(_ events: [AuditEvent]) async throws -> [Row] {
        let staff = try await StaffDirectory(db: db).people(ids: Set(events.map(\.staffId)))
        let emails = Dictionary(uniqueKeysWithValues: staff.map { ($0.id!, $0.email.isEmpty ? $0.username : $0.email) })
        return events.map { Row(at: DisplayTime.dateTime($0.at), person: emails[$0.staffId] ?? $0.staffId, action: $0.action,
                                subject: $0.subject, address: $0.address) }
    }
}
