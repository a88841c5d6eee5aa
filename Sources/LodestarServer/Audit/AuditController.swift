import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// `/admin/audit`: district admins search the audit trail by person, action, record and dates, and export what they find.
struct AuditController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "audit", use: search)
        routes.get("admin", "audit.csv", use: export)
    }

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

    struct Page: Encodable {
        let page: PageContext
        let filters: Filters
        let rows: [Row]
        let total: Int
        let exportHref: String
    }

    /// Most recent first; the page shows `shown`, the export up to `exportLimit`.
    static let shown = 200
    static let exportLimit = 100_000

    func search(req: Request) async throws -> View {
        let filters = try await requireFilters(req)
        let (rows, total) = try await Self.events(filters, limit: Self.shown, on: req.db)
        var query = URLComponents()
        query.queryItems = [("person", filters.person), ("action", filters.action), ("subject", filters.subject), ("from", filters.from), ("through", filters.through)]
            .compactMap { name, value in value.flatMap { $0.isEmpty ? nil : URLQueryItem(name: name, value: $0) } }
        return try await req.view.render("accounts/audit", Page(page: PageContext(request: req, title: "Audit trail"), filters: filters, rows: rows,
                                                                 total: total, exportHref: "/admin/audit.csv" + (query.percentEncodedQuery.map { "?" + $0 } ?? "")))
    }

    func export(req: Request) async throws -> Response {
        let filters = try await requireFilters(req)
        let (rows, _) = try await Self.events(filters, limit: Self.exportLimit, on: req.db)
        var csv = CSVWriter(header: ["at", "person", "action", "subject", "address"])
        for row in rows { csv.append([row.at, row.person, row.action, row.subject, row.address]) }
        return try await req.csvDownload(csv, named: "audit-trail.csv")
    }

    private func requireFilters(_ req: Request) async throws -> Filters {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canReadAuditTrail)
        let filters = try req.query.decode(Filters.self)
        for day in [filters.from, filters.through].compactMap({ $0 }) where !day.isEmpty && DisplayTime.date(fromISODay: day) == nil {
            throw LodestarError("Dates are written as 2026-09-01.")
        }
        return filters
    }

    /// The matching events, most recent first, with each person's email, and how many matched in all.
    static func events(_ filters: Filters, limit: Int, on db: any Database) async throws -> ([Row], Int) {
        var query = AuditEvent.query(on: db)
        if let person = filters.person?.trimmingCharacters(in: .whitespaces).lowercased(), !person.isEmpty {
            let ids = try await Staff.query(on: db).group(.or) { $0.filter(\.$email == person).filter(\.$username == person).filter(\.$id == person) }.all().compactMap(\.id)
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
        return (try await rows(query.sort(\.$at, .descending).sort(\.$id).limit(limit).all(), on: db), total)
    }

    /// Events as the page and the CSV show them: each person by email (or user name).
    private static func rows(_ events: [AuditEvent], on db: any Database) async throws -> [Row] {
        let staff = try await Staff.query(on: db).filter(\.$id ~~ Set(events.map(\.staffId))).all()
        let emails = Dictionary(uniqueKeysWithValues: staff.map { ($0.id!, $0.email.isEmpty ? $0.username : $0.email) })
        return events.map { Row(at: DisplayTime.dateTime($0.at), person: emails[$0.staffId] ?? $0.staffId, action: $0.action,
                                subject: $0.subject, address: $0.address) }
    }

    /// Student-level exports and refused exports of the last `days` days, newest first: the notices district admins see.
    static func recentStudentExports(days: Int = 7, on db: any Database) async throws -> [Row] {
        let since = Int(Date().timeIntervalSince1970) - days * 24 * 60 * 60
        let events = try await AuditEvent.query(on: db).filter(\.$at >= since)
            .group(.or) { $0.filter(\.$action, .custom("LIKE"), AuditTrail.studentExportPrefix + "%").filter(\.$action == AuditTrail.refusedExport) }
            .sort(\.$at, .descending).limit(50).all()
        return try await rows(events, on: db)
    }
}
