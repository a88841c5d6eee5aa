import Fluent
import SQLKit
import Vapor

/// Stores sessions in the database, writing one only when a request changed it. Vapor's sessions
/// middleware saves the session after every request, which made every page view a database write
/// queued behind SQLite's one writer. Sessions expire by their sign-in time, so nothing is lost.
struct ChangedOnlySessionDriver: SessionDriver {
    let stored: any SessionDriver

    /// The session as read at the start of the request.
    private struct AsRead: StorageKey { typealias Value = [String: String] }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        inTurn(request) { stored.createSession(data, for: request) }
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
