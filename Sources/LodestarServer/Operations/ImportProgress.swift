import Foundation
import NIOConcurrencyHelpers

/// A long import's progress. From `lodestar import` on a terminal: one line redrawn in place — rows, rate, share of
/// the file read and time left; into a log (standard output not a terminal): the same as a plain line every ten
/// seconds. From the web, and in the tests, it shows nothing. The rows always go to the metrics
/// (`lodestar_import_rows_total`).
final class ImportProgress: Sendable {
    enum Display: Sendable { case none, standardOutput }

    let kind: String
    /// What is counted and what the share is of: "rows read and checked" of "the file", or for the demo command
    /// "scores written" of "the schools".
    private let counted: String, whole: String
    private let display: Display
    private let terminal: Bool
    private let started = ContinuousClock.now
    private let state = NIOLockedValueBox((rows: 0, fractionRead: 0.0, lastShown: ContinuousClock.now, shown: false, allRead: false))

    init(kind: String, display: Display = .none, counted: String = "rows read and checked", of whole: String = "the file") {
        self.kind = kind
        self.counted = counted
        self.whole = whole
        self.display = display
        terminal = display == .standardOutput && isatty(STDOUT_FILENO) == 1
    }

    /// Adds `rows` read and checked, with how much of the file has been read (0 to 1).
    func advance(by rows: Int, fractionRead: Double) {
        Metrics.imported(rows, kind: kind)
        let now = ContinuousClock.now
        let line: String? = state.withLockedValue { state in
            state.rows += rows
            state.fractionRead = fractionRead
            guard display == .standardOutput, now - state.lastShown >= (terminal ? .seconds(1) : .seconds(10)) else { return nil }
            state.lastShown = now
            state.shown = true
            return "\(kind): " + Self.line(rows: state.rows, elapsed: (now - started).inSeconds, fractionRead: fractionRead, counted: counted, of: whole)
        }
        if let line { write(terminal ? "\r\u{1B}[K" + line : line + "\n") }
    }

    /// Where the import is now, for a progress page.
    var now: (rows: Int, fractionRead: Double, elapsed: Double, allRead: Bool) {
        let elapsed = (ContinuousClock.now - started).inSeconds
        return state.withLockedValue { ($0.rows, $0.fractionRead, elapsed, $0.allRead) }
    }

    /// Every row has been read and written (what follows — the assessments, the mastery standings — is quick to
    /// say but can take a while); ends a redrawn line, so what the command prints next starts on its own.
    func allRowsWritten() {
        let shown = state.withLockedValue { state in
            state.allRead = true
            state.fractionRead = 1
            return state.shown
        }
        if terminal, shown { write("\n") }
    }

    /// `1,240,000 rows read and checked · 41,333 a second · 38% of the file · about 52 s left`, on the command line
    /// after the kind (`results: …`) and on an import's page.
    static func line(rows: Int, elapsed: Double, fractionRead: Double, counted: String = "rows read and checked", of whole: String = "the file") -> String {
        var parts = ["\(rows.grouped) \(counted)", "\(Int((Double(rows) / max(elapsed, 0.001)).rounded()).grouped) a second"]
        if fractionRead > 0, fractionRead < 1 {
            parts.append("\(Int(fractionRead * 100))% of \(whole)")
            parts.append("about \(Self.duration(elapsed * (1 - fractionRead) / fractionRead)) left")
        }
        return parts.joined(separator: " · ")
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3_600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3_600) h \(whole % 3_600 / 60) min"
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
