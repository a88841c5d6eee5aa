import Fluent
import NIOPosix
import Vapor

/// The database again, through connections on an event loop of their own, for long work started from a page (a big
/// import): a database driver hands each row it reads back on its connection's event loop, so an import reading and
/// writing hundreds of thousands of rows on a request loop held up every page served on that loop (they waited past
/// the pool's timeout). Writes still take their turn with every other writer (`writeTransaction`).
/// The tests' in-memory SQLite is one database per connection, and their PostgreSQL schemas are a hundred at once, so
/// there the application's own handle is used.
final class BackgroundDatabase: LifecycleHandler, Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let databases: Databases
    private let id: DatabaseID

    init(_ configuration: DatabaseConfigurationFactory, as id: DatabaseID, threadPool: NIOThreadPool) {
        databases = Databases(threadPool: threadPool, on: group)
        databases.use(configuration, as: id)
        self.id = id
    }

    func db(logger: Logger) -> (any Database)? {
        databases.database(id, logger: logger, on: group.next())
    }

    func shutdownAsync(_ application: Application) async {
        await databases.shutdownAsync()
        try? await group.shutdownGracefully()
    }
}

struct BackgroundDatabaseKey: StorageKey { typealias Value = BackgroundDatabase }

extension Application {
    /// A handle for long work that must not run on the request loops (see `BackgroundDatabase`).
    func backgroundDatabase(logger: Logger) -> any Database {
        storage[BackgroundDatabaseKey.self]?.db(logger: logger) ?? db
    }
}
