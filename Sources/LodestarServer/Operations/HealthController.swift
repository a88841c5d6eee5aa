import Fluent
import Vapor

/// `GET /health`, for load balancers and monitors: 200 when this server can serve (its database answers and has
/// every migration this build knows, no more, no less), 503 when it cannot, with what was found as JSON. The
/// outbox's backlog is reported but never makes a server unhealthy: a slow mail server is no reason to stop
/// serving pages. Anyone may ask; the answer holds no one's data. It needs no session.
struct HealthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
    }

    struct Report: Content {
        struct DatabaseCheck: Content { var reachable: Bool; var milliseconds: Double? }
        struct MigrationCheck: Content { var current: Bool; var expected: Int; var applied: Int; var pending: Int; var unknown: Int }
        struct OutboxCheck: Content { var waiting: Int; var oldestWaitSeconds: Int? }
        var status: String
        var database: DatabaseCheck
        var migrations: MigrationCheck?
        var outbox: OutboxCheck?

        var healthy: Bool { database.reachable && migrations?.current == true }
    }

    func health(req: Request) async throws -> Response {
        let report = await Self.check(req.db)
        let response = Response(status: report.healthy ? .ok : .serviceUnavailable)
        try response.content.encode(report)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// Checks the database, its migrations and the outbox; also read by the metrics when scraped.
    static func check(_ db: any Database) async -> Report {
        let clock = ContinuousClock(), start = clock.now
        do {
            try await OperationsQueries(db: db).ping()
        } catch {
            return Report(status: "unavailable", database: .init(reachable: false, milliseconds: nil))
        }
        let database = Report.DatabaseCheck(reachable: true, milliseconds: ((clock.now - start).inSeconds * 1_000_000).rounded() / 1_000)
        guard let recorded = try? await OperationsQueries(db: db).recordedMigrations() else {
            return Report(status: "unavailable", database: database)
        }
        let expected = Set(Migrations.all.map(\.name))
        let migrations = Report.MigrationCheck(current: recorded == expected, expected: expected.count, applied: recorded.count,
                                               pending: expected.subtracting(recorded).count, unknown: recorded.subtracting(expected).count)
        let outbox = try? await NotificationQueries(db: db).outboxBacklog()
        return Report(status: migrations.current ? "ok" : "unavailable", database: database, migrations: migrations,
                      outbox: outbox.map { .init(waiting: $0.waiting, oldestWaitSeconds: $0.oldestWaitSeconds) })
    }
}
