import Foundation

/// An email address with an optional display name, refused if it could break a header or an SMTP command.
public struct EmailAddress: Sendable, Equatable {
    public let address: String
    public let name: String

    /// Nil for anything that is not one plain `local@domain` (no spaces, angle brackets, commas, quotes or
    /// line breaks), so an address can never add a header or a recipient.
    public init?(_ address: String, name: String = "") {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), trimmed.utf8.count <= 254,
              trimmed.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && !"<>,;\"()[]\\".unicodeScalars.contains($0) }) else { return nil }
        self.address = trimmed
        self.name = name.filter { !$0.isNewline }
    }

    /// As a header gives it: `"Name" <address>`, the name encoded when it is not plain ASCII.
    var header: String {
        guard !name.isEmpty else { return "<\(address)>" }
        let plain = name.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 32 && $0 != "\"" && $0 != "\\" }
        return (plain ? "\"\(name)\"" : EmailMessage.encodedWord(name)) + " <\(address)>"
    }
}

/// One email as Lodestar sends it (RFC 5322 with MIME, RFC 2045–2047): a plain-text part and an HTML part of
/// the same words, each in base64 so no line is too long and no line starts a new header or ends the
/// message; a subject and names in other alphabets as encoded words; one-click unsubscribe (RFC 8058).
public struct EmailMessage: Sendable {
    public var from: EmailAddress
    public var to: EmailAddress
    public var subject: String
    public var text: String
    public var html: String
    /// The address that unsubscribes with one POST (RFC 8058), when the message is one a person can turn off.
    public var unsubscribe: String?
    public var messageID: String
    public var date: Date

    public init(from: EmailAddress, to: EmailAddress, subject: String, text: String, html: String, unsubscribe: String? = nil,
                messageID: String, date: Date) {
        self.from = from; self.to = to; self.subject = subject; self.text = text; self.html = html
        self.unsubscribe = unsubscribe; self.messageID = messageID; self.date = date
    }

    /// The message with CRLF line ends, ready for SMTP's DATA (before dot-stuffing).
    public func rendered(boundary: String) -> String {
        var lines = [
            "From: \(from.header)",
            "To: \(to.header)",
            "Subject: \(Self.headerText(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(messageID.filter { $0.isASCII && !$0.isWhitespace && $0 != "<" && $0 != ">" })>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
        ]
        if let unsubscribe, !unsubscribe.contains(where: { $0.isNewline || $0 == ">" }) {
            // Folded onto its own line: an address with its token is longer than a header line should be.
            lines.append("List-Unsubscribe:\r\n <\(unsubscribe)>")
            lines.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        }
        lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        lines.append("")
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            lines.append("--\(boundary)")
            lines.append("Content-Type: \(type); charset=utf-8")
            lines.append("Content-Transfer-Encoding: base64")
            lines.append("")
            lines.append(contentsOf: Self.base64Lines(Data(body.utf8)))
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Base64 in lines of 76 characters (RFC 2045 §6.8).
    static func base64Lines(_ data: Data) -> [String] {
        let encoded = Array(data.base64EncodedString().utf8)
        return stride(from: 0, to: encoded.count, by: 76).map { String(decoding: encoded[$0..<min($0 + 76, encoded.count)], as: UTF8.self) }
    }

    /// A header's text on one line: line breaks become spaces; anything but printable ASCII makes it an
    /// encoded word (RFC 2047), in pieces short enough for a header line.
    static func headerText(_ text: String) -> String {
        let line = text.map { $0.isNewline ? " " : String($0) }.joined()
        guard line.unicodeScalars.contains(where: { !$0.isASCII || $0.value < 32 }) else { return line }
        return encodedWord(line)
    }

    /// `=?UTF-8?B?…?=` words of at most 45 bytes of text each (60 base64 characters), never splitting a character.
    static func encodedWord(_ text: String) -> String {
        var words: [String] = [], piece = ""
        for character in text {
            if piece.utf8.count + String(character).utf8.count > 45 {
                words.append(piece)
                piece = ""
            }
            piece.append(character)
        }
        if !piece.isEmpty { words.append(piece) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// SMTP's DATA: a line that starts with a dot gets a second one (RFC 5321 §4.5.2), then the ending line.
    public static func dataSection(_ rendered: String) -> String {
        // "\r\n" is one Character in Swift: dropping the last one drops the whole line end.
        let body = rendered.hasSuffix("\r\n") ? String(rendered.dropLast()) : rendered
        return body.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n.\r\n"
    }
}

/// A reply from an SMTP server (RFC 5321 §4.2): a three-digit code, on one line or several (`250-…` then `250 …`).
public struct SMTPReply: Sendable, Equatable {
    public let code: Int
    public let lines: [String]

    /// 2xx and 3xx go on; 4xx is worth trying again later; 5xx will not succeed as it is.
    public var isPositive: Bool { code < 400 }
    public var isTransient: Bool { (400..<500).contains(code) }
    public var isPermanent: Bool { code >= 500 }
    public var text: String { lines.joined(separator: " ") }

    public init(code: Int, lines: [String]) { self.code = code; self.lines = lines }

    /// Reads replies from the lines received so far: the complete replies and the lines left over.
    /// A line that is not a reply at all is an error (the peer is not speaking SMTP).
    public static func parse(_ received: [String]) throws -> (replies: [SMTPReply], rest: [String]) {
        var replies: [SMTPReply] = [], pending: [String] = [], code: Int?
        for line in received {
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let value = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200...599).contains(value),
                  bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-") else {
                throw SMTPError.notSMTP(String(line.prefix(120)))
            }
            if let code, code != value { throw SMTPError.notSMTP(String(line.prefix(120))) }
            code = value
            pending.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") {
                replies.append(SMTPReply(code: value, lines: pending))
                pending = []
                code = nil
            }
        }
        return (replies, pending.isEmpty ? [] : received.suffix(pending.count))
    }
}

public enum SMTPError: Error, Equatable, Sendable {
    case notSMTP(String)
}
