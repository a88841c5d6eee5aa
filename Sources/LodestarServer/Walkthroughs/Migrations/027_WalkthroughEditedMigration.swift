import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Walkthroughs remember when shared feedback was edited.
struct WalkthroughEditedMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Walkthrough.schema).field("edited_at", .int64).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Walkthrough.schema).deleteField("edited_at").update()
    }
}
