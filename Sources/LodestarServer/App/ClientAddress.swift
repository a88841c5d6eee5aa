import Vapor

/// The reverse proxies Lodestar is served behind (`LODESTAR_TRUSTED_PROXIES`, addresses separated by commas).
/// Only a request that comes from one of them may say, in `Forwarded` or `X-Forwarded-For`, whose request it
/// carries; from anyone else those headers are ignored, since anyone can write them.
enum TrustedProxies {
    static let addresses: Set<String> = Set((Environment.get("LODESTAR_TRUSTED_PROXIES") ?? "")
        .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
}

extension Request {
    /// The address of the machine the request came from: the peer, or behind a trusted proxy the rightmost
    /// forwarded address that is not itself a trusted proxy. Used for sign-in limits and the audit trail.
    var clientAddress: String {
        clientAddress(trusting: TrustedProxies.addresses)
    }

    func clientAddress(trusting proxies: Set<String>) -> String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        guard proxies.contains(peer) else { return peer }
        let forwarded = headers["Forwarded"].flatMap { $0.split(separator: ",") }.compactMap { element -> String? in
            element.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.lowercased().hasPrefix("for=") }.map { Self.bareAddress(String($0.dropFirst(4))) }
        }
        let chain = forwarded.isEmpty
            ? headers["X-Forwarded-For"].flatMap { $0.split(separator: ",") }.map { Self.bareAddress($0.trimmingCharacters(in: .whitespaces)) }
            : forwarded
        for address in chain.reversed() {
            guard Self.looksLikeAnAddress(address) else { return peer }
            if !proxies.contains(address) { return address }
        }
        return peer
    }

    /// `"[2001:db8::17]:4711"` → `2001:db8::17`; `192.0.2.60:80` → `192.0.2.60`.
    static func bareAddress(_ value: String) -> String {
        var text = value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<end]) }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { text = String(text[..<colon]) }
        return text
    }

    /// An IPv4 or IPv6 address in plain form, at most 45 characters: nothing else is recorded.
    static func looksLikeAnAddress(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 45 && text.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
    }
}

extension Request {
    /// Lodestar's own address for links that leave the browser (a provider's redirect, a calendar feed):
    /// `LODESTAR_PUBLIC_URL` when set, else this request's own host.
    var publicBase: String {
        Environment.get("LODESTAR_PUBLIC_URL").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            ?? "http://\(headers.first(name: .host) ?? "localhost")"
    }
}
