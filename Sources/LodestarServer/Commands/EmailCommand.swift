import Foundation
import LodestarCore
import Vapor

/// `lodestar email digest`: writes everyone's digest now, of every notification waiting for one, instead of at
/// the digest hour; `lodestar email weekly`: the school leaders' Monday summaries now, to those without one this
/// week. The running server's worker sends them. For a district trying email out, and for the tests.
struct EmailCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "digest or weekly") var action: String
    }

    var help: String { "Writes the email digests (email digest) or the Monday summaries (email weekly) now instead of at 7:00" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard ["digest", "weekly"].contains(signature.action) else { throw LodestarError("the actions are digest and weekly: lodestar email digest") }
        guard let settings = context.application.mail else { throw LodestarError("email is off: set LODESTAR_SMTP_URL (see the README)") }
        let now = Int(Date().timeIntervalSince1970)
        let delivery = EmailDelivery(settings: settings, db: context.application.db)
        let before = try await delivery.waitingEmails()
        if signature.action == "digest" {
            try await delivery.writeDigests(before: now + 1, now: now)
        } else {
            try await delivery.writeWeeklySummaries(now: now, anyDay: true)
        }
        let after = try await delivery.waitingEmails()
        context.console.print("Wrote \(after - before) email\(after - before == 1 ? "" : "s"); the server sends them within seconds.")
    }
}
