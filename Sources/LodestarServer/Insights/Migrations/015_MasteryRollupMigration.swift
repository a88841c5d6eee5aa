import Fluent
import Foundation
import LodestarCore
import SQLKit

struct MasteryRollupMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(MasteryRollup.pairsTable)
            .field("id", .string, .identifier(auto: false)).field("student_id", .string, .required).field("standard_id", .string, .required)
            .field("school_id", .string, .required).field("grade", .string, .required).field("groups", .string, .required).field("timeline", .string, .required)
            .create()
        try await database.schema(MasteryRollup.table)
            .field("id", .string, .identifier(auto: false)).field("school_id", .string, .required).field("grade", .string, .required)
            .field("standard_id", .string, .required).field("group_key", .string, .required).field("month", .string, .required)
            .field("evidence", .int64, .required).field("at_or_above", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX mastery_pairs_student ON mastery_pairs (student_id, standard_id)").run()
        try await sql.raw("CREATE INDEX rollup_mastery_months_group ON rollup_mastery_months (group_key, school_id)").run()
        try await MasteryRollup.recompute(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MasteryRollup.table).delete()
        try await database.schema(MasteryRollup.pairsTable).delete()
    }
}
