import Fluent
import Foundation
import LodestarCore
import SQLKit

/// District totals in the mastery rollup (school ""), and an index for reading by school and grade.
struct MasteryDistrictTotalsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("CREATE INDEX rollup_mastery_months_school ON rollup_mastery_months (school_id, grade)").run()
        try await MasteryRollup.recompute(on: database)
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX rollup_mastery_months_school").run()
    }
}
