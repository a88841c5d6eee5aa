import Fluent
import Foundation
import LodestarCore
import SQLKit

struct AssessmentMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("assessments")
            .field("id", .string, .identifier(auto: false))
            .field("title", .string, .required).field("assessed_on", .string, .required).field("scale_id", .string, .required)
            .field("school_id", .string, .required).field("created_by", .string, .required).field("created_at", .int64, .required)
            .create()
        for (table, column) in [("assessment_classes", "class_id"), ("assessment_standards", "standard_id")] {
            try await database.schema(table)
                .field("id", .string, .identifier(auto: false))
                .field("assessment_id", .string, .required).field(FieldKey(stringLiteral: column), .string, .required)
                .create()
        }
        try await database.schema("scores")
            .field("id", .string, .identifier(auto: false))
            .field("assessment_id", .string, .required).field("student_id", .string, .required).field("standard_id", .string, .required)
            .field("value", .double, .required).field("entered_at", .int64, .required).field("entered_by", .string, .required)
            .create()
        try await database.schema("proficiency_scales")
            .field("id", .string, .identifier(auto: false)).field("name", .string, .required).field("definition", .string, .required)
            .create()
        try await database.schema("mastery_settings")
            .field("id", .string, .identifier(auto: false)).field("method", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        for statement in [
            "CREATE INDEX assessment_classes_class ON assessment_classes (class_id)",
            "CREATE INDEX assessment_classes_assessment ON assessment_classes (assessment_id)",
            "CREATE INDEX assessment_standards_assessment ON assessment_standards (assessment_id)",
            "CREATE INDEX scores_student_standard ON scores (student_id, standard_id)",
            "CREATE INDEX scores_assessment ON scores (assessment_id)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["mastery_settings", "proficiency_scales", "scores", "assessment_standards", "assessment_classes", "assessments"] {
            try await database.schema(table).delete()
        }
    }
}
