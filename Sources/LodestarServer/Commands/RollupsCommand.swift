import Foundation
import LodestarCore
import Vapor

/// `lodestar rollups rebuild`: recomputes the dashboards' rollup tables from the raw rows — after a
/// restore, a manual fix in the database, or to check them.
struct RollupsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "rebuild") var action: String
    }

    var help: String { "Recomputes the rollup tables the dashboards read: rollups rebuild" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "rebuild" else { throw LodestarError("the only action is rebuild: lodestar rollups rebuild") }
        let start = Date()
        try await Rollups.rebuildAll(on: context.application.db)
        try await FeedbackDays.rebuild(on: context.application.db)
        context.console.print("Rebuilt the walkthrough, feedback and mastery rollups in \(String(format: "%.1f", Date().timeIntervalSince(start))) s.")
    }
}
