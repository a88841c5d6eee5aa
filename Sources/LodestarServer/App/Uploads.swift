import LodestarCore
import Vapor

/// How much of a request body Lodestar reads, and when. A body is read only by the route that takes it:
/// forms up to `form` (read by the CSRF check), and a file upload only by its handler, after the sign-in
/// redirect and the handler's role check, up to that route's own limit. So a request from someone who may
/// not upload costs nothing, however large it claims to be.
enum RequestLimits {
    /// A form without a file: the largest is a framework edited on its page.
    static let form = 2 * 1024 * 1024
    static let megabyte = 1024 * 1024
    /// The longest path Lodestar looks at; no page's address comes near it.
    static let path = 2_048
}

/// Refuses (414) a path longer than any of Lodestar's, before the static files look for a file of that name.
struct PathLengthMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.url.path.utf8.count <= RequestLimits.path else { throw Abort(.uriTooLong) }
        return try await next.respond(to: request)
    }
}

extension RoutesBuilder {
    /// A form that sends a file: the body is left unread for the handler, which checks who may upload
    /// before calling `withUpload(limit:file:_:)`.
    @discardableResult
    func upload(_ path: PathComponent..., use handler: @escaping @Sendable (Request) async throws -> Response) -> Route {
        let route = on(.POST, path, body: .stream, use: handler)
        route.userInfo[UploadRoute.key] = true
        return route
    }
}

enum UploadRoute {
    static let key = "lodestar.upload"

    static func takesUploads(_ request: Request) -> Bool { request.route?.userInfo[key] as? Bool == true }
}

/// A form that sent a file, as its route's handler sees it: its text fields, and the file itself in a
/// temporary file on disk (never the whole body in memory), removed when the handler is done with it.
struct UploadedForm: Sendable {
    /// The file the form sent; nil when none was chosen (an empty file part) or the body ended inside it.
    struct File: Sendable {
        let name: String
        let url: URL

        /// The file's bytes, for the formats that are parsed whole (CSV, JSON, iCalendar).
        func bytes() throws -> [UInt8] { Array(try Data(contentsOf: url)) }
    }

    let fields: [String: String]
    let file: File?
}

extension Request {
    /// Streams the upload's body to a temporary file, up to `limit` megabytes, then checks the form's CSRF
    /// token (an upload's form carries it inside the body, so it can only be checked once the body is read),
    /// then hands the form to `handle`. The temporary file is removed afterwards, whatever happens. Past the
    /// limit the answer is 413 with a page that says so, and nothing more is read.
    func withUpload<T>(limit megabytes: Int, file fileField: String, _ handle: (UploadedForm) async throws -> T) async throws -> T {
        guard headers.contentType?.type == "multipart" else {
            // Not a file upload: a form without a file, whose token the CSRF check has already read (only
            // multipart bodies are left to this function), within the limit of a form.
            return try await handle(UploadedForm(fields: (try? content.decode([String: String].self)) ?? [:], file: nil))
        }
        let limit = megabytes * RequestLimits.megabyte
        let tooLarge = LodestarError(.tooLarge, "That file is larger than \(megabytes) MB, the most this page takes.")
        // A declared length past the limit is refused before a byte is read.
        if let declared = headers.first(name: .contentLength).flatMap(Int.init), declared > limit { throw tooLarge }
        let reader = MultipartUpload(fileField: fileField, boundary: headers.contentType?.parameters["boundary"])
        defer { reader.removeFile() }
        var received = 0
        do {
            for try await chunk in body {
                received += chunk.readableBytes
                guard received <= limit else { throw tooLarge }
                guard reader.read(chunk) else { break }
            }
        } catch let abort as any AbortError where abort.status == .payloadTooLarge {
            throw tooLarge
        }
        let form = try reader.finish()
        try CSRFMiddleware.check(self, presented: headers.first(name: "X-CSRF-Token") ?? form.fields[CSRFMiddleware.fieldName])
        return try await handle(form)
    }
}

/// Reads a `multipart/form-data` body as it arrives: the named file part goes straight to a temporary file,
/// other parts are kept as short text fields. A body that is not such a form reads as a form with no fields
/// (so its CSRF check fails); one with more or longer fields than any of Lodestar's forms is refused.
private final class MultipartUpload {
    static let maxFields = 20
    static let maxFieldBytes = 4_096

    private let fileField: String
    private let parser: MultipartParser?
    private var partHeaders = HTTPHeaders()
    private var part: Part = .headers
    private var fields: [String: String] = [:]
    private var fieldBytes: [UInt8] = []
    private var file: (name: String, url: URL, handle: FileHandle)?
    private var fileSize = 0
    private var fileComplete = false
    private var failure: (any Error)?

    private enum Part { case headers, field(String), file, ignored }

    init(fileField: String, boundary: String?) {
        self.fileField = fileField
        // MultipartKit traps on an empty boundary: such a body is simply not a form.
        if let boundary, !boundary.isEmpty, boundary.utf8.count <= 70 {
            parser = MultipartParser(boundary: boundary)
        } else {
            parser = nil
        }
        parser?.onHeader = { [unowned self] name, value in partHeaders.add(name: name, value: value) }
        parser?.onBody = { [unowned self] buffer in body(&buffer) }
        parser?.onPartComplete = { [unowned self] in partComplete() }
    }

    /// Feeds one chunk of the body; false once the body cannot be a form of ours (stop reading).
    func read(_ chunk: ByteBuffer) -> Bool {
        guard let parser, failure == nil else { return false }
        do { try parser.execute(chunk) } catch { failure = error }
        return failure == nil
    }

    func finish() throws -> UploadedForm {
        try? file?.handle.close()
        if let refusal = failure as? LodestarError { throw refusal }
        guard failure == nil, let file, fileComplete, fileSize > 0 else { return UploadedForm(fields: fields, file: nil) }
        return UploadedForm(fields: fields, file: .init(name: file.name, url: file.url))
    }

    func removeFile() {
        guard let file else { return }
        try? file.handle.close()
        try? FileManager.default.removeItem(at: file.url)
    }

    private func begin() {
        let disposition = partHeaders.contentDisposition
        guard let name = disposition?.name else { part = .ignored; return }
        if name == fileField, let fileName = disposition?.filename {
            guard file == nil else { return refuse("The form sent two files; choose one file and upload again.") }
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("lodestar-upload-\(UUID().uuidString)")
            guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = FileHandle(forWritingAtPath: url.path) else {
                failure = LodestarError(.invalidInput, "The upload could not be stored for reading; try again.")
                return
            }
            file = (fileName, url, handle)
            part = .file
        } else {
            guard fields.count < Self.maxFields else { return refuse("The form sent more fields than any of Lodestar's forms has.") }
            part = .field(name)
        }
    }

    private func body(_ buffer: inout ByteBuffer) {
        if case .headers = part { begin() }
        guard failure == nil else { return }
        switch part {
        case .file:
            fileSize += buffer.readableBytes
            do { try file?.handle.write(contentsOf: buffer.readableBytesView) } catch { failure = error }
        case .field:
            guard fieldBytes.count + buffer.readableBytes <= Self.maxFieldBytes else { return refuse("A field of the form is longer than any of Lodestar's forms takes.") }
            fieldBytes.append(contentsOf: buffer.readableBytesView)
        case .headers, .ignored:
            break
        }
    }

    private func partComplete() {
        if case .headers = part { begin() }
        switch part {
        case .file: fileComplete = true
        case .field(let name): fields[name] = String(decoding: fieldBytes, as: UTF8.self)
        case .headers, .ignored: break
        }
        part = .headers
        partHeaders = HTTPHeaders()
        fieldBytes = []
    }

    private func refuse(_ message: String) {
        failure = LodestarError(.invalidInput, message)
        part = .ignored
    }
}
