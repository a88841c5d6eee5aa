import Foundation
import JWTKit
import LodestarCore
import NIOCore
import Vapor

extension IdentityClaims: JWTPayload {
    /// The claims are checked by `IdentityRules` after the signature, so each refusal has its own sentence.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// What Lodestar reads from a provider and keeps for a while: its discovery document (OpenID Connect
/// Discovery 1.0) and its signing keys (JWKS). Keys are fetched again when a token names a key id not seen
/// yet (providers rotate keys), at most once every `refreshGap` per provider, so a stream of forged key ids
/// cannot make Lodestar hammer the provider.
actor IdentityProviderKeys {
    struct Discovery: Decodable, Sendable {
        var issuer: String
        var authorizationEndpoint: String
        var tokenEndpoint: String
        var jwksURI: String
        var tokenEndpointAuthMethodsSupported: [String]?

        enum CodingKeys: String, CodingKey {
            case issuer
            case authorizationEndpoint = "authorization_endpoint"
            case tokenEndpoint = "token_endpoint"
            case jwksURI = "jwks_uri"
            case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        }
    }

    static let discoveryLifetime: TimeInterval = 3_600
    /// The algorithms Lodestar accepts for an ID token (what Google, Microsoft and the others use).
    static let algorithms: Set<String> = ["RS256", "ES256"]

    /// The least time between two readings of a provider's keys.
    let refreshGap: TimeInterval
    /// How long Lodestar waits for the provider's answer (configuration, keys, token) before refusing the sign-in.
    let timeout: TimeAmount
    private var discoveries: [String: (Discovery, Date)] = [:]
    private var keySets: [String: (JWKS, Date)] = [:]

    init(refreshGap: TimeInterval = 30, timeout: TimeAmount = .seconds(10)) {
        self.refreshGap = refreshGap
        self.timeout = timeout
    }

    func discovery(of provider: IdentityProvider, client: any Client) async throws(IdentityRefusal) -> Discovery {
        if let (cached, at) = discoveries[provider.id], Date().timeIntervalSince(at) < Self.discoveryLifetime { return cached }
        let address = provider.issuer.hasSuffix("/") ? provider.issuer + ".well-known/openid-configuration" : provider.issuer + "/.well-known/openid-configuration"
        let document: Discovery = try await fetch(address, client: client, what: "its configuration")
        // Discovery §4.3: the document must be the issuer's own.
        guard IdentityRules.sameIssuer(document.issuer, provider.issuer) else {
            throw .providerError("its configuration names a different issuer (\(document.issuer.prefix(200))).")
        }
        discoveries[provider.id] = (document, Date())
        return document
    }

    /// The provider's key with this id, fetching the keys again once if it is not known yet. A token without
    /// a key id may only come from a provider that publishes one signing key (OpenID Connect Core §10.1).
    func key(_ kid: String?, of provider: IdentityProvider, client: any Client) async throws(IdentityRefusal) -> JWK {
        if let (keys, _) = keySets[provider.id], let key = Self.signingKey(kid, in: keys) { return key }
        if let (_, at) = keySets[provider.id], Date().timeIntervalSince(at) < refreshGap { throw .unknownKey }
        let discovery = try await discovery(of: provider, client: client)
        let keys: JWKS = try await fetch(discovery.jwksURI, client: client, what: "its signing keys")
        keySets[provider.id] = (keys, Date())
        guard let key = Self.signingKey(kid, in: keys) else { throw .unknownKey }
        return key
    }

    private static func signingKey(_ kid: String?, in keys: JWKS) -> JWK? {
        let signing = keys.keys.filter { ($0.keyType == .rsa || $0.keyType == .ecdsa) }
        guard let kid else { return signing.count == 1 ? signing[0] : nil }
        return signing.first { $0.keyIdentifier?.string == kid }
    }

    private func fetch<T: Decodable>(_ address: String, client: any Client, what: String) async throws(IdentityRefusal) -> T {
        do {
            let timeout = timeout
            let response = try await client.get(URI(string: address)) { $0.timeout = timeout }
            guard response.status == .ok else { throw IdentityRefusal.providerError("it answered HTTP \(response.status.code) when Lodestar asked for \(what).") }
            return try response.content.decode(T.self, using: JSONDecoder())
        } catch let refusal as IdentityRefusal {
            throw refusal
        } catch {
            throw .providerError("Lodestar could not read \(what) (\(String(describing: error).prefix(200))).")
        }
    }

    /// Verifies the token's signature against the provider's published key and decodes its claims; the
    /// claims themselves are checked by `IdentityRules`.
    func verify(_ token: String, of provider: IdentityProvider, client: any Client) async throws(IdentityRefusal) -> IdentityClaims {
        struct Header: Decodable { var alg: String?; var kid: String? }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URL: String(parts[0])), let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw .badSignature
        }
        guard let alg = header.alg, Self.algorithms.contains(alg) else { throw .unsupportedAlgorithm(String((header.alg ?? "no algorithm").prefix(20))) }
        var jwk = try await key(header.kid, of: provider, client: client)
        // The key collection files every key under an id; a provider's only key may have none.
        if jwk.keyIdentifier == nil { jwk.keyIdentifier = JWKIdentifier(string: "only") }
        guard (alg.hasPrefix("RS") && jwk.keyType == .rsa) || (alg.hasPrefix("ES") && jwk.keyType == .ecdsa) else { throw .badSignature }
        do {
            let collection = JWTKeyCollection()
            try await collection.add(jwk: jwk)
            return try await collection.verify(token, as: IdentityClaims.self)
        } catch {
            throw .badSignature
        }
    }
}

extension Data {
    /// Decodes base64url without padding (RFC 4648 §5), as JWTs carry it.
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}

struct IdentityProviderKeysKey: StorageKey { typealias Value = IdentityProviderKeys }
struct IdentityProvidersKey: StorageKey { typealias Value = [IdentityProvider] }

extension Application {
    /// The providers configured (`LODESTAR_SSO_<ID>_…`), in the order their buttons show.
    var identityProviders: [IdentityProvider] {
        get { storage[IdentityProvidersKey.self] ?? [] }
        set { storage[IdentityProvidersKey.self] = newValue }
    }

    /// Set once in `configure`, before any request.
    var identityProviderKeys: IdentityProviderKeys { storage[IdentityProviderKeysKey.self]! }
}
