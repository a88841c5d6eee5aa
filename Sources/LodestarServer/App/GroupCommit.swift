import Fluent
import NIOConcurrencyHelpers

/// Group commit: writes that arrive while others are being written wait together, then go in one write
/// transaction — one turn at the write lock and one commit (one sync to disk) for all of them — and each writer is
/// answered only after that commit, so nothing acknowledged can be lost. A lone write goes at once, as before. When
/// a group's transaction fails, each of its writes is tried again alone, so a bad write fails only its own writer.
final class GroupCommit<Item: Sendable>: Sendable {
    typealias Write = @Sendable ([Item], any Database) async throws -> Void

    private struct Waiting: Sendable {
        let item: Item
        let answer: CheckedContinuation<Void, any Error>
    }

    private let state = NIOLockedValueBox<(waiting: [Waiting], writing: Bool)>(([], false))
    private let largest: Int
    private let write: Write

    /// - Parameters:
    ///   - largest: the most writes in one transaction (each statement's values must stay within the databases' limits).
    ///   - write: writes a group inside the transaction it is given.
    init(largest: Int, write: @escaping Write) {
        self.largest = largest
        self.write = write
    }

    /// Writes `item` with whatever else is waiting; returns once it is committed, or throws its own failure.
    func submit(_ item: Item, on db: any Database) async throws {
        try await withCheckedThrowingContinuation { (answer: CheckedContinuation<Void, any Error>) in
            let starts = state.withLockedValue { state in
                state.waiting.append(Waiting(item: item, answer: answer))
                defer { state.writing = true }
                return !state.writing
            }
            if starts { Task { await self.writeWhileWaiting(on: db) } }
        }
    }

    /// Writes groups until nobody waits; one of these runs at a time.
    private func writeWhileWaiting(on db: any Database) async {
        while true {
            let group: [Waiting] = state.withLockedValue { state in
                let group = Array(state.waiting.prefix(largest))
                state.waiting.removeFirst(group.count)
                if group.isEmpty { state.writing = false }
                return group
            }
            guard !group.isEmpty else { return }
            do {
                try await db.writeTransaction { db in try await self.write(group.map(\.item), db) }
                for waiting in group { waiting.answer.resume() }
            } catch {
                guard group.count > 1 else {
                    group[0].answer.resume(throwing: error)
                    continue
                }
                for waiting in group {
                    do {
                        try await db.writeTransaction { db in try await self.write([waiting.item], db) }
                        waiting.answer.resume()
                    } catch {
                        waiting.answer.resume(throwing: error)
                    }
                }
            }
        }
    }
}
