import Fluent
import NIOCore
import SQLKit
import Vapor

/// Stores sessions in the database, writing one only when a request changed it. Vapor's sessions
/// middleware saves the session after every request, which made every page view a database write
/// queued behind SQLite's one writer. Sessions expire by their sign-in time, so nothing is lost.
struct ChangedOnlySessionDriver: SessionDriver {
    let stored: any SessionDriver

    /// The session as read at the start of the request.
    private struct AsRead: StorageKey { typealias Value = [String: String] }

    /// A session with nothing in it is not stored: a visitor who only looked at the sign-in page (or sent a
    /// made-up session cookie) leaves no row behind. The id handed back is never stored, so it finds nothing.
    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if data.snapshot.isEmpty { return request.eventLoop.makeSucceededFuture(SessionID(string: [UInt8].random(count: 16).base64String())) }
        return inTurn(request) { stored.createSession(data, for: request) }
    }

    /// Read with one plain query, as every request does (the same row and column Fluent's driver writes).
    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        request.eventLoop.makeFutureWithTask {
            let row = try await request.db.sql.raw("SELECT data FROM _fluent_sessions WHERE key = \(bind: sessionID.string)").first()
            let data = try row?.decode(column: "data", as: SessionData.self)
            request.storage[AsRead.self] = data?.snapshot
            return data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if request.storage[AsRead.self] == data.snapshot { return request.eventLoop.makeSucceededFuture(sessionID) }
        return inTurn(request) { stored.updateSession(sessionID, to: data, for: request) }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        inTurn(request) { stored.deleteSession(sessionID, for: request) }
    }

    /// A session write waits its turn with the other writers (`WriteGate`) rather than inside SQLite.
    private func inTurn<T: Sendable>(_ request: Request, _ write: @escaping @Sendable () -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard WriteGate.isOn, !WriteGate.isHeld else { return write() }
        return request.eventLoop.makeFutureWithTask { try await WriteGate.shared.run { try await write().get() } }
    }
}

/// Removes sessions that can no longer sign anyone in: signed in longer ago than the session lifetime, or
/// left half-way through a sign-in (waiting for a second-factor code, or gone to the district's provider) for
/// longer than that takes, or holding none of these. Run when Lodestar starts and every hour while it serves, so the table holds live sessions only.
enum SessionPurge {
    static func run(on db: any Database, now: Double = Date().timeIntervalSince1970) async throws -> Int {
        let rows = try await db.sql.raw("SELECT key, data FROM _fluent_sessions").all()
        var expired: [String] = []
        for row in rows {
            let key = try row.decode(column: "key", as: String.self)
            guard let data = try? row.decode(column: "data", as: SessionData.self) else { continue }
            let signedIn = data["signed_in_at"].flatMap(Double.init), pending = data["pending_at"].flatMap(Double.init)
            let atProvider = data["sso_at"].flatMap(Double.init)
            let live = signedIn.map { now - $0 < SignInPolicy.sessionLifetime } ?? pending.map { now - $0 < SignInPolicy.pendingSecondFactor }
                ?? atProvider.map { now - $0 < SingleSignOnController.pendingLifetime } ?? false
            if !live { expired.append(key) }
        }
        guard !expired.isEmpty else { return 0 }
        let keys = expired
        try await db.writeTransaction { db in
            for batch in keys.chunks(of: 500) {
                try await db.sql.delete(from: "_fluent_sessions").where("key", .in, batch).run()
            }
        }
        return expired.count
    }
}

/// Starts the hourly purge when the server boots and stops it on shutdown. Not in a command: a long import
/// holds SQLite's connection, and the purge waiting for it ended in a timeout printed beside the progress.
struct SessionPurgeSchedule: LifecycleHandler {
    final class Handle: @unchecked Sendable { var scheduled: RepeatedTask? }
    let handle = Handle()

    func didBoot(_ app: Application) throws {
        guard app.servesRequests else { return }
        handle.scheduled = app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .seconds(5), delay: .hours(1)) { _ in
            app.eventLoopGroup.next().makeFutureWithTask {
                do { _ = try await SessionPurge.run(on: app.db) } catch { app.logger.warning("session purge: \(error)") }
            }
        }
    }

    func shutdown(_ app: Application) {
        handle.scheduled?.cancel()
    }
}
