import Fluent
import Foundation
import LodestarCore
import Prometheus
import Vapor

/// `GET /metrics` in Prometheus's text format. The numbers say how busy the district is and where it waits,
/// so only the monitoring system may read them: a request from an address in `LODESTAR_METRICS_ALLOW` (addresses or
/// ranges such as `10.0.0.0/8`, separated by commas; the client's address as the sign-in limits read it) or carrying
/// `Authorization: Bearer` with `LODESTAR_METRICS_TOKEN`. Anyone else is answered 404, as if there were no such
/// page. With neither set, no one may read them.
struct MetricsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: metrics)
    }

    func metrics(req: Request) async throws -> Response {
        let token = req.headers.bearerAuthorization?.token
        guard req.application.metricsAccess.allows(address: req.clientAddress, token: token) else { throw LodestarError.notFound }
        let health = await HealthController.check(req.db)
        Metrics.databaseUp.set(health.database.reachable ? 1.0 : 0.0)
        Metrics.databaseRoundTrip.set((health.database.milliseconds ?? 0) / 1_000)
        if let outbox = health.outbox {
            Metrics.outboxWaiting.set(Double(outbox.waiting))
            Metrics.outboxOldestWait.set(Double(outbox.oldestWaitSeconds ?? 0))
        }
        var buffer: [UInt8] = []
        Metrics.registry.emit(into: &buffer)
        return Response(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store"],
                        body: .init(data: Data(buffer)))
    }
}

/// Who may read `/metrics`: addresses and ranges, and a token.
struct MetricsAccess: Sendable {
    var ranges: [AddressRange] = []
    var token: String? = nil

    static func fromEnvironment(_ environment: [String: String]) throws -> MetricsAccess {
        var access = MetricsAccess()
        for text in (environment["LODESTAR_METRICS_ALLOW"] ?? "").split(separator: ",") {
            let entry = text.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { continue }
            guard let range = AddressRange(entry) else {
                throw LodestarError("LODESTAR_METRICS_ALLOW: “\(entry)” is not an address or a range such as 10.0.0.0/8 or fd00::/8")
            }
            access.ranges.append(range)
        }
        if let token = environment["LODESTAR_METRICS_TOKEN"], !token.isEmpty {
            guard token.count >= 16 else { throw LodestarError("LODESTAR_METRICS_TOKEN must be at least 16 characters") }
            access.token = token
        }
        return access
    }

    func allows(address: String, token offered: String?) -> Bool {
        if let token, let offered, Self.sameInConstantTime(Array(token.utf8), Array(offered.utf8)) { return true }
        guard let address = AddressRange.bytes(of: address) else { return false }
        return ranges.contains { $0.contains(address) }
    }

    /// Compares every byte whatever the first difference, so the time taken tells nothing of the token.
    static func sameInConstantTime(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// An IPv4 or IPv6 address with a prefix length: `10.0.0.0/8`, `::1` (a single address).
struct AddressRange: Sendable, Equatable {
    let network: [UInt8]
    let prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let network = Self.bytes(of: String(parts[0])) else { return nil }
        let prefix = parts.count == 2 ? Int(parts[1]) : network.count * 8
        guard let prefix, (0...network.count * 8).contains(prefix) else { return nil }
        self.network = network
        self.prefix = prefix
    }

    func contains(_ address: [UInt8]) -> Bool {
        guard address.count == network.count else { return false }
        var bits = prefix
        for index in network.indices where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            guard address[index] & mask == network[index] & mask else { return false }
            bits -= 8
        }
        return true
    }

    /// The address's bytes (4 for IPv4, 16 for IPv6), read by the system's own parser; an IPv4 address written as
    /// IPv6 (`::ffff:10.1.2.3`) is read as IPv4. Nil for anything else.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}

struct MetricsAccessKey: StorageKey { typealias Value = MetricsAccess }

extension Application {
    /// Who may read `/metrics`; from the environment at start, set directly by the tests.
    var metricsAccess: MetricsAccess {
        get { storage[MetricsAccessKey.self] ?? MetricsAccess() }
        set { storage[MetricsAccessKey.self] = newValue }
    }
}
