import Fluent

/// Assessments marked common for a grade: every class of that grade at the school is to give it.
struct CommonAssessmentMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("common_assessments")
            .field("id", .string, .identifier(auto: false)).field("grade", .string, .required)
            .field("marked_by", .string, .required).field("marked_at", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("common_assessments").delete()
    }
}
