import LodestarCore
import Vapor

/// `lodestar import oneroster PATH`: imports a OneRoster CSV bundle (folder or .zip).
struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "format", help: "What the file holds: oneroster.")
        var format: String
        @Argument(name: "path", help: "A folder of CSV files or a .zip.")
        var path: String
    }

    var help: String { "Imports a file into Lodestar. Formats: oneroster (a folder or .zip of OneRoster 1.1/1.2 CSV)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.format == "oneroster" else {
            throw LodestarError("unknown format \(signature.format); expected: oneroster")
        }
        let start = Date()
        let report = try await OneRosterImport.run(path: signature.path, on: context.application.db)
        context.console.print("Imported \(signature.path) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s.")
        context.console.print("entity".padding(toLength: 18, withPad: " ", startingAt: 0) + "created  updated  unchanged  deleted")
        for line in report.lines {
            let c = line.counts
            context.console.print(line.entity.padding(toLength: 18, withPad: " ", startingAt: 0)
                + [c.created, c.updated, c.unchanged, c.deleted].map { String($0).padding(toLength: 9, withPad: " ", startingAt: 0) }.joined())
        }
        for warning in report.warnings { context.console.warning("warning: \(warning)") }
    }
}
