import Fluent
import Foundation
import LodestarCore
import Vapor

/// Sign-in through the district's own accounts (OpenID Connect authorization-code flow with PKCE,
/// `state` and `nonce`). The person is the staff account with the verified email; nobody is created.
/// A refusal says why on the sign-in page and goes in the audit trail.
struct SingleSignOnController: RouteCollection {
    /// How long a started sign-in may take at the provider.
    static let pendingLifetime: TimeInterval = 600

    func boot(routes: any RoutesBuilder) throws {
        routes.get("signin", "sso", ":provider", use: start)
        routes.get("signin", "sso", ":provider", "callback", use: callback)
    }

    private func provider(_ req: Request) throws -> IdentityProvider {
        let id = try req.parameters.require("provider")
        guard let provider = req.application.identityProviders.first(where: { $0.id == id }) else { throw LodestarError.notFound }
        return provider
    }

    /// Where the provider sends the browser back: `LODESTAR_PUBLIC_URL` when set (what the provider has
    /// registered), else this request's own address.
    static func redirectURI(_ req: Request, provider: IdentityProvider) -> String {
        "\(req.publicBase)/signin/sso/\(provider.id)/callback"
    }

    func start(req: Request) async throws -> Response {
        let provider = try provider(req)
        let discovery: IdentityProviderKeys.Discovery
        do { discovery = try await req.application.identityProviderKeys.discovery(of: provider, client: req.client) } catch {
            return try await refuse(req, error, provider: provider, email: nil)
        }
        let state = PKCE.randomToken(), nonce = PKCE.randomToken(), verifier = PKCE.randomToken()
        let redirect = Self.redirectURI(req, provider: provider)
        req.session.data["sso_provider"] = provider.id
        req.session.data["sso_state"] = state
        req.session.data["sso_nonce"] = nonce
        req.session.data["sso_verifier"] = verifier
        req.session.data["sso_redirect"] = redirect
        req.session.data["sso_at"] = String(Date().timeIntervalSince1970)
        var query = [("response_type", "code"), ("client_id", provider.clientId), ("redirect_uri", redirect), ("scope", "openid email profile"),
                     ("state", state), ("nonce", nonce), ("code_challenge", PKCE.challenge(for: verifier)), ("code_challenge_method", "S256")]
        if let domain = provider.hostedDomain { query.append(("hd", domain)) }
        var components = URLComponents(string: discovery.authorizationEndpoint)
        let existing = components?.queryItems ?? []
        components?.queryItems = existing + query.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let url = components?.url?.absoluteString else {
            return try await refuse(req, IdentityRefusal.providerError("its sign-in address is not a web address."), provider: provider, email: nil)
        }
        return req.redirect(to: url)
    }

    func callback(req: Request) async throws -> Response {
        let provider = try provider(req)
        // The started sign-in is used once: taken out of the session before anything else.
        let pending = ["sso_provider", "sso_state", "sso_nonce", "sso_verifier", "sso_redirect", "sso_at"].map { key in
            defer { req.session.data[key] = nil }
            return req.session.data[key]
        }
        do {
            let matches = pending[0] == provider.id && pending[5].flatMap(Double.init).map { Date().timeIntervalSince1970 - $0 < Self.pendingLifetime } == true
                && pending[1].flatMap { state in req.query[String.self, at: "state"].map { IdentityRules.constantTimeEqual($0, state) } } == true
            // An error signs nobody in, so it is shown even when the provider left out the state (some do);
            // its free text only when the state matches, so a crafted link cannot put words on this page.
            if let error = req.query[String.self, at: "error"] {
                let description = matches ? req.query[String.self, at: "error_description"] ?? error : Self.errorWords(error)
                throw IdentityRefusal.providerError(String(description.prefix(300)))
            }
            guard matches, let nonce = pending[2], let verifier = pending[3], let redirect = pending[4] else { throw IdentityRefusal.stateMismatch }
            guard let code = req.query[String.self, at: "code"], !code.isEmpty, code.count <= 4_096 else {
                throw IdentityRefusal.providerError("it sent no sign-in code back.")
            }
            let token = try await exchange(code, verifier: verifier, redirect: redirect, provider: provider, req: req)
            let claims = try await req.application.identityProviderKeys.verify(token, of: provider, client: req.client)
            let email = try IdentityRules(provider: provider).check(claims, nonce: nonce, now: Date())
            guard let staff = try await Staff.query(on: req.db).filter(\.$email == email).first() else { throw IdentityRefusal.unknownPerson(email) }
            guard staff.isEnabled else { throw IdentityRefusal.accountDisabled }
            return try await signIn(req, staff: staff, email: email, provider: provider)
        } catch let refusal as IdentityRefusal {
            return try await refuse(req, refusal, provider: provider, email: nil)
        }
    }

    /// The token request (RFC 6749 §4.1.3 with the PKCE verifier), authenticating Lodestar with HTTP Basic
    /// unless the provider only lists `client_secret_post`.
    private func exchange(_ code: String, verifier: String, redirect: String, provider: IdentityProvider, req: Request) async throws -> String {
        let keys = req.application.identityProviderKeys
        let discovery = try await keys.discovery(of: provider, client: req.client)
        let methods = discovery.tokenEndpointAuthMethodsSupported ?? ["client_secret_basic"]
        let basic = methods.contains("client_secret_basic") || !methods.contains("client_secret_post")
        struct TokenResponse: Decodable { var idToken: String?; var error: String?; var errorDescription: String?
            enum CodingKeys: String, CodingKey { case idToken = "id_token", error, errorDescription = "error_description" } }
        let response: ClientResponse
        do {
            response = try await req.client.post(URI(string: discovery.tokenEndpoint)) { request in
                request.timeout = keys.timeout
                var form = ["grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "code_verifier": verifier]
                if basic {
                    // RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined.
                    let pair = "\(Self.formEncoded(provider.clientId)):\(Self.formEncoded(provider.clientSecret))"
                    request.headers.replaceOrAdd(name: .authorization, value: "Basic " + Data(pair.utf8).base64EncodedString())
                } else {
                    form["client_id"] = provider.clientId
                    form["client_secret"] = provider.clientSecret
                }
                try request.content.encode(form, as: .urlEncodedForm)
            }
        } catch {
            throw IdentityRefusal.providerError("Lodestar could not reach it to finish signing in.")
        }
        let body = try? response.content.decode(TokenResponse.self, using: JSONDecoder())
        guard response.status == .ok, let token = body?.idToken else {
            let reason = body?.errorDescription ?? body?.error ?? "HTTP \(response.status.code)"
            throw IdentityRefusal.providerError("it refused to finish signing in (\(reason.prefix(200))).")
        }
        return token
    }

    /// The standard error codes of RFC 6749 §4.1.2.1 and OpenID Connect Core §3.1.2.6, in words.
    static func errorWords(_ code: String) -> String {
        switch code {
        case "access_denied": "you or the provider said no."
        case "login_required", "interaction_required", "consent_required": "it needs you to sign in there first."
        case "temporarily_unavailable", "server_error": "it is not available right now. Try again in a few minutes."
        default: "it answered with an error (\(code.prefix(40).filter { $0.isLetter || $0 == "_" }))."
        }
    }

    static func formEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// Signs the person in exactly as the password does: a new session id, and the code step when the
    /// district asks Lodestar's own second factor as well (`LODESTAR_SSO_TWO_FACTOR=lodestar`).
    private func signIn(_ req: Request, staff: Staff, email: String, provider: IdentityProvider) async throws -> Response {
        if req.application.signInSettings.asksLodestarCode, try await TwoFactorCheck.confirmed(staff.id!, on: req.db) != nil {
            return SignInController.askForCode(req, staff: staff, identifier: email)
        }
        try await SignInController.startSession(req, staff: staff)
        if !req.application.signInSettings.asksLodestarCode { req.session.data["second_factor_by"] = provider.id }
        try await req.audit("signed in with \(provider.label)", subject: email, staffId: staff.id!)
        return req.redirect(to: "/")
    }

    private func refuse(_ req: Request, _ error: any Error, provider: IdentityProvider, email: String?) async throws -> Response {
        let refusal = error as? IdentityRefusal ?? .providerError("an unexpected answer.")
        var subject = provider.id
        if case .unknownPerson(let email) = refusal { subject = email }
        try await req.audit("sign-in refused: \(refusal.auditLabel) (\(provider.label))", subject: String(subject.prefix(200)))
        let response = try await SignInController.render(req, identifier: "", error: refusal.sentence)
        response.status = .unauthorized
        return response
    }
}

/// The district's choices about signing in once it has a provider.
struct SignInSettings: Sendable {
    /// For people who sign in through a provider: also ask Lodestar's code of everyone who has set one up
    /// (`LODESTAR_SSO_TWO_FACTOR=lodestar`), instead of trusting the provider's own second factor.
    var asksLodestarCode = false
    /// Passwords only for the break-glass administrator (`LODESTAR_PASSWORD_SIGNIN=break-glass`): everyone
    /// else signs in through the district's provider.
    var passwordsForBreakGlassOnly = false

    static func fromEnvironment() -> SignInSettings {
        SignInSettings(asksLodestarCode: Environment.get("LODESTAR_SSO_TWO_FACTOR") == "lodestar",
                       passwordsForBreakGlassOnly: Environment.get("LODESTAR_PASSWORD_SIGNIN") == "break-glass")
    }
}

struct SignInSettingsKey: StorageKey { typealias Value = SignInSettings }

extension Application {
    var signInSettings: SignInSettings {
        get { storage[SignInSettingsKey.self] ?? SignInSettings() }
        set { storage[SignInSettingsKey.self] = newValue }
    }
}
