import Crypto
import LodestarCore
import Vapor

/// Rejects a state-changing request (POST, PUT, PATCH, DELETE) unless it carries the session's
/// CSRF token, in the form field `_csrf` or the `X-CSRF-Token` header. Vapor has no CSRF
/// protection of its own; SameSite cookies help but are not enough on older browsers.
struct CSRFMiddleware: AsyncMiddleware {
    static let sessionKey = "csrf"
    static let fieldName = "_csrf"
    /// Large enough for a district's roster zip; everything else is small.
    static let maxUploadSize = 512 * 1024 * 1024

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard [.POST, .PUT, .PATCH, .DELETE].contains(request.method) else {
            return try await next.respond(to: request)
        }
        let expected = request.session.data[Self.sessionKey]
        var presented = request.headers.first(name: "X-CSRF-Token")
        if presented == nil {
            let isUpload = request.headers.contentType?.type == "multipart"
            _ = try await request.body.collect(max: isUpload ? Self.maxUploadSize : 1024 * 1024).get()
            presented = try? request.content.get(String.self, at: Self.fieldName)
        }
        guard let expected, let presented, constantTimeEqual(expected, presented) else {
            throw LodestarError(.forbidden, "This form has expired. Go back, reload the page and try again.")
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// The session's CSRF token, created on first use. Every form renders it in a hidden `_csrf` field.
    var csrfToken: String {
        if let token = session.data[CSRFMiddleware.sessionKey] { return token }
        let token = [UInt8].random(count: 32).base64String()
        session.data[CSRFMiddleware.sessionKey] = token
        return token
    }
}
