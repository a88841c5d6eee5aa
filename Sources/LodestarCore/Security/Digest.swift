import Crypto
import Foundation

/// SHA-256 in lowercase hex: the stored form of a secret (recovery codes, feed tokens) or a short fingerprint.
public enum SHA256Hex {
    /// - Parameter bytes: how many of the digest's 32 bytes to keep (a fingerprint needs fewer).
    public static func of(_ text: String, bytes: Int = 32) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(bytes).map { String(format: "%02x", $0) }.joined()
    }
}
