import NIOConcurrencyHelpers
import Vapor

/// Lets the requests under way finish before Lodestar closes its databases on shutdown (SIGINT, SIGTERM):
/// a walkthrough being saved when the signal comes is saved and answered, not cut off half-way with the
/// database gone under it. Requests that arrive after the signal are answered 503 at once. Registered after
/// the databases, so its shutdown runs before theirs; it waits at most `patience`.
final class InFlightRequests: AsyncMiddleware, LifecycleHandler, Sendable {
    private let state = NIOLockedValueBox((running: 0, closing: false))
    let patience: Duration

    init(patience: Duration = .seconds(20)) { self.patience = patience }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let admitted = state.withLockedValue { state -> Bool in
            guard !state.closing else { return false }
            state.running += 1
            return true
        }
        guard admitted else {
            return Response(status: .serviceUnavailable, headers: ["Retry-After": "5", "Content-Type": "text/plain; charset=utf-8"],
                            body: "Lodestar is restarting. Try again in a moment.")
        }
        defer { state.withLockedValue { $0.running -= 1 } }
        return try await next.respond(to: request)
    }

    func shutdownAsync(_ application: Application) async {
        state.withLockedValue { $0.closing = true }
        let clock = ContinuousClock(), deadline = clock.now + patience
        while state.withLockedValue({ $0.running }) > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = state.withLockedValue { $0.running }
        if left > 0 { application.logger.warning("shutting down with \(left) requests still running") }
    }
}
