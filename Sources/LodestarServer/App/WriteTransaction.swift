import Fluent
import SQLKit
import Synchronization

extension Database {
    /// Runs `work` in one transaction that takes the write lock first.
    ///
    /// SQLite allows one writer. Fluent opens deferred transactions, and a deferred transaction that
    /// reads and then tries to write can fail at once with "database is locked" when another writer
    /// is active (the busy handler cannot help in that case). Writing to `write_lock` as the first
    /// statement takes the lock up front, like `BEGIN IMMEDIATE`, so writers wait their turn instead.
    /// Before that, writers of this process queue at `WriteGate`, so none waits inside SQLite.
    ///
    /// On PostgreSQL the first statement takes one transaction-scoped advisory lock, so write transactions
    /// run one at a time there too: every "look, then write" inside one (the active framework created on first
    /// use, an export counted and recorded) holds on both databases alike, and writers that touch the same
    /// rows can never deadlock. Reads are not held up.
    func writeTransaction<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let asked = ContinuousClock.now
        guard WriteGate.isOn, !WriteGate.isHeld, sql.dialect.name == "sqlite" else { return try await lockedTransaction(askedAt: asked, work) }
        return try await WriteGate.shared.run { try await lockedTransaction(askedAt: asked, work) }
    }

    /// Runs writes that never look before they write (an insert, a delete or update by key of rows no other
    /// writer's decision reads): on PostgreSQL outside the write lock, which a long import holds until it ends, so
    /// they are not held up by it; SQLite has one writer, so there they take their turn in `writeTransaction`.
    func writeWithoutLooking(_ work: @escaping @Sendable (any Database) async throws -> Void) async throws {
        if sql.dialect.name == "sqlite" { try await writeTransaction(work) } else { try await transaction(work) }
    }

    /// - Parameter asked: when the write was asked for; the wait until the lock is held goes to the metrics.
    private func lockedTransaction<T: Sendable>(askedAt asked: ContinuousClock.Instant, _ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { db in
            if let sql = db as? any SQLDatabase {
                if sql.dialect.name == "sqlite" {
                    try await sql.raw("UPDATE write_lock SET generation = generation + 1").run()
                } else {
                    // One lock per schema: databases kept apart in one server by schema (as the tests do) do not wait for each other.
                    try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: Self.writeLockKey), hashtext(current_schema()))").run()
                }
                Metrics.writeLockWait.record(ContinuousClock.now - asked)
            }
            return try await work(db)
        }
    }

    var sql: any SQLDatabase { self as! any SQLDatabase }

    /// The advisory lock of Lodestar's write transactions on PostgreSQL ("LODE"), with the schema's hash.
    static var writeLockKey: Int { 0x4C4F_4445 }

    /// After a bulk load on PostgreSQL, its planner's statistics of the schema's tables, now: autovacuum gathers them
    /// only a while after a load commits, and until then reads of the new rows were planned as scans of whole tables
    /// (the demo's per-school reads of marks and assessments: 84–91 ms a school on the large district, 3–9 ms after).
    /// SQLite plans without them. The schema's own tables only: others may share the server.
    func analyzeAfterBulkLoad() async throws {
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("ANALYZE \(idents: try await schemaTables(), joinedBy: ", ")").run()
    }

    /// On PostgreSQL, a bulk load leaves the new rows' visibility and the planner's statistics to autovacuum, which
    /// on a large district took minutes to catch up; until then an index-only scan reads the rows it indexes from
    /// the table too (the coverage page: 65 ms instead of 45). The schema's own tables only: others may share the server.
    /// Outside a transaction only.
    func vacuumAfterBulkLoad() async throws {
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("VACUUM (ANALYZE) \(idents: try await schemaTables(), joinedBy: ", ")").run()
    }

    /// On PostgreSQL, loads an empty table with its indexes, its key too, built once the rows are in, not kept up row by
    /// row: `\copy` of the large demo's 4.9 M scores took 23.7 s into the indexed table and 12.2 s so. Use the caller's
    /// transaction's `db`; a duplicate id fails the transaction when the key is built again. A table that holds rows
    /// keeps its indexes (building them over those rows too could cost more than it saves), and so does a key another
    /// table refers to. SQLite was slower indexing after (8.6 against 7.5 s for the scores) and keeps them always.
    /// Readers of the table wait for the transaction while its indexes are gone: for bulk loads only (`when`).
    func loadWithIndexesBuiltAfter<T>(_ table: String, when bulk: Bool = true, _ load: () async throws -> T) async throws -> T {
        guard bulk, sql.dialect.name == "postgresql", try await sql.raw("SELECT 1 AS present FROM \(ident: table) LIMIT 1").first() == nil else {
            return try await load()
        }
        let named = { (rows: [any SQLRow], name: String, definition: String) in
            try rows.map { (name: try $0.decode(column: name, as: String.self), definition: try $0.decode(column: definition, as: String.self)) }
        }
        let keys = try named(try await sql.raw("""
            SELECT k.conname, pg_get_constraintdef(k.oid) AS definition FROM pg_constraint k
            WHERE k.conrelid = \(bind: table)::regclass AND k.contype IN ('p', 'u')
            AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = k.conrelid)
            """).all(), "conname", "definition")
        let indexes = try named(try await sql.raw("""
            SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = \(bind: table)
            AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = \(bind: table)::regclass)
            """).all(), "indexname", "indexdef")
        for index in indexes { try await sql.raw("DROP INDEX \(ident: index.name)").run() }
        for key in keys { try await sql.raw("ALTER TABLE \(ident: table) DROP CONSTRAINT \(ident: key.name)").run() }
        let result = try await load()
        for key in keys { try await sql.raw("ALTER TABLE \(ident: table) ADD CONSTRAINT \(ident: key.name) \(unsafeRaw: key.definition)").run() }
        for index in indexes { try await sql.raw("\(unsafeRaw: index.definition)").run() }
        return result
    }

    /// The tables of Lodestar's schema on PostgreSQL.
    func schemaTables() async throws -> [String] {
        try await sql.raw("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
            .all().map { try $0.decode(column: "table_name", as: String.self) }
    }

    /// Runs a bulk write with a 32 MB SQLite page cache on this connection (use the transaction's `db`),
    /// then restores the default 2 MB: millions of index entries would otherwise spill pages to the log constantly.
    /// 256 MB was no faster on the large district's import (79 against 72–77 s) and took 731 MB at its peak, not 486;
    /// 64 MB was no faster than 32 MB either.
    func withBulkPageCache<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        guard sql.dialect.name == "sqlite" else { return try await work() }
        try await sql.raw("PRAGMA cache_size = -32768").run()
        do {
            let result = try await work()
            try await sql.raw("PRAGMA cache_size = -2000").run()
            return result
        } catch {
            try? await sql.raw("PRAGMA cache_size = -2000").run()
            throw error
        }
    }
}

/// Lets one SQLite write transaction of this process run at a time; the others wait here, holding no
/// connection. Waiting inside SQLite instead would spin: SQLiteNIO's busy handler retries at once,
/// taking the CPU the writer needs.
/// On for a server on a SQLite file (one database per process); the tests' in-memory databases, many
/// in one process, each have their own lock and do without.
actor WriteGate {
    static let shared = WriteGate()
    private static let on = Atomic<Bool>(false)
    static var isOn: Bool { on.load(ordering: .relaxed) }
    static func turnOn() { on.store(true, ordering: .relaxed) }

    /// Set while this task runs inside the gate, so a nested write transaction does not wait for itself.
    @TaskLocal static var isHeld = false

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    nonisolated func run<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        await enter()
        do {
            let result = try await WriteGate.$isHeld.withValue(true) { try await work() }
            await leave()
            return result
        } catch {
            await leave()
            throw error
        }
    }

    private func enter() async {
        guard busy else { busy = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
