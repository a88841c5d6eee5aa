import Foundation

/// One-use codes for signing in when the authenticator is lost: ten codes of ten Base32 characters
/// (50 random bits each), shown once and stored only as SHA-256 digests of their normalized form.
public enum RecoveryCodes {
    public static let count = 10

    /// New codes as people read them: "abcde-fghij".
    public static func generate() -> [String] {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        return (0..<count).map { _ in
            let characters = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
            return String(characters[0..<5]) + "-" + String(characters[5..<10])
        }
    }

    /// The stored form of a code as typed: lowercased, without spaces or hyphens, hashed.
    public static func digest(_ typed: String) -> String {
        let normalized = typed.lowercased().filter { !$0.isWhitespace && $0 != "-" }
        return SHA256Hex.of(normalized)
    }
}
