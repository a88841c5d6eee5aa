import LodestarCore
import Vapor

/// `lodestar demo --size small|medium|large [--seed N]`: loads a generated district into the database.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "size", help: "small (3 schools), medium (30) or large (200). Default small.")
        var size: String?
        @Option(name: "seed", help: "Seed for the generator; the same seed gives the same district. Default 1.")
        var seed: UInt64?
        @Option(name: "export", help: "Instead of loading, write the district as a OneRoster 1.1 CSV bundle into this folder.")
        var export: String?
        @Option(name: "through", help: "Walkthroughs and scores up to this day (YYYY-MM-DD); default today. 2027-06-04 gives the whole school year.")
        var through: String?
    }

    var help: String { "Loads a generated demo district (replacing the roster) and prints its sign-ins." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let size = DemoDistrict.Size(rawValue: signature.size ?? "small") else {
            throw LodestarError("--size must be small, medium or large, not \(signature.size ?? "")")
        }
        if let folder = signature.export {
            let district = DemoDistrict(size: size, seed: signature.seed ?? 1)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, text) in OneRosterWriter.files(for: district.bundle) {
                try Data(text.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
            }
            context.console.print("Wrote the \(size.rawValue) district as OneRoster CSV to \(folder).")
            return
        }
        var through = Date()
        if let day = signature.through {
            guard ISODate.isValid(day), let date = DisplayTime.date(fromISODay: day, time: "23:59") else {
                throw LodestarError("--through must be a date as YYYY-MM-DD, not \(day)")
            }
            through = date
        }
        let start = Date()
        let district = try await DemoLoader.load(size: size, seed: signature.seed ?? 1, through: through, on: context.application.db)
        context.console.print("Loaded the \(size.rawValue) district in \(String(format: "%.1f", Date().timeIntervalSince(start))) s: \(district.bundle.orgs.count - 1) schools, \(district.bundle.users.count) people, \(district.bundle.enrollments.count) enrollments.")
        DemoLoader.printAccounts(district, console: context.console)
    }
}
