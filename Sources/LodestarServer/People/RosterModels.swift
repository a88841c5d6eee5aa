import Fluent
import LodestarCore
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

    /// An org as stored, from a row read by position in the columns' order above.
    convenience init(stored row: [Cell]) {
        self.init()
        id = row[0].text
        $id.exists = true
        name = row[1].text ?? ""
        type = row[2].text ?? ""
        identifier = row[3].text ?? ""
        parentId = row[4].text
    }

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

    /// The keys of the `StudentGroup`s the student belongs to.
    var groupKeys: [String] {
        Self.groupKeys(raceEthnicity: raceEthnicity, sex: sex, englishLearner: englishLearner, specialEducation: specialEducation,
                       section504: section504, economicallyDisadvantaged: economicallyDisadvantaged, gifted: gifted)
    }

    static func groupKeys(raceEthnicity: String, sex: String, englishLearner: Bool, specialEducation: Bool, section504: Bool,
                          economicallyDisadvantaged: Bool, gifted: Bool) -> [String] {
        StudentGroup.all.filter { group in
            switch group {
            case .raceEthnicity(let race): race.rawValue == raceEthnicity
            case .sex(let value): value == sex
            case .englishLearner: englishLearner
            case .specialEducation: specialEducation
            case .section504: section504
            case .economicallyDisadvantaged: economicallyDisadvantaged
            case .gifted: gifted
            }
        }.map(\.key)
    }
}

/// A student's or staff member's place in a class.
/// A teacher's first day on a school's roster, recorded when an import adds them after the district's first one.
final class StaffArrival: Model, @unchecked Sendable {
    static let schema = "staff_arrivals"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "staff_id") var staffId: String
    @Field(key: "school_id") var schoolId: String
    /// The earliest begin date of their teaching enrollments there, or the day of the import when the roster gives none.
    @Field(key: "arrived_on") var arrivedOn: String
    @Field(key: "recorded_at") var recordedAt: Int
    init() {}
}

final class Enrollment: Model, @unchecked Sendable {
    static let schema = "enrollments"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "class_id") var classId: String
    @Field(key: "user_id") var userId: String
    @Field(key: "role") var role: String
    @Field(key: "school_id") var schoolId: String
    init() {}
}
