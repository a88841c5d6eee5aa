import Fluent
import Foundation
import LodestarCore
import SQLKit

/// District totals in the walkthrough rollup (school "").
struct IndicatorDistrictTotalsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await IndicatorRollup.recompute(on: database)
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DELETE FROM rollup_indicator_months WHERE school_id = ''").run()
    }
}
