import Fluent
import SQLKit

/// When a teacher first appeared on a school's roster: what tells induction who is new this year.
struct StaffArrivalsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("staff_arrivals")
            .field("id", .string, .identifier(auto: false))
            .field("staff_id", .string, .required).field("school_id", .string, .required).field("arrived_on", .string, .required)
            .field("recorded_at", .int64, .required)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX staff_arrivals_school ON staff_arrivals (school_id, arrived_on)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("staff_arrivals").delete()
    }
}
