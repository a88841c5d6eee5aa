import Fluent
import SQLKit
import Foundation

/// Creates the roster tables. Shipped migrations are never edited; changes come as new migrations.
struct RosterMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("orgs")
            .field("id", .string, .identifier(auto: false))
            .field("name", .string, .required).field("type", .string, .required)
            .field("identifier", .string, .required).field("parent_id", .string)
            .create()
        try await database.schema("academic_sessions")
            .field("id", .string, .identifier(auto: false))
            .field("title", .string, .required).field("type", .string, .required)
            .field("start_date", .string, .required).field("end_date", .string, .required)
            .field("parent_id", .string).field("school_year", .string, .required)
            .create()
        try await database.schema("courses")
            .field("id", .string, .identifier(auto: false))
            .field("title", .string, .required).field("course_code", .string, .required)
            .field("grades", .string, .required).field("org_id", .string).field("subjects", .string, .required)
            .create()
        try await database.schema("classes")
            .field("id", .string, .identifier(auto: false))
            .field("title", .string, .required).field("grades", .string, .required).field("course_id", .string)
            .field("class_code", .string, .required).field("class_type", .string, .required)
            .field("location", .string, .required).field("school_id", .string, .required)
            .field("term_ids", .string, .required).field("subjects", .string, .required)
            .field("periods", .string, .required)
            .create()
        try await database.schema("students")
            .field("id", .string, .identifier(auto: false))
            .field("given_name", .string, .required).field("family_name", .string, .required)
            .field("preferred_name", .string, .required).field("identifier", .string, .required)
            .field("username", .string, .required).field("grade", .string, .required)
            .field("school_id", .string, .required).field("birth_date", .string)
            .field("sex", .string, .required).field("race_ethnicity", .string, .required)
            .field("english_learner", .bool, .required).field("special_education", .bool, .required)
            .field("section_504", .bool, .required).field("economically_disadvantaged", .bool, .required)
            .field("gifted", .bool, .required)
            .create()
        try await database.schema("enrollments")
            .field("id", .string, .identifier(auto: false))
            .field("class_id", .string, .required).field("user_id", .string, .required)
            .field("role", .string, .required).field("is_primary", .bool, .required)
            .field("begin_date", .string).field("end_date", .string)
            .field("school_id", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        for statement in [
            "CREATE INDEX classes_school ON classes (school_id)",
            "CREATE INDEX students_school_grade ON students (school_id, grade)",
            "CREATE INDEX students_family_name ON students (family_name)",
            "CREATE INDEX enrollments_class ON enrollments (class_id)",
            "CREATE INDEX enrollments_user ON enrollments (user_id)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["enrollments", "students", "classes", "courses", "academic_sessions", "orgs"] {
            try await database.schema(table).delete()
        }
    }
}
