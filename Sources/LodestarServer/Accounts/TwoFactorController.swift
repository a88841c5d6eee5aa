import Fluent
import Foundation
import LodestarCore
import Vapor

/// Two-factor sign-in: the code step after the password, and each person's own set-up page (authenticator
/// secret, confirmation, recovery codes shown once, turning it off).
struct TwoFactorController: RouteCollection {
    /// Signed-out routes: the code step of sign-in.
    func boot(routes: any RoutesBuilder) throws {
        routes.get("signin", "code", use: codePage)
        routes.post("signin", "code", use: checkCode)
    }

    /// Signed-in routes: the person's own set-up.
    func bootAccount(routes: any RoutesBuilder) throws {
        routes.get("account", "two-factor", use: setUp)
        routes.post("account", "two-factor", "confirm", use: confirm)
        routes.post("account", "two-factor", "recovery-codes", use: renewRecoveryCodes)
        routes.post("account", "two-factor", "disable", use: disable)
    }

    // MARK: The code step of sign-in

    struct CodePage: Encodable {
        let page: PageContext
        let error: String?
    }

    private func pending(_ req: Request) async throws -> (Staff, TwoFactorSecret, identifier: String)? {
        guard let staffId = req.session.data["pending_staff"], let at = req.session.data["pending_at"].flatMap(Double.init),
              Date().timeIntervalSince1970 - at < SignInPolicy.pendingSecondFactor,
              let staff = try await Staff.find(staffId, on: req.db), staff.isEnabled,
              let secret = try await TwoFactorCheck.confirmed(staffId, on: req.db) else { return nil }
        return (staff, secret, req.session.data["pending_identifier"] ?? staffId)
    }

    func codePage(req: Request) async throws -> Response {
        guard try await pending(req) != nil else { return req.redirect(to: "/signin") }
        return try await req.view.render("accounts/signin-code", CodePage(page: PageContext(request: req, title: "Sign in: code"), error: nil)).encodeResponse(for: req)
    }

    struct CodeForm: Content { var code: String }

    func checkCode(req: Request) async throws -> Response {
        guard let (staff, secret, identifier) = try await pending(req) else { return req.redirect(to: "/signin") }
        let address = req.clientAddress
        let account = SignInLimiter.codeKey(staff.id!)
        let limiter = req.signInLimiter
        func refuse(_ message: String, _ status: HTTPResponseStatus) async throws -> Response {
            let response = try await req.view.render("accounts/signin-code", CodePage(page: PageContext(request: req, title: "Sign in: code"), error: message)).encodeResponse(for: req)
            response.status = status
            return response
        }
        let blockedAddress = try await limiter.isBlocked(address: address), blockedCode = try await limiter.isBlocked(account: account)
        if blockedAddress || blockedCode {
            try await req.audit("sign-in refused: too many attempts", subject: identifier, staffId: staff.id!)
            return try await refuse("Too many sign-in attempts. Wait 15 minutes, then try again.", .tooManyRequests)
        }
        let code = try req.content.decode(CodeForm.self).code
        guard try await TwoFactorCheck.accept(code, for: secret, on: req.db) else {
            try await limiter.recordFailure(account: account, address: address)
            try await req.audit("sign-in refused: wrong two-factor code", subject: identifier, staffId: staff.id!)
            return try await refuse("That code is not right, or was already used. Type the current code from your authenticator app, or a recovery code.", .unauthorized)
        }
        try await limiter.recordSuccess(account: account)
        try await limiter.recordSuccess(account: SignInLimiter.accountKey(staff, identifier: identifier))
        try await SignInController.startSession(req, staff: staff)
        try await req.audit("signed in with password and two-factor code", subject: identifier, staffId: staff.id!)
        return req.redirect(to: "/")
    }

    // MARK: Set-up

    struct SetUpPage: Encodable {
        let page: PageContext
        let enabled: Bool
        let required: Bool
        /// While setting up: the secret in groups of four, and the address an app can read.
        let secret: String?
        let uri: String?
        let recoveryCodes: [String]
        let unusedRecoveryCodes: Int
        let notice: String?
        let error: String?
    }

    private func render(_ req: Request, codes: [String] = [], notice: String? = nil, error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let viewer = try await req.viewer()
        var record = try await TwoFactorSecret.find(viewer.id, on: req.db)
        if record == nil {
            let fresh = TwoFactorSecret()
            fresh.id = viewer.id
            fresh.secret = Base32.encode(OneTimePassword.newSecret(), padding: false)
            try await req.db.writeTransaction { db in try await fresh.create(on: db) }
            record = fresh
        }
        let enabled = record!.confirmedAt != nil
        let grouped = stride(from: 0, to: record!.secret.count, by: 4).map { start in
            String(record!.secret.dropFirst(start).prefix(4))
        }.joined(separator: " ")
        let unused = try await RecoveryCode.query(on: req.db).filter(\.$staffId == viewer.id).filter(\.$usedAt == nil).count()
        let response = try await req.view.render("accounts/two-factor", SetUpPage(
            page: PageContext(request: req, title: "Two-factor sign-in"), enabled: enabled,
            required: req.application.twoFactorRequirement.applies(to: viewer.policy),
            secret: enabled ? nil : grouped,
            uri: enabled ? nil : record!.password.provisioningURI(account: viewer.staff.email, issuer: "Lodestar"),
            recoveryCodes: codes, unusedRecoveryCodes: unused, notice: notice, error: error)).encodeResponse(for: req)
        response.status = status
        return response
    }

    func setUp(req: Request) async throws -> Response {
        try await render(req)
    }

    func confirm(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        guard let record = try await TwoFactorSecret.find(viewer.id, on: req.db), record.confirmedAt == nil else { return req.redirect(to: "/account/two-factor") }
        let code = try req.content.decode(CodeForm.self).code
        guard let step = record.password.matchingStep(of: code, at: Int(Date().timeIntervalSince1970)) else {
            return try await render(req, error: "That code does not match. Check that your phone's clock is right and type the code showing now.", status: .unprocessableEntity)
        }
        record.confirmedAt = Int(Date().timeIntervalSince1970)
        record.lastStep = Int(step)
        try await req.db.writeTransaction { db in try await record.save(on: db) }
        let codes = try await TwoFactorCheck.newRecoveryCodes(for: viewer.id, on: req.db)
        try await req.audit("turned on two-factor sign-in", subject: viewer.id)
        return try await render(req, codes: codes, notice: "Two-factor sign-in is on. Keep these recovery codes somewhere safe: each works once, and they are shown only now.")
    }

    private func requireCurrentCode(_ req: Request) async throws -> TwoFactorSecret? {
        let viewer = try await req.viewer()
        guard let record = try await TwoFactorCheck.confirmed(viewer.id, on: req.db) else { return nil }
        let code = try req.content.decode(CodeForm.self).code
        return try await TwoFactorCheck.accept(code, for: record, on: req.db) ? record : nil
    }

    func renewRecoveryCodes(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        guard try await requireCurrentCode(req) != nil else {
            return try await render(req, error: "Type a current code from your authenticator app to make new recovery codes.", status: .unprocessableEntity)
        }
        let codes = try await TwoFactorCheck.newRecoveryCodes(for: viewer.id, on: req.db)
        return try await render(req, codes: codes, notice: "New recovery codes; the old ones no longer work.")
    }

    func disable(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        guard !req.application.twoFactorRequirement.applies(to: viewer.policy) else {
            return try await render(req, error: "Your district requires two-factor sign-in for your role: it cannot be turned off.", status: .forbidden)
        }
        guard try await requireCurrentCode(req) != nil else {
            return try await render(req, error: "Type a current code from your authenticator app to turn two-factor sign-in off.", status: .unprocessableEntity)
        }
        try await TwoFactorCheck.reset(viewer.id, on: req.db)
        try await req.audit("turned off two-factor sign-in", subject: viewer.id)
        return try await render(req, notice: "Two-factor sign-in is off.")
    }
}
