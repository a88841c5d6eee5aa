import Crypto
import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// Every file importer fed thousands of mutated versions of real files (`../shared/data/`, and the demo's own
/// exports where the shared data has none): none may crash the process, each failure must be a `LodestarError`
/// naming the file, and a failed import must leave every table as it was (one transaction).
/// Bounded by `LODESTAR_FUZZ_ITERATIONS` per importer (default 2,000) and `LODESTAR_FUZZ_SECONDS` (default 45).
/// Runs when `LODESTAR_FUZZ` is set: `Scripts/test-all` runs it on its own after the suite, so the time
/// budget buys mutated files rather than waiting for the other tests.
@Suite("Importers under mutated files", .enabled(if: ProcessInfo.processInfo.environment["LODESTAR_FUZZ"] != nil))
struct FuzzTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["LODESTAR_FUZZ_ITERATIONS"] ?? "") ?? 2_000
    static let seconds = Double(ProcessInfo.processInfo.environment["LODESTAR_FUZZ_SECONDS"] ?? "") ?? 45

    /// Runs `importer` on mutated files until the iteration or time budget is spent; returns how many were tried.
    /// - Parameters:
    ///   - seeds: the real files, each a bundle of named files (one file for most formats).
    ///   - importer: imports one bundle; throws `LodestarError` for a file it refuses.
    static func fuzz(_ name: String, seeds: [[String: [UInt8]]], seed: UInt64, on db: any Database,
                     _ importer: @escaping ([String: [UInt8]]) async throws -> Void) async throws -> (tried: Int, refused: Int) {
        var random = SplitMix(seed: seed)
        var tried = 0, refused = 0
        // Each real file imports as it is (which also creates any defaults an import makes on first use).
        for files in seeds { try await importer(files) }
        let deadline = Date().addingTimeInterval(seconds)
        var before = try await tableCounts(db)
        while tried < iterations, Date() < deadline {
            var files = seeds[random.next(below: seeds.count)]
            let target = files.keys.sorted()[random.next(below: files.count)]
            files[target] = Mutator.mutate(files[target]!, random: &random)
            tried += 1
            do {
                try await importer(files)
                before = try await tableCounts(db)
            } catch let error as LodestarError {
                refused += 1
                #expect(!(error.location?.file ?? "").isEmpty || files.keys.contains { error.description.contains($0) },
                        "\(name) #\(tried): the error names no file: \(error.description)")
                let after = try await tableCounts(db)
                #expect(after == before, "\(name) #\(tried) was refused but changed \(after.filter { before[$0.key] != $0.value }.keys.sorted())")
            } catch {
                Issue.record("\(name) #\(tried) failed with \(String(reflecting: error)) instead of a LodestarError")
                before = try await tableCounts(db)
            }
        }
        print("fuzz \(name): \(tried) mutated files, \(refused) refused with a clear error, \(tried - refused) imported")
        return (tried, refused)
    }

    /// A digest of every row of every table (the rows' text, sorted, hashed per table): a refused import must
    /// leave each table's content as it was, not only its number of rows.
    static func tableCounts(_ db: any Database) async throws -> [String: String] {
        var digests: [String: String] = [:]
        let sql = db.sql
        if sql.dialect.name == "sqlite" {
            for row in try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() {
                let table = try row.decode(column: "name", as: String.self)
                let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all().map { try $0.decode(column: "name", as: String.self) }
                let text = columns.map { "quote(\"\($0)\")" }.joined(separator: " || ',' || ")
                let rows = try await sql.raw(SQLQueryString("SELECT \(unsafeRaw: text) AS r FROM \"\(unsafeRaw: table)\"")).all()
                digests[table] = digest(try rows.map { try $0.decode(column: "r", as: String.self) })
            }
        } else {
            for row in try await sql.raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").all() {
                let table = try row.decode(column: "tablename", as: String.self)
                let rows = try await sql.raw("SELECT t::text AS r FROM \(ident: table) t").all()
                digests[table] = digest(try rows.map { try $0.decode(column: "r", as: String.self) })
            }
        }
        return digests
    }

    static func digest(_ rows: [String]) -> String {
        var hasher = SHA256()
        for row in rows.sorted() { hasher.update(data: Data(row.utf8)); hasher.update(data: Data([0])) }
        return "\(rows.count):" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: sharedData.appendingPathComponent(path))) }

    static func folder(_ path: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: sharedData.appendingPathComponent(path).path) where name.hasSuffix(".csv") {
            files[name] = try read("\(path)/\(name)")
        }
        return files
    }

    @Test(arguments: TestDatabase.all)
    func oneRosterBundles(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let seeds = [try Self.folder("oneroster/v1p1-oat-sample"), try Self.folder("oneroster/v1p2-catalyst-sample")]
            let result = try await Self.fuzz("OneRoster", seeds: seeds, seed: 1, on: app.db) { files in
                _ = try await OneRosterImport.run(files: files, on: app.db)
            }
            #expect(result.tried >= min(Self.iterations, 20) && result.refused > 0)
        }
    }

    /// The zip itself mutated, not only the files inside: the zip reader's limits and refusals under damage.
    @Test(arguments: TestDatabase.all)
    func oneRosterZips(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let seeds = [["v1p2-catalyst-full.zip": try Self.read("oneroster/v1p2-catalyst-full.zip")]]
            let result = try await Self.fuzz("OneRoster zip", seeds: seeds, seed: 6, on: app.db) { files in
                let (name, bytes) = files.first!
                _ = try await OneRosterImport.run(files: try OneRosterImport.readZip(Data(bytes), name: name), on: app.db)
            }
            #expect(result.tried >= min(Self.iterations, 20) && result.refused > 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func casePackages(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let seeds = try ["case/act-holistic-math.json", "case/utf8-test.json", "case/what-standards-could-be-ccss-math.json"].map { ["\(($0 as NSString).lastPathComponent)": try Self.read($0)] }
            let result = try await Self.fuzz("CASE", seeds: seeds, seed: 2, on: app.db) { files in
                let (name, bytes) = files.first!
                _ = try await StandardsStore.save(try CASEPackage.parse(bytes, fileName: name), subject: "Mathematics", on: app.db)
            }
            #expect(result.tried >= min(Self.iterations, 20) && result.refused > 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func calendars(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let leader = try #require(district.accounts.first { $0.email == DemoPeople(district: district).email(.principal) }?.sourcedId)
            let seeds = try ["america_new_york.ics", "issue_1050_simple_calendar.ics", "issue_1081_event_with_rrule.ics"].map { [$0: try Self.read("ics/\($0)")] }
            let result = try await Self.fuzz("iCalendar", seeds: seeds, seed: 3, on: app.db) { files in
                let (name, bytes) = files.first!
                _ = try await CalendarImport.run(bytes, fileName: name, leaderId: leader, from: "2026-08-01", through: "2027-07-31", on: app.db)
            }
            #expect(result.tried >= min(Self.iterations, 20) && result.refused > 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func frameworks(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let seeds = [["framework.json": FrameworkJSON.encode(.lodestarDefault)]]
            let result = try await Self.fuzz("framework", seeds: seeds, seed: 4, on: app.db) { files in
                _ = try await FrameworkStore.save(try FrameworkJSON.decode(files["framework.json"]!, fileName: "framework.json"), on: app.db)
            }
            #expect(result.tried >= min(Self.iterations, 20) && result.refused > 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func scoreFiles(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            try await loadSampleMathStandards(app)
            let people = DemoPeople(district: district)
            let classes = district.bundle.classes.filter { $0.schoolSourcedId == "school-1" }.prefix(3).map(\.sourcedId)
            var csv = "assessment,date,class,student,standard,score\n"
            for (n, classId) in classes.enumerated() {
                for (m, student) in people.students(of: classId).enumerated() {
                    csv += "Exit ticket \(n),2026-09-1\(n),\(classId),\(student),CCSS.Math.Content.6.RP.A.1,\([1, 2, 3, 4, "7/10"][m % 5])\n"
                }
            }
            let result = try await Self.fuzz("scores CSV", seeds: [["scores.csv": Array(csv.utf8)]], seed: 5, on: app.db) { files in
                _ = try await ScoreImport.run(files["scores.csv"]!, fileName: "scores.csv", importer: nil, on: app.db)
            }
            #expect(result.tried >= min(Self.iterations, 20) && result.refused > 0)
        }
    }
}

/// A small, fast, seeded random number generator, so a failing mutation can be found again.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}

/// Mutations that real files suffer: bit flips, lost and repeated bytes and lines, truncation, fields replaced by
/// awkward values (empty, huge, not numbers, impossible dates, quotes, NUL, broken UTF-8), and blown-up chunks.
enum Mutator {
    static let awkward: [[UInt8]] = ["", "-1", "0", "99999999999999999999999999", "NaN", "1e308", "-0.0", "2026-02-30", "2026-13-01", "\"", "\"\"",
                                     ",", "\n", "\r\n", "\0", "null", "{}", "[]", "true", "😀", "\\", "%", String(repeating: "A", count: 10_000)]
        .map { Array($0.utf8) } + [[0xC3, 0x28], [0xFF, 0xFE], [0xEF, 0xBB, 0xBF]]

    static func mutate(_ bytes: [UInt8], random: inout SplitMix) -> [UInt8] {
        var bytes = bytes
        for _ in 0...random.next(below: 3) {
            guard !bytes.isEmpty else { return awkward[random.next(below: awkward.count)] }
            let at = random.next(below: bytes.count)
            switch random.next(below: 9) {
            case 0: bytes[at] ^= UInt8(1) << UInt8(random.next(below: 8))
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.next(below: 16)))
            case 2: bytes.insert(contentsOf: awkward[random.next(below: awkward.count)], at: at)
            case 3, 4, 5:
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { [UInt8]($0) }
                let line = random.next(below: lines.count)
                switch random.next(below: 3) {
                case 0: lines.insert(lines[line], at: line)
                case 1: lines.remove(at: line)
                default: lines.swapAt(line, random.next(below: lines.count))
                }
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            case 6: bytes.removeSubrange(at...)
            case 7:
                // A field: the run of bytes between two delimiters around `at`.
                let delimiters: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\n"), UInt8(ascii: "\""), UInt8(ascii: ":")]
                var start = at, end = at
                while start > 0, !delimiters.contains(bytes[start - 1]) { start -= 1 }
                while end < bytes.count, !delimiters.contains(bytes[end]) { end += 1 }
                bytes.replaceSubrange(start..<end, with: awkward[random.next(below: awkward.count)])
            default:
                let chunk = Array(bytes[at..<min(bytes.count, at + 1 + random.next(below: 200))])
                for _ in 0..<(1 + random.next(below: 300)) { bytes.insert(contentsOf: chunk, at: at) }
            }
        }
        return bytes
    }
}
