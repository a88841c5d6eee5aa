import Crypto
import LodestarCore
import Vapor

/// Rejects a state-changing request (POST, PUT, PATCH, DELETE) unless it carries the CSRF token, in the
/// form field `_csrf` or the `X-CSRF-Token` header. Vapor has no CSRF protection of its own; SameSite
/// cookies help but are not enough on older browsers.
///
/// A signed-in person's token lives in their session. A visitor who is not signed in (the sign-in page)
/// gets theirs in a cookie of its own, compared with the form's copy (double submit), so showing the
/// sign-in page stores nothing on the server: anonymous traffic cannot fill the sessions table.
struct CSRFMiddleware: AsyncMiddleware {
    static let sessionKey = "csrf"
    static let fieldName = "_csrf"
    static let visitorCookie = "lodestar_form"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // A one-click unsubscribe (RFC 8058) is posted by a mail client, with no page before it: the secret
        // token in its address is what proves it came from the email.
        if [.POST, .PUT, .PATCH, .DELETE].contains(request.method), !request.url.path.hasPrefix(NotificationsController.unsubscribePath) {
            var presented = request.headers.first(name: "X-CSRF-Token")
            if presented == nil, request.headers.contentType?.type == "multipart" {
                // A file upload: its route's handler reads the body after its role check, then checks the token
                // (`withUpload`). Nothing else may send a multipart body.
                guard UploadRoute.takesUploads(request) else { throw Self.expired }
                return try await withVisitorCookie(request, next.respond(to: request))
            }
            if presented == nil {
                _ = try await request.body.collect(max: RequestLimits.form).get()
                presented = try? request.content.get(String.self, at: Self.fieldName)
            }
            try Self.check(request, presented: presented)
        }
        return try await withVisitorCookie(request, next.respond(to: request))
    }

    static let expired = LodestarError(.forbidden, "This form has expired. Go back, reload the page and try again.")

    /// The token presented must be the session's, or for a visitor not signed in, their cookie's.
    static func check(_ request: Request, presented: String?) throws {
        guard let expected = request.existingSessionCSRFToken ?? request.cookies[visitorCookie]?.string, let presented, constantTimeEqual(expected, presented) else {
            throw expired
        }
    }

    private func withVisitorCookie(_ request: Request, _ response: Response) -> Response {
        if let token = request.storage[VisitorToken.self] {
            response.cookies[Self.visitorCookie] = HTTPCookies.Value(string: token, maxAge: Int(SignInPolicy.sessionLifetime), path: "/",
                                                                    isSecure: Cookies.secure, isHTTPOnly: true, sameSite: .strict)
        }
        return response
    }

    struct VisitorToken: StorageKey { typealias Value = String }
}

extension Request {
    /// The CSRF token every form renders in a hidden `_csrf` field: the session's when there is one to keep
    /// (signed in, or half-way through sign-in), otherwise the visitor cookie's, created on first use.
    var csrfToken: String {
        if let token = existingSessionCSRFToken { return token }
        if auth.has(Staff.self) || (hasSession && !session.data.snapshot.isEmpty) {
            let token = Self.newToken()
            session.data[CSRFMiddleware.sessionKey] = token
            return token
        }
        if let token = storage[CSRFMiddleware.VisitorToken.self] { return token }
        if let token = cookies[CSRFMiddleware.visitorCookie]?.string, token.count == 44 { return token }
        let token = Self.newToken()
        storage[CSRFMiddleware.VisitorToken.self] = token
        return token
    }

    /// The session's token if a session with one came with the request; never creates a session (error pages
    /// may be rendered where no sessions middleware ran).
    var existingSessionCSRFToken: String? {
        hasSession ? session.data[CSRFMiddleware.sessionKey] : nil
    }

    private static func newToken() -> String { [UInt8].random(count: 32).base64String() }
}
