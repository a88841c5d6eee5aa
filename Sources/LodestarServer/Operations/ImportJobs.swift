import Fluent
import Foundation
import LodestarCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Imports sent from a web page that take longer than a moment. The page that sent the file waits up to
/// `patience` for the import; past that it shows the import's own page instead, which follows it (rows, share of the
/// file, time left) and survives a reload, and the import goes on by itself; its end — or its refusal, with the
/// reason — is on that page and in the notification the importer's feature sends.
///
/// Each job is a row of `import_jobs`, so its page can be served by any server sharing the database: the server
/// running it writes its progress there every two seconds and its outcome at the end. On SQLite (one server, whose
/// only writer the import holds until it ends) that server shows the progress from its memory instead. An import is
/// saved whole or not at all, so one whose server stopped (no progress written for half a minute, or on SQLite not
/// running here) has saved nothing, and its page says to send the file again.
final class ImportJobs: LifecycleHandler, Sendable {
    /// How an import ended: imported, with its summary line and what its page shows beyond it (`detail`, JSON the
    /// importer's feature reads back), or refused, with the reason.
    enum Outcome: Sendable, Equatable { case imported(String, detail: String?), refused(String) }

    /// What an import's work returns.
    struct Imported: Sendable {
        let summary: String
        var detail: String? = nil
    }

    /// Where a job is, for its page.
    struct Status: Sendable {
        let fileName: String
        let rows: Int
        let fractionRead: Double
        let elapsed: Double
        let allRead: Bool
        let outcome: Outcome?
    }

    /// A job this server is running or ran today.
    private struct Job: Sendable {
        let fileName: String
        let startedBy: String
        let progress: ImportProgress
        var outcome: Outcome?
        var endedAt: ContinuousClock.Instant?
    }

    private let jobs = NIOLockedValueBox<[String: Job]>([:])
    private let waitBeforeShowingProgress = NIOLockedValueBox<Duration>(.seconds(3))

    /// How long the sending page waits before it shows the import's own page.
    var patience: Duration {
        get { waitBeforeShowingProgress.withLockedValue { $0 } }
        set { waitBeforeShowingProgress.withLockedValue { $0 = newValue } }
    }

    static let table = "import_jobs"
    /// How often the running server writes a job's progress, and how long without it means its server stopped.
    static let publishEvery: Duration = .seconds(2)
    static let stoppedAfter = 30
    static let fileNameLength = 255, outcomeLength = 2_000, detailLength = 256 * 1024

    static func newId() -> String { PKCE.randomToken() }

    /// `LODESTAR_IMPORT_WAIT_SECONDS` (0 to 60): how long the sending page waits before showing the import's page.
    static func patience(fromEnvironment environment: [String: String]) throws -> Duration {
        guard let text = environment["LODESTAR_IMPORT_WAIT_SECONDS"], !text.isEmpty else { return .seconds(3) }
        guard let seconds = Int(text), (0...60).contains(seconds) else {
            throw LodestarError("LODESTAR_IMPORT_WAIT_SECONDS must be a whole number of seconds from 0 to 60, not “\(text)”")
        }
        return .seconds(seconds)
    }

    /// Starts `work` on its own, under `id`, and records the job in `db`; what it returns is shown when it ends (a
    /// detail longer than `detailLength` is not kept), and a `LodestarError` it throws is the refusal shown. On
    /// PostgreSQL the row is written before this returns, so any server can show the page the sender is sent to (the
    /// write does not wait for the write lock); on SQLite this server shows it from memory, and the row is written by
    /// the job, since SQLite's one writer may be held by another import.
    func start(id: String, fileName: String, startedBy: String, progress: ImportProgress, on db: any Database,
               _ work: @escaping @Sendable () async throws -> Imported) async throws {
        let publishes = db.sql.dialect.name != "sqlite"
        let recordStart: @Sendable () async throws -> Void = {
            try await Self.recordStart(id: id, kind: progress.kind, fileName: fileName, startedBy: startedBy, on: db)
        }
        if publishes { try await recordStart() }
        jobs.withLockedValue { jobs in
            jobs = jobs.filter { $0.value.endedAt.map { ContinuousClock.now - $0 < .seconds(86_400) } ?? true }
            jobs[id] = Job(fileName: fileName, startedBy: startedBy, progress: progress)
        }
        Task {
            if !publishes {
                do {
                    try await recordStart()
                } catch {
                    db.logger.error("Import \(id) was not recorded: \(error)")
                }
            }
            let publisher = Task {
                while publishes, !Task.isCancelled {
                    try? await Task.sleep(for: Self.publishEvery)
                    if !Task.isCancelled { try? await Self.record(progress, of: id, on: db) }
                }
            }
            let outcome: Outcome
            do {
                let imported = try await work()
                outcome = .imported(imported.summary, detail: imported.detail.flatMap { $0.utf8.count <= Self.detailLength ? $0 : nil })
            } catch let refusal as LodestarError {
                outcome = .refused(refusal.description)
            } catch {
                outcome = .refused("The import stopped before it ended, so nothing was imported: \(error.localizedDescription)")
            }
            publisher.cancel()
            do {
                try await Self.record(progress, of: id, ended: outcome, on: db)
            } catch {
                db.logger.error("The outcome of import \(id) was not recorded: \(error)")
            }
            jobs.withLockedValue { jobs in
                jobs[id]?.outcome = outcome
                jobs[id]?.endedAt = .now
            }
        }
    }

    /// Starts, under `id`, an import `viewer` sent from a page (`request`): run on `BackgroundDatabase`, recorded in
    /// the audit trail as an import of `what` — refused with the reason, or imported with its warnings — and announced
    /// to them when it is refused, gave warnings, or ended after they were sent to its page (`link`) to wait.
    func startFromPage(_ request: Request, id: String, what: String, fileName: String, link: String, by viewer: Viewer,
                       progress: ImportProgress, _ work: @escaping @Sendable (any Database) async throws -> (Imported, warnings: Int)) async throws {
        let started = ContinuousClock.now, patience = self.patience
        // The import may end after the request is answered: it touches neither the request nor the application.
        let db = request.application.backgroundDatabase(logger: request.logger), audit = request.importAudit(what, fileName: fileName, link: link)
        try await start(id: id, fileName: fileName, startedBy: viewer.id, progress: progress, on: db) {
            do {
                let (imported, warnings) = try await work(db)
                try await audit.record(warnings: warnings, announceSuccess: ContinuousClock.now - started > patience, on: db)
                return imported
            } catch let failure as LodestarError {
                try await audit.record(refused: failure, on: db)
                throw failure
            }
        }
    }

    /// The job of `kind` (what its progress counts: "scores", "roster"…), to the person who started it only: from
    /// this server's memory when it runs here, else from the table.
    func status(_ id: String, kind: Set<String>, for staffId: String, on db: any Database) async throws -> Status? {
        if let job = jobs.withLockedValue({ $0[id] }) {
            guard job.startedBy == staffId, kind.contains(job.progress.kind) else { return nil }
            let now = job.progress.now
            return Status(fileName: job.fileName, rows: now.rows, fractionRead: now.fractionRead, elapsed: now.elapsed,
                          allRead: now.allRead, outcome: job.outcome)
        }
        guard let row = try await db.sql.select().columns("*").from(Self.table)
            .where("id", .equal, id).where("started_by", .equal, staffId).where("kind", .in, Array(kind)).first() else { return nil }
        let startedAt = try row.decode(column: "started_at", as: Int.self), updatedAt = try row.decode(column: "updated_at", as: Int.self)
        var outcome: Outcome? = switch try row.decode(column: "outcome", as: String?.self) {
        case "imported": .imported(try row.decode(column: "outcome_line", as: String.self), detail: try row.decode(column: "detail", as: String?.self))
        case "refused": .refused(try row.decode(column: "outcome_line", as: String.self))
        default: nil
        }
        if outcome == nil, db.sql.dialect.name == "sqlite" || Self.seconds() - updatedAt > Self.stoppedAfter {
            outcome = .refused("The server importing this file stopped before the import ended, so nothing was imported. The file may be fine: send it again.")
        }
        return Status(fileName: try row.decode(column: "file_name", as: String.self), rows: try row.decode(column: "rows", as: Int.self),
                      fractionRead: try row.decode(column: "fraction_read", as: Double.self), elapsed: Double(updatedAt - startedAt),
                      allRead: try row.decode(column: "all_read", as: Bool.self), outcome: outcome)
    }

    private static func recordStart(id: String, kind: String, fileName: String, startedBy: String, on db: any Database) async throws {
        let now = seconds()
        try await db.writeWithoutLooking { db in
            // Jobs are kept a day, for their pages.
            try await db.sql.delete(from: table).where("updated_at", .lessThan, now - 86_400).run()
            try await db.sql.insert(into: table)
                .columns("id", "kind", "file_name", "started_by", "started_at", "updated_at", "rows", "fraction_read", "all_read")
                .values(SQLBind(id), SQLBind(kind), SQLBind(String(fileName.prefix(fileNameLength))), SQLBind(startedBy),
                        SQLBind(now), SQLBind(now), SQLBind(0), SQLBind(0.0), SQLBind(false))
                .run()
        }
    }

    /// Writes where the import is — during it on PostgreSQL only (see the type's note) — and, once it has ended, how.
    private static func record(_ progress: ImportProgress, of id: String, ended outcome: Outcome? = nil, on db: any Database) async throws {
        let now = progress.now, at = seconds()
        let end: (kind: String, line: String, detail: String?)? = switch outcome {
        case .imported(let line, let detail): ("imported", String(line.prefix(outcomeLength)), detail)
        case .refused(let reason): ("refused", String(reason.prefix(outcomeLength)), nil)
        case nil: nil
        }
        try await db.writeWithoutLooking { db in
            let update = db.sql.update(table).set("updated_at", to: at).set("rows", to: now.rows)
                .set("fraction_read", to: now.fractionRead).set("all_read", to: now.allRead).where("id", .equal, id)
            if let end { update.set("ended_at", to: at).set("outcome", to: end.kind).set("outcome_line", to: end.line).set("detail", to: end.detail) }
            try await update.run()
        }
    }

    private static func seconds() -> Int { Int(Date().timeIntervalSince1970) }

    /// On shutdown, lets running imports end first, for at most twenty seconds; one still running after that is cut
    /// off when the databases close, and saves nothing. Registered after the databases, so it runs before they close.
    func shutdownAsync(_ application: Application) async {
        let deadline = ContinuousClock.now + .seconds(20)
        while jobs.withLockedValue({ $0.values.contains { $0.outcome == nil } }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(25))
        }
    }

    /// Waits up to `patience` for the job to end; its outcome, or nil when it is still running.
    func outcome(of id: String) async -> Outcome? {
        let deadline = ContinuousClock.now + patience
        while true {
            if let outcome = jobs.withLockedValue({ $0[id]?.outcome }) { return outcome }
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }
}

struct ImportJobsKey: StorageKey { typealias Value = ImportJobs }

extension Application {
    /// The web imports this server is running or has run today.
    var importJobs: ImportJobs {
        if let jobs = storage[ImportJobsKey.self] { return jobs }
        let jobs = ImportJobs()
        storage[ImportJobsKey.self] = jobs
        return jobs
    }
}

/// An import's page: running (its progress; the page reloads every three seconds), imported, or refused. What the
/// importer's feature shows beyond that (a roster's counts) it adds in its own page type, around `app/import-job`.
struct ImportJobPage: Encodable {
    let page: PageContext
    let job: ImportJobView

    /// - Parameter again: where to send another file.
    init(request: Request, job now: ImportJobs.Status, again: String) {
        var page = PageContext(request: request, title: "Importing \(now.fileName)")
        if now.outcome == nil { page.refreshSeconds = 3 }
        self.page = page
        job = ImportJobView(now, again: again)
    }
}

/// What `app/import-job` shows of an import.
struct ImportJobView: Encodable {
    let fileName: String
    let running: Bool
    let percent: Int
    let progressLine: String
    let notice: String?
    let error: String?
    let again: String

    init(_ now: ImportJobs.Status, again: String) {
        fileName = now.fileName
        running = now.outcome == nil
        percent = Int(now.fractionRead * 100)
        // A file is read and checked whole before its first row is written; after its last, what is computed from
        // the rows (the mastery standings) is brought up to date.
        progressLine = now.allRead ? "All \(now.rows.grouped) rows read, checked and written; now updating the mastery standings…"
            : now.rows == 0 ? "Reading and checking the file…" : ImportProgress.line(rows: now.rows, elapsed: now.elapsed, fractionRead: now.fractionRead)
        if case .imported(let line, _) = now.outcome { notice = line } else { notice = nil }
        if case .refused(let reason) = now.outcome { error = reason } else { error = nil }
        self.again = again
    }
}
