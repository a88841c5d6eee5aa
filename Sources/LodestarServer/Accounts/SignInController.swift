import Fluent
import LodestarCore
import Vapor

/// Sign in and sign out. Sign-in regenerates the session id (no session fixation), rotates the
/// CSRF token, and is rate-limited per account and per address.
struct SignInController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("signin", use: show)
        routes.post("signin", use: signIn)
        routes.post("signout", use: signOut)
    }

    struct SignInPage: Encodable {
        let page: PageContext
        let identifier: String
        let error: String?
    }

    struct SignInForm: Content {
        var identifier: String
        var password: String
    }

    func show(req: Request) async throws -> Response {
        if req.auth.has(Staff.self) { return req.redirect(to: "/") }
        return try await render(req, identifier: "", error: nil)
    }

    func signIn(req: Request) async throws -> Response {
        let form = try req.content.decode(SignInForm.self)
        let identifier = form.identifier.trimmingCharacters(in: .whitespaces).lowercased()
        let address = req.remoteAddress?.ipAddress ?? "unknown"
        let limiter = req.application.signInLimiter
        if await limiter.isBlocked(account: identifier, address: address) {
            try await req.audit("sign-in refused: too many attempts", subject: identifier)
            let response = try await render(req, identifier: identifier,
                                            error: "Too many sign-in attempts. Wait 15 minutes, then try again, or ask your district admin to reset your password.")
            response.status = .tooManyRequests
            return response
        }
        let staff = try await Staff.query(on: req.db)
            .group(.or) { $0.filter(\.$email == identifier).filter(\.$username == identifier) }
            .filter(\.$isEnabled == true)
            .first()
        guard let staff, let hash = staff.passwordHash, !identifier.isEmpty,
              try await req.password.async.verify(form.password, created: hash) else {
            await limiter.recordFailure(account: identifier, address: address)
            try await req.audit("sign-in refused: wrong email or password", subject: identifier, staffId: staff?.id)
            let response = try await render(req, identifier: identifier, error: "That email and password do not match an account.")
            response.status = .unauthorized
            return response
        }
        if try await TwoFactorCheck.confirmed(staff.id!, on: req.db) != nil {
            // The password was right; the code from the authenticator comes next (within five minutes).
            req.session.data["pending_staff"] = staff.id!
            req.session.data["pending_identifier"] = identifier
            req.session.data["pending_at"] = String(Date().timeIntervalSince1970)
            return req.redirect(to: "/signin/code")
        }
        await limiter.recordSuccess(account: identifier)
        try await Self.startSession(req, staff: staff)
        try await req.audit("signed in", subject: identifier, staffId: staff.id!)
        return req.redirect(to: "/")
    }

    /// Signs `staff` in on a new session id (no session fixation) with a new CSRF token.
    static func startSession(_ req: Request, staff: Staff) async throws {
        if let oldId = req.session.id {
            try await req.application.sessions.driver.deleteSession(oldId, for: req).get()
        }
        req.session.id = nil
        req.session.data = SessionData()
        req.session.data["signed_in_at"] = String(Date().timeIntervalSince1970)
        req.auth.login(staff)
    }

    func signOut(req: Request) async throws -> Response {
        if let staff = req.auth.get(Staff.self) { try await req.audit("signed out", subject: staff.id!) }
        req.auth.logout(Staff.self)
        req.session.destroy()
        return req.redirect(to: "/signin")
    }

    private func render(_ req: Request, identifier: String, error: String?) async throws -> Response {
        let context = SignInPage(page: PageContext(request: req, title: "Sign in"), identifier: identifier, error: error)
        return try await req.view.render("accounts/signin", context).encodeResponse(for: req)
    }
}
