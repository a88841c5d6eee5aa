import Foundation
import LodestarCore
import Testing
import Vapor
import VaporTesting
import ZIPFoundation
@testable import LodestarServer

/// The databases every database test runs on: SQLite always, PostgreSQL when
/// `LODESTAR_TEST_POSTGRES_URL` is set (CI sets it).
enum TestDatabase: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    static var all: [TestDatabase] {
        ProcessInfo.processInfo.environment["LODESTAR_TEST_POSTGRES_URL"].map { _ in [.sqlite, .postgres] } ?? [.sqlite]
    }

    var testDescription: String { rawValue }
}

/// Path of the shared sample data (`../shared/data` from the package root).
let sharedData: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.deletingLastPathComponent().appendingPathComponent("shared/data")
}()

/// Runs `test` against a freshly configured, empty, migrated application on `database`.
func withLodestar(_ database: TestDatabase, _ test: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    var schema: String?
    do {
        switch database {
        case .sqlite:
            try await configure(app, database: .sqliteMemory)
        case .postgres:
            schema = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            try await configure(app, database: .postgres(ProcessInfo.processInfo.environment["LODESTAR_TEST_POSTGRES_URL"]!, schema: schema))
        }
        // A score upload is answered on its page however long a loaded machine takes; the test of an import left
        // running sets its own wait.
        app.importJobs.patience = .seconds(300)
        try await test(app)
    } catch {
        if let schema { try? await app.db.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
        try await app.asyncShutdown()
        throw error
    }
    if let schema { try await app.db.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
    try await app.asyncShutdown()
}

/// A browser-like client: keeps its cookies (the session's and a signed-out visitor's form cookie) and the
/// CSRF token of the last page.
final class TestClient: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]
    var csrf: String?

    /// The Cookie header this client sends; set it to replay another moment's cookies.
    var cookie: String? {
        get { cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        set {
            cookies = [:]
            for pair in (newValue ?? "").split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { cookies[parts[0]] = parts[1] }
            }
        }
    }

    init(_ app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse!
        try await app.testing().test(.GET, path, beforeRequest: { req in
            if let cookie { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
        }, afterResponse: { res in
            self.remember(res)
            result = res
        })
        return result
    }

    /// A page's text, expecting the page to be shown (200): that something is *not* on a page proves nothing
    /// when the answer is an error page.
    func page(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let response = try await get(path)
        #expect(response.status == .ok, "\(path): \(response.status)", sourceLocation: sourceLocation)
        return response.body.string
    }

    /// Posts a form with the current CSRF token (unless `csrf` is false).
    @discardableResult
    func post(_ path: String, form: [String: String], csrf withToken: Bool = true) async throws -> TestingHTTPResponse {
        if withToken && csrf == nil { try await get("/signin") }
        var fields = form
        if withToken { fields["_csrf"] = csrf }
        var result: TestingHTTPResponse!
        try await app.testing().test(.POST, path, beforeRequest: { req in
            if let cookie { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
            try req.content.encode(fields, as: .urlEncodedForm)
        }, afterResponse: { res in
            self.remember(res)
            result = res
        })
        return result
    }

    /// Sends JSON with the session cookie and the CSRF header, as the app's scripts do.
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, json: some Encodable) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse!
        try await app.testing().test(method, path, beforeRequest: { req in
            if let cookie { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
            if let csrf { req.headers.replaceOrAdd(name: "X-CSRF-Token", value: csrf) }
            try req.content.encode(json, as: .json)
        }, afterResponse: { result = $0 })
        return result
    }

    /// Sends a request without a body, with the session cookie and the CSRF header, leaving this client as it is
    /// (so many can be sent at once).
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse!
        try await app.testing().test(method, path, beforeRequest: { req in
            if let cookie { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
            if let csrf { req.headers.replaceOrAdd(name: "X-CSRF-Token", value: csrf) }
        }, afterResponse: { result = $0 })
        return result
    }

    /// Posts a multipart form with one file, as a browser's upload form does.
    @discardableResult
    func upload(_ path: String, file data: Data, field: String, fileName: String, fields: [String: String] = [:]) async throws -> TestingHTTPResponse {
        let boundary = "lodestar-test-boundary"
        var body = ""
        for (name, value) in fields.merging(["_csrf": csrf ?? ""], uniquingKeysWith: { first, _ in first }) {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        var bytes = Data(body.utf8)
        bytes.append(data)
        bytes.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return try await post(path, contentType: "multipart/form-data; boundary=\(boundary)", body: bytes)
    }

    /// Posts a form whose fields may repeat (`members[]` for each of several people), with the CSRF token.
    @discardableResult
    func post(_ path: String, lists: [(String, String)]) async throws -> TestingHTTPResponse {
        if csrf == nil { try await get("/signin") }
        let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? "" }
        let body = (lists + [("_csrf", csrf ?? "")]).map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        return try await post(path, contentType: "application/x-www-form-urlencoded", body: Data(body.utf8))
    }

    /// Posts a body exactly as given, with the session cookie: for bodies no browser would send.
    @discardableResult
    func post(_ path: String, contentType: String, body: Data) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse!
        try await app.testing().test(.POST, path, beforeRequest: { req in
            if let cookie { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
            req.headers.replaceOrAdd(name: .contentType, value: contentType)
            req.body = ByteBuffer(data: body)
        }, afterResponse: { res in
            self.remember(res)
            result = res
        })
        return result
    }

    @discardableResult
    func signIn(_ email: String, password: String = DemoDistrict.password) async throws -> TestingHTTPResponse {
        try await get("/signin")
        let response = try await post("/signin", form: ["identifier": email, "password": password])
        // Signing in rotates the CSRF token; pick up the new one as a browser following the redirect would.
        if response.status == .seeOther { try await get("/") }
        return response
    }

    private func remember(_ res: TestingHTTPResponse) {
        for name in ["lodestar_session", CSRFMiddleware.visitorCookie] {
            if let setCookie = res.headers.setCookie?[name] { cookies[name] = setCookie.string }
        }
        if let match = res.body.string.firstMatch(of: /name="_csrf" value="([^"]+)"/) {
            csrf = String(match.1)
        }
    }
}

/// The demo district's featured accounts, by role, for role-boundary tests.
struct DemoPeople {
    let district: DemoDistrict

    func email(_ role: StaffRole) -> String {
        district.accounts.first { $0.isFeatured && $0.grants.first?.role == role }!.email
    }

    var teacherEmail: String { district.accounts.first { $0.isFeatured && $0.grants.isEmpty }!.email }
    var teacherId: String { district.accounts.first { $0.isFeatured && $0.grants.isEmpty }!.sourcedId! }

    /// The rostered teacher of a class.
    func teacher(of classId: String) -> String {
        district.bundle.enrollments.first { $0.classSourcedId == classId && $0.role == "teacher" }!.userSourcedId
    }

    /// The first ten students of a class: a group the small-group rule shows.
    func students(of classId: String) -> [String] {
        Array(district.bundle.enrollments.filter { $0.classSourcedId == classId && $0.role == "student" }.map(\.userSourcedId).prefix(10))
    }

    /// Scores on CCSS 6.RP.A.1 for the ten students of each class: one in September (2026-09-10) and one in
    /// October (2026-10-08). With the most recent score as the method, 2 is below mastery and 3 at it.
    func septemberAndOctoberScores(_ classes: [(classId: String, september: Double, october: Double)]) -> [ScoreFile.Row] {
        var rows: [ScoreFile.Row] = []
        for (classId, september, october) in classes {
            for student in students(of: classId) {
                for (day, value) in [("2026-09-10", september), ("2026-10-08", october)] {
                    rows.append(ScoreFile.Row(line: rows.count + 2, assessment: "Check \(day)", date: day, classId: classId, studentId: student,
                                              standard: "CCSS.Math.Content.6.RP.A.1", value: value, columns: [:]))
                }
            }
        }
        return rows
    }
}

/// Imports the CCSS mathematics sample standards and makes the district's mastery method the most recent
/// score, so a student's standing is simply their latest score.
func loadSampleMathStandards(_ app: Application) async throws {
    let package = try CASEPackage.parse(Array(try Data(contentsOf: sharedData.appendingPathComponent("case/what-standards-could-be-ccss-math.json"))), fileName: "ccss.json")
    try await StandardsStore.save(package, subject: "Mathematics", on: app.db)
    try await MasteryStore.setMethod(.mostRecent, for: "district", on: app.db)
}

/// Runs a `lodestar` command (e.g. ["import", "case", path]) against `app`.
func runCommand(_ app: Application, _ arguments: [String]) async throws {
    var context = CommandContext(console: app.console, input: CommandInput(arguments: ["lodestar"] + arguments))
    context.application = app
    try await app.console.run(app.asyncCommands.group(), with: context)
}

/// A zip made in memory, its entries deflated: for the zip readers' tests and uploads.
func zipArchive(_ entries: [(String, Data)]) throws -> Data {
    let archive = try Archive(accessMode: .create)
    for (path, data) in entries {
        try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }
    return try #require(archive.data)
}

extension OneRosterImport {
    /// A zip held in memory (the fuzz tests' mutated zips), written to a temporary file and read as an upload is.
    static func readZip(_ data: Data, name: String, limits: ZipLimits = .upload) throws -> [String: [UInt8]] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lodestar-test-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: file) }
        try data.write(to: file)
        return try readZip(at: file, name: name, limits: limits)
    }
}
