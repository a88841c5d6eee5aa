import Foundation

/// An address that opens outside Lodestar: `https` with a host, no spaces, backslashes, quotes or angle brackets,
/// at most `maxLength` characters. The library's links and a decision's evidence links both take only these.
public enum WebLink {
    public static func isHTTPS(_ text: String, maxLength: Int = 500) -> Bool {
        guard !text.isEmpty, text.count <= maxLength, !text.contains(where: { $0.isWhitespace || $0 == "\\" || $0 == "\"" || $0 == "<" || $0 == ">" }),
              let url = URL(string: text), url.scheme?.lowercased() == "https", let host = url.host, !host.isEmpty else { return false }
        return true
    }
}
