import Foundation
import LodestarCore
import Vapor

/// `lodestar email digest`: writes everyone's digest now, of every notification waiting for one, instead of at
/// the digest hour; the running server's worker sends them. For a district trying email out, and for the tests.
struct EmailCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "digest") var action: String
    }

    var help: String { "Writes the email digests now instead of at 7:00: email digest" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "digest" else { throw LodestarError("the only action is digest: lodestar email digest") }
        guard let settings = context.application.mail else { throw LodestarError("email is off: set LODESTAR_SMTP_URL (see the README)") }
        let now = Int(Date().timeIntervalSince1970)
        let before = try await EmailDelivery(settings: settings, db: context.application.db).waitingEmails()
        try await EmailDelivery(settings: settings, db: context.application.db).writeDigests(before: now + 1, now: now)
        let after = try await EmailDelivery(settings: settings, db: context.application.db).waitingEmails()
        context.console.print("Wrote \(after - before) digest\(after - before == 1 ? "" : "s"); the server sends them within seconds.")
    }
}
