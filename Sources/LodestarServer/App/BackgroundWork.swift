import Fluent
import Foundation
import Vapor

extension Application {
    /// Only a serving process works in the background, not `lodestar demo` or `lodestar import`.
    var servesRequests: Bool {
        let command = environment.arguments.dropFirst().first
        return command == nil || command == "serve" || command?.hasPrefix("-") == true
    }
}

/// Work a serving process repeats in the background: `work` at start and then every `interval`, its errors logged.
final class RepeatingWork: LifecycleHandler, @unchecked Sendable {
    private let name: String
    private let interval: Duration
    private let work: @Sendable (any Database) async throws -> Void
    private var task: Task<Void, Never>?

    init(_ name: String, every interval: Duration, work: @escaping @Sendable (any Database) async throws -> Void) {
        self.name = name; self.interval = interval; self.work = work
    }

    func didBoot(_ application: Application) throws {
        guard application.servesRequests else { return }
        let db = application.db, logger = application.logger, name = name, interval = interval, work = work
        task = Task {
            while !Task.isCancelled {
                do { try await work(db) } catch { logger.error("\(name): \(String(reflecting: error))") }
                try? await Task.sleep(for: interval)
            }
        }
    }

    func shutdown(_ application: Application) { task?.cancel() }
}
