import Foundation
import Testing
@testable import LodestarCore

@Suite("Email messages and SMTP replies")
struct EmailMessageTests {
    let from = EmailAddress("lodestar@cedarvalley.example.org", name: "Lodestar")!
    let to = EmailAddress("nora.washington@cedarvalley.example.org", name: "Nora Washington")!

    @Test func anAddressThatCouldAddAHeaderOrARecipientIsRefused() {
        #expect(EmailAddress("a@b.org") != nil)
        for bad in ["a@b.org\r\nBcc: x@y.org", "a b@c.org", "<a@b.org>", "a@b.org, c@d.org", "no-at-sign", "a@localhost", "@b.org", "a@b@c.org"] {
            #expect(EmailAddress(bad) == nil, "\(bad)")
        }
        #expect(EmailAddress("a@b.org", name: "Nora\r\nBcc: x@y.org")?.name == "NoraBcc: x@y.org")
    }

    @Test func theMessageIsTwoBase64PartsWithTheHeadersWrittenByHand() throws {
        let message = EmailMessage(from: from, to: to, subject: "New feedback from Jada Green", text: "Hello,\nsee it.\n.\n", html: "<p>Hello &amp; welcome</p>",
                                   unsubscribe: "https://lodestar.example.org/notifications/unsubscribe?token=abc", messageID: "n1@lodestar",
                                   date: Date(timeIntervalSince1970: 1_796_371_200))
        let rendered = message.rendered(boundary: "b1")
        let lines = rendered.components(separatedBy: "\r\n")
        #expect(Array(lines.prefix(11)) == [
            "From: \"Lodestar\" <lodestar@cedarvalley.example.org>",
            "To: \"Nora Washington\" <nora.washington@cedarvalley.example.org>",
            "Subject: New feedback from Jada Green",
            "Date: Fri, 04 Dec 2026 08:00:00 +0000",
            "Message-ID: <n1@lodestar>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "List-Unsubscribe:",
            " <https://lodestar.example.org/notifications/unsubscribe?token=abc>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "Content-Type: multipart/alternative; boundary=\"b1\"",
        ])
        // RFC 5322 §2.1.1: no line over 998 characters, and none over 78 but the folded unsubscribe address.
        #expect(lines.allSatisfy { $0.utf8.count <= 78 || ($0.hasPrefix(" <https://") && $0.utf8.count <= 998) })
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "bare line feeds")
        // The parts decode back to the words given: "SGVsbG8sCnNlZSBpdC4KLgo=" is base64 of the text, by hand.
        #expect(lines.contains("SGVsbG8sCnNlZSBpdC4KLgo="))
        #expect(lines.contains(Data("<p>Hello &amp; welcome</p>".utf8).base64EncodedString()))
        #expect(lines.suffix(2) == ["--b1--", ""])
    }

    @Test func wordsInOtherAlphabetsAreEncodedWordsAndLineBreaksCannotAddHeaders() {
        #expect(EmailMessage.headerText("Café") == "=?UTF-8?B?Q2Fmw6k=?=")
        #expect(EmailMessage.headerText("Hi\r\nBcc: x@y.org") == "Hi Bcc: x@y.org")
        let long = String(repeating: "Ñ", count: 40)
        let words = EmailMessage.encodedWord(long).components(separatedBy: "\r\n ")
        #expect(words.count == 2 && words.allSatisfy { $0.utf8.count <= 75 })
        #expect(EmailAddress("a@b.org", name: "José Núñez")!.header.hasPrefix("=?UTF-8?B?"))
    }

    @Test func dataIsDotStuffedAndEnded() {
        #expect(EmailMessage.dataSection("A\r\n.hidden\r\n..two\r\n") == "A\r\n..hidden\r\n...two\r\n.\r\n")
        #expect(EmailMessage.dataSection("A") == "A\r\n.\r\n")
    }

    @Test func repliesAreReadLineByLine() throws {
        let (replies, rest) = try SMTPReply.parse(["220 mail.example ESMTP", "250-mail.example", "250-STARTTLS", "250 AUTH PLAIN LOGIN", "354-start"])
        #expect(replies == [SMTPReply(code: 220, lines: ["mail.example ESMTP"]), SMTPReply(code: 250, lines: ["mail.example", "STARTTLS", "AUTH PLAIN LOGIN"])])
        #expect(rest == ["354-start"])
        #expect(replies[1].isPositive && !replies[1].isTransient)
        #expect(SMTPReply(code: 451, lines: []).isTransient && SMTPReply(code: 550, lines: []).isPermanent)
        #expect(throws: SMTPError.notSMTP("HTTP/1.1 400 Bad Request")) { try SMTPReply.parse(["HTTP/1.1 400 Bad Request"]) }
        #expect(throws: SMTPError.notSMTP("251 mixed")) { try SMTPReply.parse(["250-first", "251 mixed"]) }
    }
}
