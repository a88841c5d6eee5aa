import LodestarCore
import Vapor

/// `lodestar import oneroster PATH` (a OneRoster CSV bundle, folder or .zip) and
/// `lodestar import case FILE [--subject S]` (a CASE 1.0 standards package) and
/// `lodestar import framework FILE` (an instructional framework, JSON).
struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "format", help: "What the file holds: oneroster, results, case, scores or framework.")
        var format: String
        @Argument(name: "path", help: "A folder of CSV files or a .zip.")
        var path: String
        @Option(name: "subject", help: "For case: the subject to file the standards under, when the package names none.")
        var subject: String?
    }

    var help: String { "Imports a file into Lodestar. Formats: oneroster (a folder or .zip of OneRoster 1.1/1.2 CSV), case (CASE 1.0 JSON), results (OneRoster lineItems + results, folder or .zip), scores (Lodestar score CSV), framework (JSON)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        switch signature.format {
        case "oneroster": try await importRoster(signature.path, context: context)
        case "case":
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: signature.path)))
            let package = try CASEPackage.parse(bytes, fileName: (signature.path as NSString).lastPathComponent)
            let counts = try await StandardsStore.save(package, subject: signature.subject, on: context.application.db)
            context.console.print("Imported \(package.title): \(counts.created) new, \(counts.updated) updated, \(counts.unchanged) unchanged, \(counts.deleted) removed.")
            for warning in package.warnings { context.console.warning("warning: \(warning)") }
        case "scores":
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: signature.path)))
            let report = try await ScoreImport.run(bytes, fileName: (signature.path as NSString).lastPathComponent, importer: nil,
                                                  progress: ImportProgress(kind: "scores", display: .standardOutput), on: context.application.db)
            context.console.print(report.summary)
        case "results":
            let report = try await ScoreImport.runOneRoster(try OneRosterImport.csvFiles(at: signature.path), importer: nil,
                                                            progress: ImportProgress(kind: "results", display: .standardOutput), on: context.application.db)
            context.console.print(report.summary)
        case "framework":
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: signature.path)))
            let framework = try FrameworkJSON.decode(bytes, fileName: (signature.path as NSString).lastPathComponent)
            let record = try await FrameworkStore.save(framework, on: context.application.db)
            context.console.print("Imported \(record.name), version \(record.version); new walkthroughs use it.")
        default:
            throw LodestarError("unknown format \(signature.format); expected oneroster, results, case, scores or framework")
        }
    }

    private func importRoster(_ path: String, context: CommandContext) async throws {
        let start = Date()
        let report = try await OneRosterImport.run(path: path, on: context.application.db)
        context.console.print("Imported \(path) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s.")
        context.console.print("entity".padding(toLength: 18, withPad: " ", startingAt: 0) + "created  updated  unchanged  deleted")
        for line in report.lines {
            let c = line.counts
            context.console.print(line.entity.padding(toLength: 18, withPad: " ", startingAt: 0)
                + [c.created, c.updated, c.unchanged, c.deleted].map { String($0).padding(toLength: 9, withPad: " ", startingAt: 0) }.joined())
        }
        for warning in report.warnings { context.console.warning("warning: \(warning)") }
    }
}
