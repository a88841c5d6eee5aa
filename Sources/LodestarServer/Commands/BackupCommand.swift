import Fluent
import FluentSQLiteDriver
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// `lodestar backup FILE`: a consistent copy of the SQLite database, safe while the server runs
/// (`VACUUM INTO` reads one snapshot; writers carry on). PostgreSQL is backed up with `pg_dump`.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "Where to write the copy; it must not exist yet.") var file: String
    }

    var help: String { "Writes a consistent copy of the database to FILE while the server runs: backup FILE" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let start = Date()
        try await Self.backup(context.application.db, to: signature.file)
        context.console.print("Backed up to \(signature.file) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s. Restore it with: lodestar restore \(signature.file)")
    }

    static func backup(_ db: any Database, to file: String) async throws {
        guard db.sql.dialect.name == "sqlite" else {
            throw LodestarError("""
                Lodestar is on PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --file=\(file) "$DATABASE_URL", \
                and restore with pg_restore --clean --if-exists --dbname="$DATABASE_URL" \(file)
                """)
        }
        guard !FileManager.default.fileExists(atPath: file) else { throw LodestarError("\(file) already exists; choose a new file name") }
        try await db.sql.raw("VACUUM INTO \(bind: file)").run()
    }
}

/// `lodestar restore FILE`: replaces the SQLite database with a backup, after checking the backup is a
/// whole Lodestar database. Run it with the server stopped. The database it replaces is kept beside it
/// (`lodestar.sqlite.before-restore-…`), so a restore loses nothing. It runs before the database is
/// opened, so no connection of this process can write to the replaced file.
public func restoreBackup(_ file: String, to location: DatabaseLocation = .fromEnvironment()) async throws -> String {
    guard case .sqliteFile(let path) = location else {
        throw LodestarError("Lodestar is on PostgreSQL: restore a pg_dump backup with pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" \(file)")
    }
    let fileManager = FileManager.default
    guard fileManager.fileExists(atPath: file) else { throw LodestarError("\(file) does not exist") }
    try await checkBackup(file)
    let kept = "\(path).before-restore-\(Int(Date().timeIntervalSince1970))"
    let incoming = "\(path).restoring"
    try? fileManager.removeItem(atPath: incoming)
    try fileManager.copyItem(atPath: file, toPath: incoming)
    for suffix in ["", "-wal", "-shm"] where fileManager.fileExists(atPath: path + suffix) {
        try fileManager.moveItem(atPath: path + suffix, toPath: kept + suffix)
    }
    try fileManager.moveItem(atPath: incoming, toPath: path)
    return kept
}

/// Opens `file` on its own and refuses it unless SQLite finds it intact and it holds Lodestar's tables.
private func checkBackup(_ file: String) async throws {
    let app = try await Application.make(.testing)
    app.logger.logLevel = .error
    app.databases.use(.sqlite(.file(file), maxConnectionsPerEventLoop: 1), as: .sqlite)
    do {
        let sql = app.db.sql
        let check = try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self)
        let migrations = try? await sql.raw("SELECT COUNT(*) AS n FROM _fluent_migrations").first()?.decode(column: "n", as: Int.self)
        try await app.asyncShutdown()
        guard check == "ok" else { throw LodestarError("\(file) is damaged (SQLite's integrity check: \(check ?? "no answer")); nothing was restored") }
        guard (migrations ?? 0) > 0 else { throw LodestarError("\(file) is not a Lodestar database; nothing was restored") }
    } catch let error as LodestarError {
        throw error
    } catch {
        try? await app.asyncShutdown()
        throw LodestarError("\(file) is not an SQLite database; nothing was restored")
    }
}
