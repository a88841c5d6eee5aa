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
    /// before calling `readUpload(limit:)`.
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

extension Request {
    /// Reads the upload's body, up to `limit` bytes, then checks the form's CSRF token (an upload's form
    /// carries it inside the body, so it can only be checked once the body is read). Past the limit the
    /// answer is 413 with a page that says so, and nothing more is read.
    func readUpload(limit megabytes: Int) async throws {
        let limit = megabytes * RequestLimits.megabyte
        let tooLarge = LodestarError(.tooLarge, "That file is larger than \(megabytes) MB, the most this page takes.")
        // A declared length past the limit is refused before a byte is read.
        if let declared = headers.first(name: .contentLength).flatMap(Int.init), declared > limit { throw tooLarge }
        do {
            let buffer = try await body.collect(max: limit).get()
            if (buffer?.readableBytes ?? 0) > limit { throw tooLarge }
        } catch let abort as any AbortError where abort.status == .payloadTooLarge {
            throw tooLarge
        }
        try CSRFMiddleware.check(self, presented: try? content.get(String.self, at: CSRFMiddleware.fieldName))
    }
}
