import Fluent
import LodestarCore
import SQLKit
import Vapor

/// `lodestar demo --size small|medium|large [--seed N]`: loads a generated district into the database.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "size", help: "small (3 schools), medium (30) or large (200). Default small.")
        var size: String?
        @Option(name: "seed", help: "Seed for the generator; the same seed gives the same district. Default 1.")
        var seed: UInt64?
        @Option(name: "export", help: "Instead of loading, write the district into this folder: a OneRoster 1.1 CSV bundle with its scores, and its standards as CASE JSON.")
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
            let scores = try Self.exportResults(district, seed: signature.seed ?? 1, through: try through(signature), to: folder)
            var standardFiles: [String] = []
            for package in DemoStandards.packages {
                let name = "standards-\(package.identifier).json"
                try Data(CASEWriter.json(package, baseURI: "https://standards.cedarvalley.example.org/case")).write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
                standardFiles.append(name)
            }
            context.console.print("Wrote the \(size.rawValue) district to \(folder): the roster as OneRoster CSV, \(scores) scores in lineItems.csv and results.csv, and its standards as CASE JSON (\(standardFiles.joined(separator: ", "))).")
            return
        }
        let through = try through(signature)
        let start = Date()
        let district = try await DemoLoader.load(size: size, seed: signature.seed ?? 1, through: through, steps: DemoSteps(show: true),
                                                 on: context.application.db)
        try await context.application.db.vacuumAfterBulkLoad()
        context.console.print("Loaded the \(size.rawValue) district in \(String(format: "%.1f", Date().timeIntervalSince(start))) s: \(district.bundle.orgs.count - 1) schools, \(district.bundle.users.count) people, \(district.bundle.enrollments.count) enrollments.")
        DemoLoader.printAccounts(district, address: nil, console: context.console)
    }

    private func through(_ signature: Signature) throws -> Date {
        guard let day = signature.through else { return Date() }
        guard ISODate.isValid(day), let date = DisplayTime.date(fromISODay: day, time: "23:59") else {
            throw LodestarError("--through must be a date as YYYY-MM-DD, not \(day)")
        }
        return date
    }

    /// The demo's scores through `through` as a OneRoster gradebook, written school by school.
    static func exportResults(_ district: DemoDistrict, seed: UInt64, through: Date, to folder: String) throws -> Int {
        let demo = DemoAssessments(district: district, seed: seed, through: through.timeIntervalSince1970)
        let codes = Dictionary(uniqueKeysWithValues: DemoStandards.packages.flatMap(\.items).map { ($0.identifier, $0.code) })
        let base = URL(fileURLWithPath: folder)
        FileManager.default.createFile(atPath: base.appendingPathComponent("lineItems.csv").path, contents: Data(CSVWriter(header: OneRosterResultsWriter.lineItemHeader, readBy: .program).text.utf8))
        FileManager.default.createFile(atPath: base.appendingPathComponent("results.csv").path, contents: Data(CSVWriter(header: OneRosterResultsWriter.resultHeader, readBy: .program).text.utf8))
        let lineItems = try FileHandle(forWritingTo: base.appendingPathComponent("lineItems.csv")), results = try FileHandle(forWritingTo: base.appendingPathComponent("results.csv"))
        defer { try? lineItems.close(); try? results.close() }
        try lineItems.seekToEnd()
        try results.seekToEnd()
        var count = 0
        for school in demo.schoolIds {
            let (assessments, scores) = demo.generate(school: school)
            var items = CSVWriter(readBy: .program), rows = CSVWriter(readBy: .program)
            let byId = Dictionary(uniqueKeysWithValues: assessments.map { ($0.id, $0) })
            for assessment in assessments {
                for standard in assessment.standardIds {
                    items.append(OneRosterResultsWriter.lineItemRow(.init(id: "\(assessment.id)|\(standard)", title: assessment.title, classId: assessment.classId,
                                                                          date: assessment.date, standard: codes[standard] ?? standard)))
                }
            }
            for score in scores {
                guard let assessment = byId[score.assessmentId] else { continue }
                rows.append(OneRosterResultsWriter.resultRow(lineItem: "\(score.assessmentId)|\(score.standardId)", student: score.studentId,
                                                             value: score.value, date: assessment.date, scale: .fourLevel))
                count += 1
            }
            try lineItems.write(contentsOf: Data(items.text.utf8))
            try results.write(contentsOf: Data(rows.text.utf8))
        }
        return count
    }
}

