import Vapor

/// Gives every request an id — the caller's `X-Request-Id` when it is a plain token of at most 64 letters, digits
/// and dashes (a load balancer's), else a new one — carried as `request-id` in every log line made for the request
/// and returned in the response's `X-Request-Id`, so a person's report of a failure finds its log lines. Logs one
/// line per request with the route's pattern (never the path itself, which may carry a token), the status and the
/// time taken, and feeds the request metrics.
struct RequestLogMiddleware: AsyncMiddleware {
    /// `.info` for a server; the tests' thousands of requests log at `.debug`, which they do not show.
    let logLevel: Logger.Level

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let id = Self.requestId(offered: request.headers.first(name: "X-Request-Id"))
        request.logger[metadataKey: "request-id"] = .string(id)
        let clock = ContinuousClock(), start = clock.now
        Metrics.requestsInFlight.increment()
        defer { Metrics.requestsInFlight.decrement() }
        do {
            let response = try await next.respond(to: request)
            response.headers.replaceOrAdd(name: "X-Request-Id", value: id)
            finished(request, status: response.status, after: clock.now - start)
            return response
        } catch {
            finished(request, status: (error as? any AbortError)?.status ?? .internalServerError, after: clock.now - start)
            throw error
        }
    }

    private func finished(_ request: Request, status: HTTPResponseStatus, after duration: Duration) {
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "none"
        Metrics.requestFinished(route: route, method: request.method.rawValue, status: status.code, after: duration)
        request.logger.log(level: logLevel, "\(request.method.rawValue) \(route) \(status.code)", metadata: [
            "status": .stringConvertible(status.code),
            "milliseconds": .stringConvertible((duration.inSeconds * 10_000).rounded() / 10),
        ])
    }

    static func requestId(offered: String?) -> String {
        if let offered, (1...64).contains(offered.utf8.count),
           offered.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) {
            return offered
        }
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [UInt8].random(count: 12).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }
}
