import Crypto
import Foundation

/// A district's OpenID Connect provider (Google Workspace, Microsoft Entra ID, ClassLink, …) as configured
/// by environment variables, one set per provider:
/// `LODESTAR_SSO_<ID>_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET`, and optionally `_LABEL` (the button's words),
/// `_DOMAIN` (a Google hosted domain, `hd`) and `_TENANT` (a Microsoft tenant id, `tid`).
public struct IdentityProvider: Sendable, Equatable {
    /// Lower-case letters and digits: the provider's part of the sign-in and callback paths.
    public var id: String
    public var label: String
    public var issuer: String
    public var clientId: String
    public var clientSecret: String
    public var hostedDomain: String?
    public var tenant: String?

    public init(id: String, label: String, issuer: String, clientId: String, clientSecret: String, hostedDomain: String? = nil, tenant: String? = nil) {
        self.id = id
        self.label = label
        self.issuer = issuer
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.hostedDomain = hostedDomain
        self.tenant = tenant
    }

    /// Every provider the environment configures completely, by id. A provider missing its issuer, client
    /// id or secret is left out and named in `problems`, so a typo does not show a button that cannot work.
    public static func fromEnvironment(_ environment: [String: String]) -> (providers: [IdentityProvider], problems: [String]) {
        let prefix = "LODESTAR_SSO_"
        var ids: Set<String> = []
        for key in environment.keys where key.hasPrefix(prefix) {
            for suffix in ["_ISSUER", "_CLIENT_ID", "_CLIENT_SECRET", "_LABEL", "_DOMAIN", "_TENANT"] where key.hasSuffix(suffix) {
                let id = String(key.dropFirst(prefix.count).dropLast(suffix.count))
                if !id.isEmpty { ids.insert(id) }
            }
        }
        var providers: [IdentityProvider] = [], problems: [String] = []
        for id in ids.sorted() {
            func value(_ suffix: String) -> String? {
                environment[prefix + id + suffix].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            let path = id.lowercased()
            guard path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                problems.append("\(prefix)\(id)_…: a provider's name may only have letters and digits")
                continue
            }
            guard let issuer = value("_ISSUER"), let clientId = value("_CLIENT_ID"), let secret = value("_CLIENT_SECRET") else {
                problems.append("\(prefix)\(id)_…: the provider needs _ISSUER, _CLIENT_ID and _CLIENT_SECRET; it is left out")
                continue
            }
            guard let url = URL(string: issuer), url.scheme == "https" || url.host == "127.0.0.1" || url.host == "localhost" else {
                problems.append("\(prefix)\(id)_ISSUER: an issuer is an https:// address; it is left out")
                continue
            }
            providers.append(IdentityProvider(id: path, label: value("_LABEL") ?? id.capitalized, issuer: issuer, clientId: clientId,
                                              clientSecret: secret, hostedDomain: value("_DOMAIN")?.lowercased(), tenant: value("_TENANT")))
        }
        return (providers, problems)
    }
}

/// The claims of an ID token Lodestar reads (OpenID Connect Core 1.0, §2 and §5.1).
public struct IdentityClaims: Codable, Sendable, Equatable {
    public var iss: String
    public var sub: String
    public var aud: [String]
    public var azp: String?
    public var exp: Double
    public var iat: Double
    public var nonce: String?
    public var email: String?
    public var emailVerified: Bool?
    /// Google's hosted domain.
    public var hd: String?
    /// Microsoft's tenant id.
    public var tid: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, azp, exp, iat, nonce, email, hd, tid
        case emailVerified = "email_verified"
    }

    public init(iss: String, sub: String, aud: [String], azp: String? = nil, exp: Double, iat: Double, nonce: String?, email: String?,
                emailVerified: Bool?, hd: String? = nil, tid: String? = nil) {
        self.iss = iss; self.sub = sub; self.aud = aud; self.azp = azp; self.exp = exp; self.iat = iat
        self.nonce = nonce; self.email = email; self.emailVerified = emailVerified; self.hd = hd; self.tid = tid
    }

    /// `aud` is a string or an array of strings; `email_verified` a boolean, or the string "true" as some
    /// providers send it.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        iss = try c.decode(String.self, forKey: .iss)
        sub = try c.decode(String.self, forKey: .sub)
        if let one = try? c.decode(String.self, forKey: .aud) { aud = [one] } else { aud = try c.decode([String].self, forKey: .aud) }
        azp = try c.decodeIfPresent(String.self, forKey: .azp)
        exp = try c.decode(Double.self, forKey: .exp)
        iat = try c.decode(Double.self, forKey: .iat)
        nonce = try c.decodeIfPresent(String.self, forKey: .nonce)
        email = try c.decodeIfPresent(String.self, forKey: .email)
        if let flag = try? c.decodeIfPresent(Bool.self, forKey: .emailVerified) {
            emailVerified = flag
        } else {
            emailVerified = (try? c.decodeIfPresent(String.self, forKey: .emailVerified)).flatMap { $0 }.map { $0.lowercased() == "true" }
        }
        hd = try c.decodeIfPresent(String.self, forKey: .hd)
        tid = try c.decodeIfPresent(String.self, forKey: .tid)
    }
}

/// Why a sign-in through a provider was refused, in words a teacher can act on; the audit trail keeps the
/// same sentence.
public enum IdentityRefusal: Error, Equatable, Sendable {
    case wrongIssuer
    case wrongAudience
    case expired
    case issuedInTheFuture
    case wrongNonce
    case noEmail
    case emailNotVerified
    case wrongDomain(String)
    case wrongTenant
    case badSignature
    case unknownKey
    case unsupportedAlgorithm(String)
    case stateMismatch
    case providerError(String)
    case unknownPerson(String)
    case accountDisabled

    public var sentence: String {
        switch self {
        case .wrongIssuer: "The sign-in came from a different provider than the one configured, so it was refused."
        case .wrongAudience: "The sign-in was made out to another application, so it was refused."
        case .expired: "The sign-in had expired before it reached Lodestar. Try again."
        case .issuedInTheFuture: "The sign-in is dated in the future (a clock is wrong), so it was refused."
        case .wrongNonce: "The sign-in does not belong to this browser's request, so it was refused. Try again."
        case .noEmail: "The provider did not say which email address signed in, so Lodestar cannot tell whose account it is."
        case .emailNotVerified: "The provider has not verified this email address, so Lodestar cannot trust it."
        case .wrongDomain(let domain): "Only accounts of \(domain) may sign in here."
        case .wrongTenant: "Only accounts of the district's own directory may sign in here."
        case .badSignature: "The sign-in's signature does not check out, so it was refused."
        case .unknownKey: "The sign-in was signed with a key the provider does not publish, so it was refused."
        case .unsupportedAlgorithm(let alg): "The sign-in was signed with \(alg), which Lodestar does not accept."
        case .stateMismatch: "This sign-in was not started from this browser, or it was already used. Start again from the sign-in page."
        case .providerError(let text): "The provider did not sign you in: \(text)"
        case .unknownPerson(let email): "No Lodestar account uses \(email). Ask your district admin to add you, or sign in with the email the district has on file."
        case .accountDisabled: "This account is turned off. Ask your district admin."
        }
    }

    /// A short label for the audit trail.
    public var auditLabel: String {
        switch self {
        case .wrongIssuer: "wrong issuer"
        case .wrongAudience: "wrong audience"
        case .expired: "expired token"
        case .issuedInTheFuture: "token issued in the future"
        case .wrongNonce: "wrong nonce"
        case .noEmail: "no email"
        case .emailNotVerified: "email not verified"
        case .wrongDomain: "wrong domain"
        case .wrongTenant: "wrong tenant"
        case .badSignature: "bad signature"
        case .unknownKey: "unknown signing key"
        case .unsupportedAlgorithm: "unsupported algorithm"
        case .stateMismatch: "state missing or replayed"
        case .providerError: "provider error"
        case .unknownPerson: "no account with that email"
        case .accountDisabled: "account disabled"
        }
    }
}

/// The checks of OpenID Connect Core §3.1.3.7 on a token whose signature is already verified, and the
/// district's own: the domain or tenant, and a verified email. Returns the email, trimmed and lower-cased.
public struct IdentityRules: Sendable {
    public var provider: IdentityProvider
    /// Clock difference tolerated between Lodestar and the provider, in seconds.
    public var skew: Double = 120

    public init(provider: IdentityProvider) { self.provider = provider }

    public func check(_ claims: IdentityClaims, nonce: String, now: Date) throws(IdentityRefusal) -> String {
        let time = now.timeIntervalSince1970
        guard Self.sameIssuer(claims.iss, provider.issuer) else { throw .wrongIssuer }
        guard claims.aud.contains(provider.clientId) else { throw .wrongAudience }
        // With more than one audience the token must name Lodestar as the party it was issued to.
        if claims.aud.count > 1 || claims.azp != nil { guard claims.azp == provider.clientId else { throw .wrongAudience } }
        guard claims.exp + skew > time else { throw .expired }
        guard claims.iat - skew <= time else { throw .issuedInTheFuture }
        guard let sent = claims.nonce, Self.constantTimeEqual(sent, nonce) else { throw .wrongNonce }
        if let domain = provider.hostedDomain { guard claims.hd?.lowercased() == domain else { throw .wrongDomain(domain) } }
        if let tenant = provider.tenant { guard claims.tid?.lowercased() == tenant.lowercased() else { throw .wrongTenant } }
        guard let email = claims.email.map(Self.normalised), !email.isEmpty, email.contains("@") else { throw .noEmail }
        // A tenant-restricted Microsoft directory vouches for its own addresses and sends no email_verified;
        // everywhere else the provider must say the address is verified.
        switch claims.emailVerified {
        case true?: break
        case false?: throw .emailNotVerified
        case nil: guard provider.tenant != nil else { throw .emailNotVerified }
        }
        return email
    }

    public static func normalised(_ email: String) -> String { email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }

    /// Issuers compare exactly, except for one trailing slash some configurations add.
    public static func sameIssuer(_ a: String, _ b: String) -> Bool {
        func trimmed(_ s: String) -> String { s.hasSuffix("/") ? String(s.dropLast()) : s }
        return trimmed(a) == trimmed(b)
    }

    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Proof Key for Code Exchange (RFC 7636) with S256, and the random values a sign-in carries.
public enum PKCE {
    /// 32 random bytes, base64url without padding (43 characters): a code verifier, a state or a nonce.
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }

    public static func challenge(for verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
