import Foundation

/// Where Lodestar hands its email over, from `LODESTAR_SMTP_URL`:
/// `smtp://user:password@host:587` (STARTTLS, required), `smtps://user:password@host:465` (TLS from the start),
/// or `smtp://host:25?starttls=off` for a relay on the same machine (no password may then be given unless the
/// host is this machine: a password is never sent in the clear over a network).
public struct SMTPSettings: Sendable, Equatable {
    public enum Security: String, Sendable { case startTLS, implicitTLS, none }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?

    public init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil) {
        self.host = host; self.port = port; self.security = security; self.username = username; self.password = password
    }

    /// The settings a URL gives, or a message saying what is wrong with it (without the password).
    public static func parse(_ text: String) throws -> SMTPSettings {
        guard let url = URLComponents(string: text.trimmingCharacters(in: .whitespaces)), let scheme = url.scheme?.lowercased(),
              let host = url.host, !host.isEmpty else {
            throw SMTPSettingsError("LODESTAR_SMTP_URL is not a URL like smtp://user:password@mail.example.org:587")
        }
        var security: Security
        switch scheme {
        case "smtp": security = .startTLS
        case "smtps": security = .implicitTLS
        default: throw SMTPSettingsError("LODESTAR_SMTP_URL must start with smtp:// (STARTTLS) or smtps:// (TLS), not \(scheme)://")
        }
        for item in url.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("starttls", "off") where security == .startTLS: security = .none
            default: throw SMTPSettingsError("LODESTAR_SMTP_URL: unknown option \(item.name)=\(item.value ?? ""); the one option is starttls=off (smtp:// only)")
            }
        }
        let username = url.user.flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 }
        let password = url.password.flatMap { $0.removingPercentEncoding }
        if security == .none, username != nil, !["127.0.0.1", "::1", "localhost"].contains(host.lowercased()) {
            throw SMTPSettingsError("LODESTAR_SMTP_URL: with starttls=off a password would cross the network in the clear; use STARTTLS or smtps://")
        }
        let port = url.port ?? (security == .implicitTLS ? 465 : security == .startTLS ? 587 : 25)
        guard (1...65_535).contains(port) else { throw SMTPSettingsError("LODESTAR_SMTP_URL: port \(port) is not a port") }
        return SMTPSettings(host: host, port: port, security: security, username: username, password: password)
    }
}

public struct SMTPSettingsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
