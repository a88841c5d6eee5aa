import Foundation
import NIOConcurrencyHelpers
import Prometheus

/// Lodestar's Prometheus metrics, served at `/metrics` (see `MetricsController`). One registry for the process:
/// a server serves one district, and what it measures (requests, the write lock, imports) is the process's.
enum Metrics {
    static let registry = PrometheusCollectorRegistry()

    /// Request times from 5 ms to 10 s: a page is meant to take under 50 ms.
    private static let requestBuckets: [Duration] = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000].map { .milliseconds($0) }
    /// Waits for the write lock from 1 ms: at SQLite's one writer a busy district queues here first.
    private static let waitBuckets: [Duration] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 5_000].map { .milliseconds($0) }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "lodestar", metricName: metric, unitName: unit, helpText: help)
    }

    /// Records a finished request under its route's pattern (`/walkthroughs/:id`, never the path itself, which may
    /// carry a token); requests that matched no route are counted together as `none`. The registry checks names and
    /// labels each time it is asked, so each route's histogram and counters are asked for once and kept.
    static func requestFinished(route: String, method: String, status: UInt, after duration: Duration) {
        let handles = requestHandles.withLockedValue { known in
            let key = RequestKey(route: route, method: method, statusClass: status / 100)
            if let handles = known[key] { return handles }
            let made = (histogram: registry.makeDurationHistogram(
                            descriptor: name("http_request_duration", "seconds", "Time to answer a request, by route pattern and method."),
                            labels: [("method", method), ("route", route)], buckets: requestBuckets),
                        counter: registry.makeCounter(
                            descriptor: name("http_responses", "total", "Responses by route pattern, method and status class."),
                            labels: [("method", method), ("route", route), ("status", "\(status / 100)xx")]))
            known[key] = made
            return made
        }
        handles.histogram.record(duration)
        handles.counter.increment()
    }

    private struct RequestKey: Hashable { var route: String, method: String, statusClass: UInt }
    private static let requestHandles = NIOLockedValueBox<[RequestKey: (histogram: DurationHistogram, counter: Counter)]>([:])

    static let requestsInFlight = registry.makeGauge(descriptor: name("http_requests_in_flight", "", "Requests being answered now."))

    /// Time from asking to write until the write transaction holds the write lock: at the write gate (SQLite),
    /// opening the transaction, and the lock statement itself (SQLite's `write_lock`, PostgreSQL's advisory lock).
    static let writeLockWait = registry.makeDurationHistogram(
        descriptor: name("write_lock_wait", "seconds", "Time a write transaction waited for the write lock."), labels: [], buckets: waitBuckets)

    /// Rows written by imports, by what was imported (`results`, `scores`, `roster`): `rate()` of it is rows a second.
    static func imported(_ rows: Int, kind: String) {
        registry.makeCounter(descriptor: name("import_rows", "total", "Rows written by imports, by kind."), labels: [("kind", kind)])
            .increment(by: Int64(rows))
    }

    // Read when scraped.
    static let databaseUp = registry.makeGauge(descriptor: name("database_up", "", "1 when the database answered the last scrape, else 0."))
    static let databaseRoundTrip = registry.makeGauge(descriptor: name("database_round_trip", "seconds", "Time the database took to answer SELECT 1 at the last scrape."))
    static let outboxWaiting = registry.makeGauge(descriptor: name("outbox_waiting", "emails", "Emails in the outbox not yet sent."))
    static let outboxOldestWait = registry.makeGauge(descriptor: name("outbox_oldest_wait", "seconds", "How long the oldest email still in the outbox has waited."))
}

extension Duration {
    /// The duration in seconds, for logs and reports.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
