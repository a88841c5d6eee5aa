import Crypto
import Fluent
import Foundation
import JWTKit
import LodestarCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LodestarServer

/// An OpenID Connect provider on loopback, made for these tests: discovery, keys and a token endpoint that
/// checks the client's secret and the PKCE verifier, then hands back whatever ID token the test signs.
final class TestIdentityProvider: @unchecked Sendable {
    let app: Application
    private let state = NIOLockedValueBox<(jwks: [[String: String]], challenge: String?, token: (@Sendable (String) async throws -> String)?, keyFetches: Int, nonce: String?)>(
        ([], nil, nil, 0, nil))

    static let clientId = "lodestar-test"
    static let secret = "s3cret:with/odd&chars"

    static func start() async throws -> TestIdentityProvider {
        // A provider is another machine: it answers on a thread of its own, not behind the hundred test applications
        // that share the suite's event loops (a loaded run kept it from answering within Lodestar's ten seconds).
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let app = try await Application.make(.testing, .shared(group))
        let provider = TestIdentityProvider(app: app, group: group)
        try provider.routes()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        provider.issuerBox.withLockedValue { $0 = "http://127.0.0.1:\(port)" }
        return provider
    }

    private let issuerBox = NIOLockedValueBox("")

    private let group: MultiThreadedEventLoopGroup

    private init(app: Application, group: MultiThreadedEventLoopGroup) {
        self.app = app
        self.group = group
    }

    /// Starts a provider and configures `lodestar` with it as "district" ("Cedar Valley"); it stops when
    /// `lodestar` shuts down.
    static func start(serving lodestar: Application, hostedDomain: String? = nil, refreshGap: TimeInterval = 30) async throws -> TestIdentityProvider {
        let provider = try await start()
        lodestar.lifecycle.use(Stopper(provider: provider))
        lodestar.identityProviders = [IdentityProvider(id: "district", label: "Cedar Valley", issuer: provider.address, clientId: clientId,
                                                       clientSecret: secret, hostedDomain: hostedDomain)]
        // The suite runs some three hundred tests at once on two cores: a provider answering on its own thread
        // still took over the ten seconds a district's provider is given (a clean-clone run refused two sign-ins).
        lodestar.storage[IdentityProviderKeysKey.self] = IdentityProviderKeys(refreshGap: refreshGap, timeout: .seconds(60))
        return provider
    }

    private struct Stopper: LifecycleHandler {
        let provider: TestIdentityProvider
        func shutdownAsync(_ application: Application) async { try? await provider.stop() }
    }

    var address: String { issuerBox.withLockedValue { $0 } }
    var keyFetches: Int { state.withLockedValue { $0.keyFetches } }

    /// Publishes these public keys (JWK fields) at the keys address.
    func publish(_ keys: [[String: String]]) { state.withLockedValue { $0.jwks = keys } }

    /// The ID token the next token request gets, made from the nonce the sign-in sent.
    func answer(_ make: @escaping @Sendable (String) async throws -> String) { state.withLockedValue { $0.token = make } }

    /// What the authorization request carried (read by the test from Lodestar's redirect).
    func authorized(challenge: String, nonce: String) { state.withLockedValue { $0.challenge = challenge; $0.nonce = nonce } }

    private func routes() throws {
        app.get(".well-known", "openid-configuration") { [unowned self] _ -> Response in
            let base = self.address
            return try Self.json(["issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
                                  "jwks_uri": base + "/jwks", "token_endpoint_auth_methods_supported": ["client_secret_basic"]] as [String: Any])
        }
        app.get("jwks") { [unowned self] _ -> Response in
            let keys = self.state.withLockedValue { $0.keyFetches += 1; return $0.jwks }
            return try Self.json(["keys": keys])
        }
        app.post("token") { [unowned self] req -> Response in
            struct Form: Content { var grant_type: String; var code: String; var redirect_uri: String; var code_verifier: String }
            let form = try req.content.decode(Form.self)
            let expected = "Basic " + Data("\(SingleSignOnController.formEncoded(Self.clientId)):\(SingleSignOnController.formEncoded(Self.secret))".utf8).base64EncodedString()
            let (challenge, nonce, make) = self.state.withLockedValue { ($0.challenge, $0.nonce, $0.token) }
            guard req.headers.first(name: .authorization) == expected, form.grant_type == "authorization_code", form.code == "the-code",
                  PKCE.challenge(for: form.code_verifier) == challenge, let nonce, let make else {
                return try Self.json(["error": "invalid_grant", "error_description": "the code, client or verifier is wrong"], status: .badRequest)
            }
            return try Self.json(["id_token": try await make(nonce), "token_type": "Bearer", "access_token": "unused"])
        }
    }

    private static func json(_ object: Any, status: HTTPResponseStatus = .ok) throws -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: .init(data: try JSONSerialization.data(withJSONObject: object)))
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
        try await group.shutdownGracefully()
    }
}

/// A signing key made in the test, with its public half as a JWK.
struct TestSigningKey {
    let kid: String
    let key: ES256PrivateKey

    init(kid: String) throws {
        self.kid = kid
        key = try ES256PrivateKey(backing: P256.Signing.PrivateKey())
    }

    var jwk: [String: String] {
        let (x, y) = key.parameters!
        return ["kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": kid, "alg": "ES256", "use": "sig"]
    }

    func sign(_ claims: IdentityClaims) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }
}

@Suite("Signing in with the district's provider")
struct SingleSignOnTests {
    /// Runs `test` with Lodestar (small demo district) and a provider on loopback configured as "district".
    func withProvider(hostedDomain: String? = nil, refreshGap: TimeInterval = 30,
                      _ test: (Application, TestIdentityProvider, DemoPeople) async throws -> Void) async throws {
        try await withLodestar(.sqlite) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let provider = try await TestIdentityProvider.start(serving: app, hostedDomain: hostedDomain, refreshGap: refreshGap)
            try await test(app, provider, DemoPeople(district: district))
        }
    }

    /// Starts a sign-in as a browser would and returns the callback's response, the provider answering with
    /// the token `make` signs for the nonce Lodestar sent.
    func signIn(_ client: TestClient, _ provider: TestIdentityProvider, state override: String? = nil,
                token make: @escaping @Sendable (String) async throws -> String) async throws -> (TestingHTTPResponse, state: String) {
        let start = try await client.get("/signin/sso/district")
        #expect(start.status == .seeOther)
        let location = try #require(start.headers.first(name: .location))
        let query = Dictionary(uniqueKeysWithValues: (URLComponents(string: location)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(location.hasPrefix(provider.address + "/authorize?"))
        #expect(query["response_type"] == "code" && query["client_id"] == TestIdentityProvider.clientId && query["code_challenge_method"] == "S256")
        #expect(query["scope"]?.split(separator: " ").contains("openid") == true)
        let state = try #require(query["state"]), nonce = try #require(query["nonce"]), challenge = try #require(query["code_challenge"])
        #expect(state.count >= 43 && nonce.count >= 43 && state != nonce)
        provider.authorized(challenge: challenge, nonce: nonce)
        provider.answer(make)
        // The hourly purge of sessions may run while the person is at the provider: a sign-in under way stays.
        _ = try await SessionPurge.run(on: client.app.db)
        let callback = try await client.get("/signin/sso/district/callback?code=the-code&state=\(override ?? state)")
        return (callback, state)
    }

    func claims(_ provider: TestIdentityProvider, email: String, nonce: String, audience: [String] = [TestIdentityProvider.clientId],
                issuer: String? = nil, expires: Double = 300, issued: Double = 0, verified: Bool? = true, hd: String? = nil) -> IdentityClaims {
        let now = Date().timeIntervalSince1970
        return IdentityClaims(iss: issuer ?? provider.address, sub: "subject-\(email)", aud: audience, exp: now + expires, iat: now + issued,
                              nonce: nonce, email: email, emailVerified: verified, hd: hd)
    }

    /// The subjects of the audit entries with this action, in order.
    func audited(_ app: Application, _ action: String) async throws -> [String] {
        try await app.db.sql.raw("SELECT subject FROM audit_events WHERE action = \(bind: action) ORDER BY at, id").all()
            .map { try $0.decode(column: "subject", as: String.self) }
    }

    @Test func aRosteredPersonSignsInByVerifiedEmail() async throws {
        try await withProvider { app, provider, people in
            let key = try TestSigningKey(kid: "k1")
            provider.publish([key.jwk])
            let principal = people.email(.principal)
            let client = TestClient(app)
            let signInPage = try await client.page("/signin")
            #expect(signInPage.contains("href=\"/signin/sso/district\"") && signInPage.contains("Sign in with Cedar Valley"))
            // The provider may send the address in any case and with spaces; it is matched as stored.
            let (response, _) = try await signIn(client, provider) { nonce in
                try await key.sign(claims(provider, email: "  " + principal.uppercased(), nonce: nonce))
            }
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/")
            #expect(response.headers.setCookie?["lodestar_session"] != nil)
            #expect(try await client.get("/").status == .ok)
            #expect(try await audited(app, "signed in with Cedar Valley") == [principal])
            // The started sign-in was used once: the same state again is refused.
            let replay = try await client.get("/signin/sso/district/callback?code=the-code&state=anything")
            #expect(replay.status == .unauthorized)
        }
    }

    /// Each refusal says why on the sign-in page and in the audit trail, and signs nobody in.
    @Test func everyRefusalSaysWhyAndSignsNobodyIn() async throws {
        // A gap longer than any run of this test, however loaded the machine: one reading of the keys serves all.
        try await withProvider(refreshGap: 3_600) { app, provider, people in
            let key = try TestSigningKey(kid: "k1"), stranger = try TestSigningKey(kid: "k1")
            provider.publish([key.jwk])
            let principal = people.email(.principal)
            typealias Case = (name: String, label: String, sentence: String, make: @Sendable (String) async throws -> String)
            let p = provider
            let cases: [Case] = [
                ("bad signature", "bad signature", "signature does not check out", { nonce in
                    try await stranger.sign(claims(p, email: principal, nonce: nonce)) }),
                ("unknown key id", "unknown signing key", "key the provider does not publish", { nonce in
                    try await TestSigningKey(kid: "k9").sign(claims(p, email: principal, nonce: nonce)) }),
                ("wrong audience", "wrong audience", "made out to another application", { nonce in
                    try await key.sign(claims(p, email: principal, nonce: nonce, audience: ["someone-else"])) }),
                ("two audiences without azp", "wrong audience", "made out to another application", { nonce in
                    try await key.sign(claims(p, email: principal, nonce: nonce, audience: [TestIdentityProvider.clientId, "someone-else"])) }),
                ("wrong issuer", "wrong issuer", "different provider", { nonce in
                    try await key.sign(claims(p, email: principal, nonce: nonce, issuer: "https://accounts.example.com")) }),
                ("expired", "expired token", "expired", { nonce in
                    try await key.sign(claims(p, email: principal, nonce: nonce, expires: -600, issued: -900)) }),
                ("issued in the future", "token issued in the future", "dated in the future", { nonce in
                    try await key.sign(claims(p, email: principal, nonce: nonce, expires: 3_600, issued: 1_800)) }),
                ("wrong nonce", "wrong nonce", "does not belong to this browser", { _ in
                    try await key.sign(claims(p, email: principal, nonce: PKCE.randomToken())) }),
                ("unverified email", "email not verified", "has not verified this email", { nonce in
                    try await key.sign(claims(p, email: principal, nonce: nonce, verified: false)) }),
                ("no email_verified", "email not verified", "has not verified this email", { nonce in
                    try await key.sign(claims(p, email: principal, nonce: nonce, verified: nil)) }),
                ("unknown person", "no account with that email", "No Lodestar account uses stranger@elsewhere.example", { nonce in
                    try await key.sign(claims(p, email: "stranger@elsewhere.example", nonce: nonce)) }),
                ("alg none", "unsupported algorithm", "signed with none", { nonce in
                    let header = PKCE.base64URL(Data(#"{"alg":"none","kid":"k1"}"#.utf8))
                    let body = PKCE.base64URL(try JSONEncoder().encode(claims(p, email: principal, nonce: nonce)))
                    return "\(header).\(body)." }),
                ("alg HS256", "unsupported algorithm", "signed with HS256", { nonce in
                    let keys = JWTKeyCollection()
                    await keys.add(hmac: HMACKey(from: "a-shared-secret-anyone-could-guess-at-32-bytes"), digestAlgorithm: .sha256, kid: "k1")
                    return try await keys.sign(claims(p, email: principal, nonce: nonce), kid: "k1") }),
            ]
            var refusals: [String: Int] = [:]
            for test in cases {
                let client = TestClient(app)
                let (response, _) = try await signIn(client, provider, token: test.make)
                #expect(response.status == .unauthorized, "\(test.name)")
                #expect(response.body.string.contains(test.sentence), "\(test.name): \(response.body.string.firstMatch(of: /role="alert">([^<]*)/)?.1 ?? "")")
                #expect(try await client.get("/").headers.first(name: .location) == "/signin", "\(test.name) signed someone in")
                refusals[test.label, default: 0] += 1
            }
            for (label, count) in refusals {
                let subjects = try await audited(app, "sign-in refused: \(label) (Cedar Valley)")
                #expect(subjects.count == count, "\(label): \(subjects)")
                #expect(subjects.allSatisfy { $0 == (label == "no account with that email" ? "stranger@elsewhere.example" : "district") })
            }
            // A forged key id does not make Lodestar fetch the keys again within the gap: one fetch served all.
            #expect(provider.keyFetches == 1)

            // A callback whose state is not the one this browser started with, or with none started at all.
            let client = TestClient(app)
            let (forged, _) = try await signIn(client, provider, state: "not-the-state") { nonce in
                try await key.sign(claims(p, email: principal, nonce: nonce))
            }
            #expect(forged.status == .unauthorized && forged.body.string.contains("not started from this browser"))
            let fresh = TestClient(app)
            #expect(try await fresh.get("/signin/sso/district/callback?code=the-code&state=x").status == .unauthorized)
            #expect(try await audited(app, "sign-in refused: state missing or replayed (Cedar Valley)").count == 2)
            // The provider saying no (the person cancelled) is shown in its words.
            let cancelled = TestClient(app)
            let start = try await cancelled.get("/signin/sso/district")
            let state = try #require(URLComponents(string: start.headers.first(name: .location) ?? "")?.queryItems?.first { $0.name == "state" }?.value)
            let denied = try await cancelled.get("/signin/sso/district/callback?error=access_denied&error_description=The%20user%20cancelled&state=\(state)")
            #expect(denied.status == .unauthorized && denied.body.string.contains("The user cancelled"))
            // Without the state (some providers leave it out of an error), the standard code is shown in words,
            // never the free text, so a crafted link cannot put its words on Lodestar's page.
            let crafted = try await TestClient(app).get("/signin/sso/district/callback?error=access_denied&error_description=Call%20555-0100%20now")
            #expect(crafted.status == .unauthorized && crafted.body.string.contains("you or the provider said no") && !crafted.body.string.contains("555-0100"))
            #expect(try await TestClient(app).get("/signin/sso/nobody").status == .notFound)
        }
    }

    @Test func aHostedDomainIsRequiredWhenConfigured() async throws {
        try await withProvider(hostedDomain: "cedarvalley.example.org") { app, provider, people in
            let key = try TestSigningKey(kid: "k1")
            provider.publish([key.jwk])
            let principal = people.email(.principal)
            let p = provider
            let (outside, _) = try await signIn(TestClient(app), provider) { nonce in
                try await key.sign(claims(p, email: principal, nonce: nonce, hd: "gmail.com"))
            }
            #expect(outside.status == .unauthorized && outside.body.string.contains("Only accounts of cedarvalley.example.org"))
            let (inside, _) = try await signIn(TestClient(app), provider) { nonce in
                try await key.sign(claims(p, email: principal, nonce: nonce, hd: "cedarvalley.example.org"))
            }
            #expect(inside.status == .seeOther && inside.headers.first(name: .location) == "/")
        }
    }

    /// A district that signs in through its provider turns passwords off for everyone but the break-glass
    /// administrator (a district admin made in Lodestar, not by the roster).
    @Test func passwordsOffLeaveOnlyTheBreakGlassAdministrator() async throws {
        try await withProvider { app, provider, people in
            app.signInSettings.passwordsForBreakGlassOnly = true
            let key = try TestSigningKey(kid: "k1")
            provider.publish([key.jwk])
            let principal = TestClient(app)
            let refused = try await principal.signIn(people.email(.principal))
            #expect(refused.status == .forbidden && refused.body.string.contains("use the button below"))
            #expect(try await principal.get("/").headers.first(name: .location) == "/signin")
            #expect(try await audited(app, "sign-in refused: passwords are off") == [people.email(.principal)])
            #expect(refused.body.string.contains("Passwords are for the district's break-glass administrator only"))
            // A wrong password says only that: nothing about whether passwords are off for that account.
            #expect(try await TestClient(app).signIn(people.email(.principal), password: "not-it").status == .unauthorized)
            // A district admin from the roster is refused too (the principal, made one); the one made in Lodestar signs in.
            let rostered = try #require(try await Staff.query(on: app.db).filter(\.$email == people.email(.principal)).first())
            try await RoleGrantRecord(staffId: rostered.id!, grant: RoleGrant(role: .districtAdmin, schoolId: nil), source: "manual").create(on: app.db)
            #expect(try await TestClient(app).signIn(people.email(.principal)).status == .forbidden)
            let local = try #require(try await Staff.query(on: app.db).filter(\.$source == "local").first())
            let breakGlass = TestClient(app)
            #expect(try await breakGlass.signIn(local.email).status == .seeOther)
            #expect(try await breakGlass.get("/admin").status == .ok)
            // The principal signs in through the provider.
            let p = provider, email = people.email(.principal)
            let (viaProvider, _) = try await signIn(principal, provider) { nonce in try await key.sign(claims(p, email: email, nonce: nonce)) }
            #expect(viaProvider.status == .seeOther && viaProvider.headers.first(name: .location) == "/")
        }
    }

    /// The district's two-factor choice: trust the provider's second factor (the default), or ask
    /// Lodestar's code as well of those who have set it up.
    @Test func theProvidersSecondFactorIsTrustedUnlessTheDistrictAsksLodestarsCode() async throws {
        try await withProvider { app, provider, people in
            app.twoFactorRequirement = TwoFactorRequirement(districtRoles: true)
            let key = try TestSigningKey(kid: "k1")
            provider.publish([key.jwk])
            let p = provider, leaderEmail = people.email(.districtLeader)
            // With a password, a district leader must set up Lodestar's code first; through the provider, not.
            let withPassword = TestClient(app)
            try await withPassword.signIn(leaderEmail)
            #expect(try await withPassword.get("/insights/practice").headers.first(name: .location) == "/account/two-factor")
            let viaProvider = TestClient(app)
            _ = try await signIn(viaProvider, provider) { nonce in try await key.sign(claims(p, email: leaderEmail, nonce: nonce)) }
            #expect(try await viaProvider.get("/insights/practice").status == .ok)

            // Asking Lodestar's code too: someone who set it up is sent to the code step, not signed in yet.
            app.signInSettings.asksLodestarCode = true
            let setUp = try await withPassword.get("/account/two-factor").body.string
            let secret = try #require(setUp.firstMatch(of: /<code class="secret">([A-Z2-7 ]+)<\/code>/)).1
            let authenticator = OneTimePassword(secret: try #require(Base32.decode(String(secret))))
            #expect(try await withPassword.post("/account/two-factor/confirm", form: ["code": authenticator.code(at: Int(Date().timeIntervalSince1970))]).status == .ok)
            let asked = TestClient(app)
            let (response, _) = try await signIn(asked, provider) { nonce in try await key.sign(claims(p, email: leaderEmail, nonce: nonce)) }
            #expect(response.headers.first(name: .location) == "/signin/code")
            #expect(try await asked.get("/insights/practice").headers.first(name: .location) == "/signin")
        }
    }

    /// Providers rotate keys: a token signed with a key published after Lodestar last read the keys is
    /// accepted once the keys are read again.
    @Test func aRotatedKeyIsFetched() async throws {
        try await withProvider(refreshGap: 0) { app, provider, people in
            let old = try TestSigningKey(kid: "old"), new = try TestSigningKey(kid: "new")
            provider.publish([old.jwk])
            let principal = people.email(.principal)
            let p = provider
            let (first, _) = try await signIn(TestClient(app), provider) { nonce in try await old.sign(claims(p, email: principal, nonce: nonce)) }
            #expect(first.status == .seeOther)
            provider.publish([new.jwk])
            let (second, _) = try await signIn(TestClient(app), provider) { nonce in try await new.sign(claims(p, email: principal, nonce: nonce)) }
            #expect(second.status == .seeOther && second.headers.first(name: .location) == "/")
            #expect(provider.keyFetches == 2)
        }
    }
}

@Suite("Identity token rules")
struct IdentityRulesTests {
    let provider = IdentityProvider(id: "google", label: "Google", issuer: "https://accounts.google.com", clientId: "abc", clientSecret: "x")

    @Test func environmentConfiguresCompleteProvidersOnly() {
        let (providers, problems) = IdentityProvider.fromEnvironment([
            "LODESTAR_SSO_GOOGLE_ISSUER": "https://accounts.google.com", "LODESTAR_SSO_GOOGLE_CLIENT_ID": "id",
            "LODESTAR_SSO_GOOGLE_CLIENT_SECRET": "secret", "LODESTAR_SSO_GOOGLE_DOMAIN": "CedarValley.example.org",
            "LODESTAR_SSO_MICROSOFT_ISSUER": "https://login.microsoftonline.com/t/v2.0", "LODESTAR_SSO_MICROSOFT_CLIENT_ID": "id",
            "LODESTAR_SSO_PLAIN_ISSUER": "http://idp.example.com", "LODESTAR_SSO_PLAIN_CLIENT_ID": "id", "LODESTAR_SSO_PLAIN_CLIENT_SECRET": "s",
            "PATH": "/usr/bin",
        ])
        #expect(providers == [IdentityProvider(id: "google", label: "Google", issuer: "https://accounts.google.com", clientId: "id",
                                               clientSecret: "secret", hostedDomain: "cedarvalley.example.org")])
        #expect(problems.count == 2)
        #expect(problems.contains { $0.contains("MICROSOFT") && $0.contains("_CLIENT_SECRET") })
        #expect(problems.contains { $0.contains("PLAIN_ISSUER") && $0.contains("https://") })
    }

    @Test func aTenantDirectoryVouchesForItsAddresses() throws {
        var entra = provider
        entra.tenant = "9188040d-6c67-4c5b-b112-36a304b66dad"
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let claims = IdentityClaims(iss: entra.issuer, sub: "s", aud: ["abc"], exp: 1_800_000_300, iat: 1_800_000_000, nonce: "n",
                                    email: "Ms.Brooks@CedarValley.example.org", emailVerified: nil, tid: "9188040D-6C67-4C5B-B112-36A304B66DAD")
        #expect(try IdentityRules(provider: entra).check(claims, nonce: "n", now: now) == "ms.brooks@cedarvalley.example.org")
        var other = claims
        other.tid = "00000000-0000-0000-0000-000000000000"
        #expect(throws: IdentityRefusal.wrongTenant) { try IdentityRules(provider: entra).check(other, nonce: "n", now: now) }
        // Without a tenant restriction, an address the provider does not call verified is refused.
        #expect(throws: IdentityRefusal.emailNotVerified) { try IdentityRules(provider: provider).check(claims, nonce: "n", now: now) }
    }

    @Test func clockSkewOfTwoMinutesIsTolerated() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func claims(exp: Double, iat: Double) -> IdentityClaims {
            IdentityClaims(iss: "https://accounts.google.com/", sub: "s", aud: ["abc"], azp: "abc", exp: exp, iat: iat, nonce: "n",
                           email: "a@b.org", emailVerified: true)
        }
        #expect(try IdentityRules(provider: provider).check(claims(exp: 1_800_000_000 - 100, iat: 1_799_999_000), nonce: "n", now: now) == "a@b.org")
        #expect(throws: IdentityRefusal.expired) { try IdentityRules(provider: provider).check(claims(exp: 1_800_000_000 - 121, iat: 1_799_999_000), nonce: "n", now: now) }
        #expect(throws: IdentityRefusal.issuedInTheFuture) { try IdentityRules(provider: provider).check(claims(exp: 1_800_001_000, iat: 1_800_000_121), nonce: "n", now: now) }
    }

    /// RFC 7636 Appendix B's example, by hand.
    @Test func pkceChallengeIsTheRFCExample() {
        #expect(PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }
}
