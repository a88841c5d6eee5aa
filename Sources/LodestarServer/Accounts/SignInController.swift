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
        struct Provider: Encodable { let id: String; let label: String }
        let page: PageContext
        let identifier: String
        let error: String?
        /// A button for each district provider (`LODESTAR_SSO_…`).
        let providers: [Provider]
        /// Only the break-glass administrator signs in with a password.
        let passwordsForBreakGlassOnly: Bool
    }

    struct SignInForm: Content {
        var identifier: String
        var password: String
    }

    func show(req: Request) async throws -> Response {
        if req.auth.has(Staff.self) { return req.redirect(to: "/") }
        return try await Self.render(req, identifier: "", error: nil)
    }

    func signIn(req: Request) async throws -> Response {
        let form = try req.content.decode(SignInForm.self)
        let identifier = form.identifier.trimmingCharacters(in: .whitespaces).lowercased()
        guard identifier.count <= SignInPolicy.identifierLength else {
            let response = try await Self.render(req, identifier: "", error: "That is longer than any email address. Type the email you sign in with.")
            response.status = .unprocessableEntity
            return response
        }
        let address = req.clientAddress
        let limiter = req.signInLimiter
        func tooMany(_ staffId: String?) async throws -> Response {
            try await req.audit("sign-in refused: too many attempts", subject: identifier, staffId: staffId)
            let response = try await Self.render(req, identifier: identifier,
                                            error: "Too many sign-in attempts. Wait 15 minutes, then try again, or ask your district admin to reset your password.")
            response.status = .tooManyRequests
            return response
        }
        if try await limiter.isBlocked(address: address) { return try await tooMany(nil) }
        let staff = identifier.isEmpty ? nil : try await Staff.query(on: req.db)
            .group(.or) { $0.filter(\.$email == identifier).filter(\.$username == identifier) }
            .filter(\.$isEnabled == true)
            .first()
        let account = SignInLimiter.accountKey(staff, identifier: identifier)
        let failures = try await limiter.failures(account: account), locked = failures.isBlocked
        let hasSecondFactor = if let staff { try await TwoFactorCheck.confirmed(staff.id!, on: req.db) != nil } else { false }
        // A locked account without a second factor is not even checked; with one, the right password still
        // leads to the code step (so a colleague who knows the email cannot keep its owner out).
        if locked, !hasSecondFactor { return try await tooMany(staff?.id) }
        try await Task.sleep(for: failures.delay)
        guard let staff, let hash = staff.passwordHash, try await req.password.async.verify(form.password, created: hash) else {
            try await limiter.recordFailure(account: account, address: address)
            if locked { return try await tooMany(staff?.id) }
            try await req.audit("sign-in refused: wrong email or password", subject: identifier, staffId: staff?.id)
            let response = try await Self.render(req, identifier: identifier, error: "That email and password do not match an account.")
            response.status = .unauthorized
            return response
        }
        // Checked after the password, so the answer says nothing about an account to someone who does not know it.
        let settings = req.application.signInSettings
        guard try await Viewer.policy(of: staff.id!, on: req.db).maySignInWithPassword(
            passwordsForBreakGlassOnly: settings.passwordsForBreakGlassOnly, accountMadeInLodestar: staff.source == "local") else {
            try await req.audit("sign-in refused: passwords are off", subject: identifier, staffId: staff.id)
            let response = try await Self.render(req, identifier: identifier,
                                                 error: "This district signs in with its own accounts: use the button below, not a Lodestar password.")
            response.status = .forbidden
            return response
        }
        if hasSecondFactor {
            // The password was right; the code from the authenticator comes next (within five minutes).
            return Self.askForCode(req, staff: staff, identifier: identifier)
        }
        try await limiter.recordSuccess(account: account)
        try await Self.startSession(req, staff: staff)
        try await req.audit("signed in", subject: identifier, staffId: staff.id!)
        return req.redirect(to: "/")
    }

    /// The first factor is right; the code from the authenticator comes next (within five minutes).
    static func askForCode(_ req: Request, staff: Staff, identifier: String) -> Response {
        req.session.data["pending_staff"] = staff.id!
        req.session.data["pending_identifier"] = identifier
        req.session.data["pending_at"] = String(Date().timeIntervalSince1970)
        return req.redirect(to: "/signin/code")
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

    static func render(_ req: Request, identifier: String, error: String?) async throws -> Response {
        let context = SignInPage(page: PageContext(request: req, title: "Sign in"), identifier: identifier, error: error,
                                 providers: req.application.identityProviders.map { .init(id: $0.id, label: $0.label) },
                                 passwordsForBreakGlassOnly: req.application.signInSettings.passwordsForBreakGlassOnly)
        return try await req.view.render("accounts/signin", context).encodeResponse(for: req)
    }
}
