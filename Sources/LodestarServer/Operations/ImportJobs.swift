import Foundation
import LodestarCore
import NIOConcurrencyHelpers
import Vapor

/// Imports sent from a web page that take longer than a moment. The page that sent the file waits up to
/// `patience` for the import; past that it shows the import's own page instead, which follows it (rows, share of the
/// file, time left) and survives a reload, and the import goes on by itself; its end — or its refusal, with the
/// reason — is on that page and in the notification the importer's feature sends. Jobs live in this server's memory:
/// an import is saved whole or not at all, so one cut off by a restart has saved nothing, and its page says to send
/// the file again.
final class ImportJobs: LifecycleHandler, Sendable {
    enum Outcome: Sendable, Equatable { case imported(String), refused(String) }

    struct Job: Sendable {
        let id: String
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

    static func newId() -> String { PKCE.randomToken() }

    /// `LODESTAR_IMPORT_WAIT_SECONDS` (0 to 60): how long the sending page waits before showing the import's page.
    static func patience(fromEnvironment environment: [String: String]) throws -> Duration {
        guard let text = environment["LODESTAR_IMPORT_WAIT_SECONDS"], !text.isEmpty else { return .seconds(3) }
        guard let seconds = Int(text), (0...60).contains(seconds) else {
            throw LodestarError("LODESTAR_IMPORT_WAIT_SECONDS must be a whole number of seconds from 0 to 60, not “\(text)”")
        }
        return .seconds(seconds)
    }

    /// Starts `work` on its own, under `id`; what it returns is the line shown when it ends, and a `LodestarError`
    /// it throws is the refusal shown.
    func start(id: String, fileName: String, startedBy: String, progress: ImportProgress,
               _ work: @escaping @Sendable () async throws -> String) {
        jobs.withLockedValue { jobs in
            // Ended jobs are kept a day, for their page.
            jobs = jobs.filter { $0.value.endedAt.map { ContinuousClock.now - $0 < .seconds(86_400) } ?? true }
            jobs[id] = Job(id: id, fileName: fileName, startedBy: startedBy, progress: progress)
        }
        Task {
            let outcome: Outcome
            do {
                outcome = .imported(try await work())
            } catch let refusal as LodestarError {
                outcome = .refused(refusal.description)
            } catch {
                outcome = .refused("The import stopped before it ended, so nothing was imported: \(error.localizedDescription)")
            }
            jobs.withLockedValue { jobs in
                jobs[id]?.outcome = outcome
                jobs[id]?.endedAt = .now
            }
        }
    }

    /// The job, to the person who started it only.
    func job(_ id: String, for staffId: String) -> Job? {
        jobs.withLockedValue { $0[id] }.flatMap { $0.startedBy == staffId ? $0 : nil }
    }

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

/// An import's page: running (with its progress, reloaded every three seconds), imported, or refused.
struct ImportJobPage: Encodable {
    let page: PageContext
    let fileName: String
    let running: Bool
    let percent: Int
    let progressLine: String
    let notice: String?
    let error: String?
    let again: String

    /// - Parameter again: where to send another file.
    init(request: Request, job: ImportJobs.Job, again: String) {
        var page = PageContext(request: request, title: "Importing \(job.fileName)")
        fileName = job.fileName
        running = job.outcome == nil
        if running { page.refreshSeconds = 3 }
        self.page = page
        let now = job.progress.now
        percent = Int(now.fractionRead * 100)
        // A score file is read and checked whole before its first row is written; after its last, the assessments
        // and the mastery standings are brought up to date.
        progressLine = now.allRead ? "All \(now.rows.grouped) rows read, checked and written; now updating the mastery standings…"
            : now.rows == 0 ? "Reading and checking the file…" : ImportProgress.line(rows: now.rows, elapsed: now.elapsed, fractionRead: now.fractionRead)
        if case .imported(let line) = job.outcome { notice = line } else { notice = nil }
        if case .refused(let reason) = job.outcome { error = reason } else { error = nil }
        self.again = again
    }
}
