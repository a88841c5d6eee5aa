import Fluent
import SQLKit

/// The resource ledger: the kinds a district allocates, each school's allocations with the decision behind them, the
/// log of their changes, and whether budget figures are hidden from coaches and teacher leaders.
struct ResourceLedgerMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("resource_kinds")
            .field("id", .string, .identifier(auto: false))
            .field("name", .string, .required).field("unit", .string, .required).field("budget", .bool, .required)
            .field("created_by", .string, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema("resource_allocations")
            .field("id", .string, .identifier(auto: false))
            .field("school_id", .string, .required).field("kind_id", .string, .required).field("amount", .double, .required)
            .field("starts_on", .string, .required).field("ends_on", .string, .required).field("funding", .string, .required)
            .field("priority", .string, .required).field("reaches", .string, .required)
            .field("decided_by", .string, .required).field("evidence", .string, .required).field("reason", .string, .required)
            .field("recorded_by", .string, .required).field("created_at", .int64, .required).field("updated_at", .int64, .required)
            .create()
        try await database.schema("allocation_changes")
            .field("id", .string, .identifier(auto: false))
            .field("allocation_id", .string, .required).field("changed_by", .string, .required).field("changed_at", .int64, .required)
            .field("what", .string, .required).field("reason", .string, .required)
            .create()
        try await database.schema("ledger_settings")
            .field("id", .string, .identifier(auto: false)).field("hide_budget", .bool, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX resource_allocations_school ON resource_allocations (school_id, starts_on)").run()
        try await sql.raw("CREATE INDEX allocation_changes_allocation ON allocation_changes (allocation_id)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["ledger_settings", "allocation_changes", "resource_allocations", "resource_kinds"] { try await database.schema(table).delete() }
    }
}
