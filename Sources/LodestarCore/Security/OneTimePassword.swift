import Crypto
import Foundation

/// Time-based one-time passwords (TOTP, RFC 6238) as authenticator apps make them: an HMAC of the
/// number of 30-second steps since 1970 (HOTP, RFC 4226), truncated to six digits.
public struct OneTimePassword: Sendable, Equatable {
    public enum Algorithm: String, Sendable, CaseIterable { case sha1 = "SHA1", sha256 = "SHA256", sha512 = "SHA512" }

    public var secret: [UInt8]
    public var algorithm: Algorithm
    public var digits: Int
    public var period: Int

    public init(secret: [UInt8], algorithm: Algorithm = .sha1, digits: Int = 6, period: Int = 30) {
        precondition((6...8).contains(digits) && period > 0, "authenticator apps use 6 to 8 digits and a positive period")
        self.secret = secret; self.algorithm = algorithm; self.digits = digits; self.period = period
    }

    /// A new random 160-bit secret, the size RFC 4226 recommends.
    public static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The HOTP value for a counter, as a zero-padded string of `digits` digits.
    public func code(counter: UInt64) -> String {
        let message = withUnsafeBytes(of: counter.bigEndian) { Array($0) }
        let key = SymmetricKey(data: secret)
        let mac: [UInt8]
        switch algorithm {
        case .sha1: mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
        case .sha256: mac = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .sha512: mac = Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
        }
        // Dynamic truncation: four bytes from the offset the last nibble names, top bit cleared.
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The time step of a moment (seconds since 1970).
    public func step(at time: Int) -> UInt64 { UInt64(max(0, time) / period) }

    public func code(at time: Int) -> String { code(counter: step(at: time)) }

    /// The step a typed code matches, allowing one step of clock drift either way; nil when it matches
    /// none, or only steps at or before `lastUsedStep` (a code is good once).
    public func matchingStep(of typed: String, at time: Int, lastUsedStep: UInt64? = nil) -> UInt64? {
        let cleaned = typed.filter { !$0.isWhitespace }
        guard cleaned.count == digits, cleaned.allSatisfy(\.isASCII), cleaned.allSatisfy(\.isNumber) else { return nil }
        let now = step(at: time)
        for candidate in [now, now &- 1, now + 1] where candidate <= now + 1 {
            if let last = lastUsedStep, candidate <= last { continue }
            if constantTimeEqual(code(counter: candidate), cleaned) { return candidate }
        }
        return nil
    }

    /// The `otpauth://` address an authenticator app reads (as a QR code or pasted), Key URI format.
    public func provisioningURI(account: String, issuer: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~@"))
        let label = "\(issuer):\(account)".addingPercentEncoding(withAllowedCharacters: allowed.union([":"])) ?? account
        let issuerParameter = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? issuer
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret, padding: false))&issuer=\(issuerParameter)&algorithm=\(algorithm.rawValue)&digits=\(digits)&period=\(period)"
    }
}

/// Equal strings compared in time that does not depend on where they differ (codes, tokens).
public func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for index in x.indices { difference |= x[index] ^ y[index] }
    return difference == 0
}

/// Base32 (RFC 4648, section 6), the alphabet authenticator apps use for secrets.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8], padding: Bool = true) -> String {
        var output: [UInt8] = []
        var buffer: UInt64 = 0, bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt64(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt64(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt64(5 - bits)) & 31)]) }
        if padding { while output.count % 8 != 0 { output.append(UInt8(ascii: "=")) } }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of a Base32 text, ignoring case, spaces, hyphens and padding; nil for any other character.
    public static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt64 = 0, bits = 0
        for character in text.uppercased().utf8 where character != UInt8(ascii: " ") && character != UInt8(ascii: "-") && character != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt64(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt64(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }
}
