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

    struct Page: Encodable {
        let page: PageContext
        let filters: AuditQueries.Filters
        let rows: [AuditQueries.Row]
        let total: Int
        let exportHref: String
    }

    /// Most recent first; the page shows `shown`, the export up to `exportLimit`.
    static let shown = 200
    static let exportLimit = 100_000

    func search(req: Request) async throws -> View {
        let filters = try await requireFilters(req)
        let (rows, total) = try await AuditQueries(db: req.db).events(filters, limit: Self.shown)
        var query = URLComponents()
        query.queryItems = [("person", filters.person), ("action", filters.action), ("subject", filters.subject), ("from", filters.from), ("through", filters.through)]
            .compactMap { name, value in value.flatMap { $0.isEmpty ? nil : URLQueryItem(name: name, value: $0) } }
        return try await req.view.render("accounts/audit", Page(page: PageContext(request: req, title: "Audit trail"), filters: filters, rows: rows,
                                                                 total: total, exportHref: "/admin/audit.csv" + (query.percentEncodedQuery.map { "?" + $0 } ?? "")))
    }

    func export(req: Request) async throws -> Response {
        let filters = try await requireFilters(req)
        let (rows, _) = try await AuditQueries(db: req.db).events(filters, limit: Self.exportLimit)
        var csv = CSVWriter(header: ["at", "person", "action", "subject", "address"])
        for row in rows { csv.append([row.at, row.person, row.action, row.subject, row.address]) }
        return try await req.csvDownload(csv, named: "audit-trail.csv")
    }

    private func requireFilters(_ req: Request) async throws -> AuditQueries.Filters {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canReadAuditTrail)
        let filters = try req.query.decode(AuditQueries.Filters.self)
        for day in [filters.from, filters.through].compactMap({ $0 }) where !day.isEmpty && DisplayTime.date(fromISODay: day) == nil {
            throw LodestarError("Dates are written as 2026-09-01.")
        }
        return filters
    }

}
