import Foundation
import LodestarCore
import Logging
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LodestarServer

/// What a load balancer, a monitoring system and a log collector read of a running Lodestar.
@Suite("Operations: health, metrics, request ids")
struct OperationsTests {
    struct Health: Decodable {
        struct Migrations: Decodable { let current: Bool; let expected: Int; let applied: Int; let pending: Int; let unknown: Int }
        struct Outbox: Decodable { let waiting: Int; let oldestWaitSeconds: Int? }
        let status: String
        let migrations: Migrations?
        let outbox: Outbox?
    }

    /// The migrations this build knows, counted apart from `Migrations.all`: the files in the sources
    /// (`Feature/Migrations/NNN_Name.swift`) and Fluent's own sessions table (023).
    static func migrationFiles() throws -> Int {
        let sources = BoundaryTests.sources
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.contains("/Migrations/") && $0.split(separator: "/").last!.first!.isNumber }.count + 1
    }

    func health(_ app: Application) async throws -> (HTTPStatus, Health) {
        let response = try await app.testing().sendRequest(.GET, "/health")
        #expect(response.headers.first(name: "Set-Cookie") == nil, "a health check makes no session")
        return (response.status, try JSONDecoder().decode(Health.self, from: Data(buffer: response.body)))
    }

    @Test(arguments: TestDatabase.all)
    func healthSaysWhetherThisServerCanServe(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let files = try Self.migrationFiles()
            #expect(files >= 43)
            var (status, report) = try await health(app)
            #expect(status == .ok)
            #expect(report.status == "ok")
            #expect(report.migrations.map { [$0.expected, $0.applied, $0.pending, $0.unknown] } == [files, files, 0, 0])
            #expect(report.outbox?.waiting == 0)
            #expect(report.outbox?.oldestWaitSeconds == nil)

            // Two emails waiting, made ten minutes and one minute ago, and one sent (not waiting).
            let now = Int(Date().timeIntervalSince1970)
            for (id, state, age) in [("a", "pending", 600), ("b", "pending", 60), ("c", "sent", 3_600)] {
                try await app.db.sql.raw("""
                    INSERT INTO email_outbox (id, recipient_id, to_address, subject, text_body, html_body, kind, unsubscribe_token, state, attempts, next_attempt_at, created_at)
                    VALUES (\(bind: id), 'someone', 'someone@example.org', 'Feedback', 'x', 'x', 'feedback', \(bind: "token-" + id), \(bind: state), 0, 0, \(bind: now - age))
                    """).run()
            }
            (status, report) = try await health(app)
            #expect(status == .ok, "a backlog of mail does not take a server out of service")
            #expect(report.outbox?.waiting == 2)
            #expect((600...660).contains(report.outbox?.oldestWaitSeconds ?? -1))

            // A database one migration behind this build, or with one this build does not know: not fit to serve.
            let last = Migrations.all.last!.name
            try await app.db.sql.raw("UPDATE _fluent_migrations SET name = 'AMigrationFromTheFuture' WHERE name = \(bind: last)").run()
            (status, report) = try await health(app)
            #expect(status == .serviceUnavailable)
            #expect(report.status == "unavailable")
            #expect(report.migrations.map { [$0.applied, $0.pending, $0.unknown] } == [files, 1, 1])
            try await app.db.sql.raw("UPDATE _fluent_migrations SET name = \(bind: last) WHERE name = 'AMigrationFromTheFuture'").run()
            #expect(try await health(app).0 == .ok)
        }
    }

    @Test func metricsAreForTheMonitoringSystemOnly() async throws {
        try await withLodestar(.sqlite) { app in
            let token = "a-token-for-prometheus-only"
            app.metricsAccess = MetricsAccess(ranges: [], token: token)
            for _ in 0..<2 { _ = try await app.testing().sendRequest(.GET, "/health") }
            // A write, so the write lock's wait has been measured at least once.
            try await app.db.writeTransaction { _ in }

            for authorization in [nil, "Bearer wrong", "Bearer a-token-for-prometheus-onlx", "Basic " + token, token] {
                let response = try await app.testing().sendRequest(.GET, "/metrics", headers: authorization.map { ["Authorization": $0] } ?? [:])
                #expect(response.status == .notFound, "refused: \(authorization ?? "no token")")
                #expect(!response.body.string.contains("lodestar_"))
            }
            let response = try await app.testing().sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer " + token])
            #expect(response.status == .ok)
            #expect(response.headers.contentType?.description.hasPrefix("text/plain") == true)
            let text = response.body.string
            func value(_ pattern: String) throws -> Double? {
                let regex = try NSRegularExpression(pattern: "^" + pattern + " ([0-9.e+]+)$", options: .anchorsMatchLines)
                guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
                return Double(text[Range(match.range(at: 1), in: text)!])
            }
            #expect(try value(#"lodestar_http_request_duration_seconds_count\{method="GET",route="/health"\}"#) ?? 0 >= 2)
            #expect(try value(#"lodestar_http_responses_total\{method="GET",route="/health",status="2xx"\}"#) ?? 0 >= 2)
            #expect(try value(#"lodestar_http_responses_total\{method="GET",route="/metrics",status="4xx"\}"#) ?? 0 >= 5)
            #expect(try value(#"lodestar_write_lock_wait_seconds_count"#) ?? 0 >= 1)
            #expect(try value("lodestar_database_up") == 1)
            #expect(try value("lodestar_outbox_waiting_emails") != nil)
            #expect(try value("lodestar_http_requests_in_flight") != nil)
        }
    }

    /// Ranges written by hand: what each address is, worked out on paper.
    @Test func metricsAddressesAndTokenFromTheEnvironment() throws {
        let access = try MetricsAccess.fromEnvironment([
            "LODESTAR_METRICS_ALLOW": "10.0.0.0/8, 172.16.0.0/12,::1 , 2001:db8::/32",
            "LODESTAR_METRICS_TOKEN": "sixteen-or-more-chars",
        ])
        for address in ["10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "::1", "2001:db8::1", "2001:db8:ffff::7", "::ffff:10.9.8.7"] {
            #expect(access.allows(address: address, token: nil), "\(address) is allowed")
        }
        for address in ["11.0.0.1", "9.255.255.255", "172.32.0.1", "172.15.255.255", "127.0.0.1", "::2", "2001:db9::1", "unknown", ""] {
            #expect(!access.allows(address: address, token: nil), "\(address) is not allowed")
            #expect(access.allows(address: address, token: "sixteen-or-more-chars"))
            #expect(!access.allows(address: address, token: "sixteen-or-more-charz"))
        }
        #expect(!MetricsAccess().allows(address: "127.0.0.1", token: nil), "with nothing set, no one")
        for bad in [["LODESTAR_METRICS_ALLOW": "10.0.0.0/33"], ["LODESTAR_METRICS_ALLOW": "monitor.example.org"],
                    ["LODESTAR_METRICS_ALLOW": "10.0.0.0/8/8"], ["LODESTAR_METRICS_TOKEN": "short"]] {
            #expect(throws: LodestarError.self) { try MetricsAccess.fromEnvironment(bad) }
        }
    }

    @Test func everyResponseCarriesItsRequestId() async throws {
        try await withLodestar(.sqlite) { app in
            var seen: Set<String> = []
            for path in ["/health", "/signin", "/no-such-page"] {
                let id = try await app.testing().sendRequest(.GET, path).headers.first(name: "X-Request-Id") ?? ""
                #expect(id.count == 24 && id.allSatisfy(\.isHexDigit), "\(path): \(id)")
                seen.insert(id)
            }
            #expect(seen.count == 3)
            let offered = "lb-7f3a-2026-12-05"
            #expect(try await app.testing().sendRequest(.GET, "/health", headers: ["X-Request-Id": offered]).headers.first(name: "X-Request-Id") == offered)
            for unsafe in ["two words", String(repeating: "a", count: 65), "id;drop", "ünïcode"] {
                let id = try await app.testing().sendRequest(.GET, "/health", headers: ["X-Request-Id": unsafe]).headers.first(name: "X-Request-Id")
                #expect(id != unsafe && id?.count == 24)
            }
        }
    }

    @Test func logLinesAsJSON() throws {
        let line = JSONLogHandler.line(time: Date(timeIntervalSince1970: 1_796_428_800.25), level: .info, label: "codes.vapor.application",
                                       message: "GET /walkthroughs/:id 200",
                                       metadata: ["request-id": .string("lb-1"), "status": .stringConvertible(UInt(200)), "milliseconds": .stringConvertible(4.5),
                                                  "level": .string("not the level")])
        #expect(line == #"{"label":"codes.vapor.application","level":"info","message":"GET /walkthroughs/:id 200","milliseconds":4.5,"request-id":"lb-1","status":200,"time":"2026-12-05T00:00:00.250Z"}"#)
    }

    @Test func howLongTheImportPageWaits() throws {
        #expect(try ImportJobs.patience(fromEnvironment: [:]) == .seconds(3))
        #expect(try ImportJobs.patience(fromEnvironment: ["LODESTAR_IMPORT_WAIT_SECONDS": "0"]) == .zero)
        #expect(try ImportJobs.patience(fromEnvironment: ["LODESTAR_IMPORT_WAIT_SECONDS": "60"]) == .seconds(60))
        for bad in ["61", "-1", "two", "1.5"] {
            #expect(throws: LodestarError.self) { try ImportJobs.patience(fromEnvironment: ["LODESTAR_IMPORT_WAIT_SECONDS": bad]) }
        }
    }

    @Test func importProgressLine() {
        #expect(ImportProgress.line(rows: 1_240_000, elapsed: 30, fractionRead: 0.4)
                == "1,240,000 rows read and checked · 41,333 a second · 40% of the file · about 45 s left")
        #expect(ImportProgress.line(rows: 999, elapsed: 2, fractionRead: 1) == "999 rows read and checked · 500 a second")
        // The demo command's scores, school by school: 50 of 200 schools written in 20 s leaves 60 s.
        #expect(ImportProgress.line(rows: 1_300_000, elapsed: 20, fractionRead: 0.25, counted: "scores written", of: "the schools")
                == "1,300,000 scores written · 65,000 a second · 25% of the schools · about 1 min 0 s left")
        #expect(ImportProgress.duration(59.4) == "59 s")
        #expect(ImportProgress.duration(3_599) == "59 min 59 s")
        #expect(ImportProgress.duration(7_260) == "2 h 1 min")
    }
}
