import Fluent
import SQLKit
import Foundation

// Roster tables are keyed by the source system's `sourcedId`, so a re-import updates the same rows.
// Bulk writes go through `RosterWriter` (SQLKit); these models serve ordinary reads.

/// A OneRoster organization: the district, a school, or another unit.
final class Org: Model, @unchecked Sendable {
    static let schema = "orgs"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "type") var type: String
    @Field(key: "identifier") var identifier: String
    @OptionalField(key: "parent_id") var parentId: String?
    init() {}

    /// Whether `id` names a school (not the district or another kind of org).
    static func isSchool(_ id: String, on db: any Database) async throws -> Bool {
        try await find(id, on: db)?.type == "school"
    }
}

final class AcademicSession: Model, @unchecked Sendable {
    static let schema = "academic_sessions"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "title") var title: String
    @Field(key: "type") var type: String
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String
    init() {}
}

final class Course: Model, @unchecked Sendable {
    static let schema = "courses"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "title") var title: String
    @Field(key: "course_code") var courseCode: String
    init() {}
}

/// A class section: a group of students with their teachers (OneRoster `class`).
final class SchoolClass: Model, @unchecked Sendable {
    static let schema = "classes"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "title") var title: String
    @Field(key: "grades") var grades: String
    @OptionalField(key: "course_id") var courseId: String?
    @Field(key: "class_code") var classCode: String
    @Field(key: "class_type") var classType: String
    @Field(key: "location") var location: String
    @Field(key: "school_id") var schoolId: String
    @Field(key: "subjects") var subjects: String
    @Field(key: "periods") var periods: String
    init() {}
}

/// A student, with the demographics and program flags used only for disaggregated, suppressed aggregates.
final class Student: Model, @unchecked Sendable {
    static let schema = "students"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "given_name") var givenName: String
    @Field(key: "family_name") var familyName: String
    @Field(key: "preferred_name") var preferredName: String
    @Field(key: "identifier") var identifier: String
    @Field(key: "grade") var grade: String
    @Field(key: "school_id") var schoolId: String
    @OptionalField(key: "birth_date") var birthDate: String?
    @Field(key: "sex") var sex: String
    @Field(key: "race_ethnicity") var raceEthnicity: String
    @Field(key: "english_learner") var englishLearner: Bool
    @Field(key: "special_education") var specialEducation: Bool
    @Field(key: "section_504") var section504: Bool
    @Field(key: "economically_disadvantaged") var economicallyDisadvantaged: Bool
    @Field(key: "gifted") var gifted: Bool
    init() {}

    var displayName: String { "\(preferredName.isEmpty ? givenName : preferredName) \(familyName)" }
}

/// A student's or staff member's place in a class.
final class Enrollment: Model, @unchecked Sendable {
    static let schema = "enrollments"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "class_id") var classId: String
    @Field(key: "user_id") var userId: String
    @Field(key: "role") var role: String
    @Field(key: "school_id") var schoolId: String
    init() {}
}

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
