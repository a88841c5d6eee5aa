import Fluent
import SQLKit

/// A cycle of inquiry may be scoped to the priority standards of a grade ("" when it is not).
struct InquiryCyclePriorityGradeMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(InquiryCycle.schema).field("priority_grade", .string, .required, .sql(.default(""))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InquiryCycle.schema).deleteField("priority_grade").update()
    }
}
