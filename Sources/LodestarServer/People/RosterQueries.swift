import Fluent
import Foundation
import LodestarCore
import SQLKit

/// People's front door: the questions the roster pages ask, and the ones other features ask of the roster
/// (schools, classes, who teaches whom, the school calendar's terms), each one query.
struct RosterQueries {
    let database: any Database
    var db: any SQLDatabase { database.sql }

    init(_ database: any Database) { self.database = database }

    /// Start of the semester or term running now, else of the school year, else 90 days ago.
    func currentTermStart(now: Int) async throws -> Int {
        let today = DisplayTime.isoDay(now)
        let row = try await db.raw("""
            SELECT start_date FROM academic_sessions
            WHERE start_date <= \(bind: today) AND end_date >= \(bind: today) AND type IN ('semester', 'term', 'schoolyear')
            ORDER BY CASE type WHEN 'schoolyear' THEN 1 ELSE 0 END, start_date DESC
            """).first()
        guard let start = try row?.decode(column: "start_date", as: String.self), let date = DisplayTime.date(fromISODay: start) else {
            return now - 90 * 86_400
        }
        return Int(date.timeIntervalSince1970)
    }


    /// When a class meets, for people: homerooms meet all day, others in their periods.
    static let periodLabel = "CASE WHEN c.class_type = 'homeroom' THEN 'All day' ELSE c.periods END"

    struct SchoolSummary: Codable, Sendable {
        var id: String
        var name: String
        var students: Int
        var teachers: Int
        var classes: Int
    }

    /// Schools with their counts, limited to `ids` unless nil (district roles).
    func schools(limitedTo ids: Set<String>?) async throws -> [SchoolSummary] {
        let teachers = try await StaffDirectory(db: database).counts(of: .teacher)
        let rows = try await db.raw("""
            SELECT o.id, o.name,
              (SELECT COUNT(*) FROM students s WHERE s.school_id = o.id) AS students, 0 AS teachers,
              (SELECT COUNT(*) FROM classes c WHERE c.school_id = o.id) AS classes
            FROM orgs o WHERE o.type = 'school' ORDER BY o.name
            """).all(decoding: SchoolSummary.self).map { school in
                var school = school
                school.teachers = teachers[school.id] ?? 0
                return school
            }
        guard let ids else { return rows }
        return rows.filter { ids.contains($0.id) }
    }

    func school(_ id: String) async throws -> SchoolSummary? {
        try await schools(limitedTo: [id]).first
    }

    struct StudentRow: Codable, Sendable {
        var id: String
        var givenName: String
        var familyName: String
        var preferredName: String
        var identifier: String
        var grade: String
        var englishLearner: Bool
        var specialEducation: Bool
        var section504: Bool
        var economicallyDisadvantaged: Bool
        var gifted: Bool
    }

    /// Program filters offered on the roster, each a column of `students`.
    static let programFilters: [(key: String, label: String, column: String)] = [
        ("el", "English learner", "english_learner"), ("sped", "Special education (IEP)", "special_education"),
        ("504", "Section 504", "section_504"), ("ed", "Economically disadvantaged", "economically_disadvantaged"),
        ("gifted", "Gifted", "gifted"),
    ]

    struct StudentFilter: Sendable {
        var search = ""
        var grade = ""
        var program = ""
        var page = 1
        static let pageSize = 50
    }

    /// One page of a school's students, with the total matching the filter.
    func students(inSchool schoolId: String, filter: StudentFilter) async throws -> (rows: [StudentRow], total: Int) {
        var conditions: [any SQLExpression] = [SQLBinaryExpression(SQLColumn("school_id"), .equal, SQLBind(schoolId))]
        if !filter.search.isEmpty {
            let pattern = "%" + filter.search.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            conditions.append(SQLQueryString("(LOWER(given_name) LIKE \(bind: pattern) OR LOWER(family_name) LIKE \(bind: pattern) OR LOWER(preferred_name) LIKE \(bind: pattern) OR identifier LIKE \(bind: pattern))"))
        }
        if !filter.grade.isEmpty { conditions.append(SQLBinaryExpression(SQLColumn("grade"), .equal, SQLBind(filter.grade))) }
        if let program = Self.programFilters.first(where: { $0.key == filter.program }) {
            conditions.append(SQLBinaryExpression(SQLColumn(program.column), .equal, SQLBind(true)))
        }
        let condition = SQLList(conditions, separator: SQLRaw(" AND "))
        let total = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("students").where(condition)
            .first()?.decode(column: "n", as: Int.self) ?? 0
        let rows = try await db.select()
            .columns("id", "given_name", "family_name", "preferred_name", "identifier", "grade", "english_learner",
                     "special_education", "economically_disadvantaged", "gifted")
            .column(SQLColumn("section_504"), as: "section504")
            .from("students").where(condition)
            .orderBy("family_name").orderBy("given_name").orderBy("id")
            .limit(StudentFilter.pageSize).offset((max(filter.page, 1) - 1) * StudentFilter.pageSize)
            .all(decoding: StudentRow.self, keyDecodingStrategy: .snakeCase)
        return (rows, total)
    }

    /// The grades of a school's students (nil: the district's), in grade order.
    func grades(inSchool schoolId: String?) async throws -> [String] {
        var query: SQLQueryString = "SELECT DISTINCT grade FROM students"
        if let schoolId { query += " WHERE school_id = \(bind: schoolId)" }
        return try await db.raw(query).all()
            .map { try $0.decode(column: "grade", as: String.self) }
            .sorted { GradeLevel.sortKey($0) < GradeLevel.sortKey($1) }
    }

    struct TeacherRow: Codable, Sendable {
        var id: String
        var givenName: String
        var familyName: String
        var email: String
        var classes: Int
    }

    func teachers(inSchool schoolId: String) async throws -> [TeacherRow] {
        var classes: [String: Int] = [:]
        for row in try await db.raw("""
            SELECT e.user_id, COUNT(*) AS n FROM enrollments e JOIN classes c ON c.id = e.class_id
            WHERE e.role = 'teacher' AND c.school_id = \(bind: schoolId) GROUP BY e.user_id
            """).all() {
            classes[try row.decode(column: "user_id", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return try await StaffDirectory(db: database).people(holding: [.teacher], atSchools: [schoolId]).map {
            TeacherRow(id: $0.id, givenName: $0.givenName, familyName: $0.familyName, email: $0.email, classes: classes[$0.id] ?? 0)
        }
    }

    struct ClassRow: Codable, Sendable {
        var id: String
        var title: String
        var grades: String
        var subjects: String
        var periods: String
        var location: String
        var students: Int
        var teachers: String?
    }

    /// Classes of a school, or only those a teacher teaches.
    func classes(inSchool schoolId: String? = nil, taughtBy staffId: String? = nil) async throws -> [ClassRow] {
        var query: SQLQueryString = """
            SELECT c.id, c.title, c.grades, c.subjects, \(unsafeRaw: Self.periodLabel) AS periods, c.location,
              (SELECT COUNT(*) FROM enrollments e WHERE e.class_id = c.id AND e.role = 'student') AS students
            FROM classes c WHERE 1 = 1
            """
        if let schoolId { query.appendInterpolation(unsafeRaw: " AND c.school_id = "); query.appendInterpolation(bind: schoolId) }
        if let staffId {
            query.appendInterpolation(unsafeRaw: " AND c.id IN (SELECT class_id FROM enrollments WHERE role = 'teacher' AND user_id = ")
            query.appendInterpolation(bind: staffId)
            query.appendInterpolation(unsafeRaw: ")")
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY c.periods, c.title")
        var rows = try await db.raw(query).all(decoding: ClassRow.self, keyDecodingStrategy: .snakeCase)
        let teachers = try await teacherNames(ofClasses: rows.map(\.id))
        for index in rows.indices { rows[index].teachers = teachers[rows[index].id] }
        return rows
    }

    /// The name shown as each class's teacher: the first by name when a class has more than one.
    func teacherNames(ofClasses classIds: [String]) async throws -> [String: String] {
        var teachersOf: [String: [String]] = [:]
        for batch in Array(Set(classIds)).chunks(of: 1_000) {
            for row in try await db.raw("SELECT class_id, user_id FROM enrollments WHERE role = 'teacher' AND class_id IN (\(binds: batch))").all() {
                teachersOf[try row.decode(column: "class_id", as: String.self), default: []].append(try row.decode(column: "user_id", as: String.self))
            }
        }
        let names = try await Staff.names(of: teachersOf.values.joined(), on: database)
        return teachersOf.compactMapValues { ids in ids.compactMap { names[$0] }.min() }
    }

    /// A class and one of its rostered teachers.
    struct TaughtClass: Sendable {
        var teacherId: String
        var id: String
        var title: String
        var periods: [String]
        var isHomeroom: Bool
    }

    /// Every class taught at `schools` (nil: the district), once per teacher, by period then title.
    func classesTaught(atSchools schools: [String]?) async throws -> [TaughtClass] {
        var place: SQLQueryString = ""
        if let schools { place = schools.isEmpty ? " AND 1 = 0" : " AND c.school_id IN (\(binds: schools))" }
        return try await db.raw("""
            SELECT e.user_id, c.id, c.title, c.periods, c.class_type FROM enrollments e JOIN classes c ON c.id = e.class_id
            WHERE e.role = 'teacher'\(place) ORDER BY c.periods, c.title
            """).all().map {
            TaughtClass(teacherId: try $0.decode(column: "user_id", as: String.self), id: try $0.decode(column: "id", as: String.self),
                        title: try $0.decode(column: "title", as: String.self),
                        periods: try $0.decode(column: "periods", as: String.self).split(separator: ",").map(String.init),
                        isHomeroom: try $0.decode(column: "class_type", as: String.self) == "homeroom")
        }
    }

    /// True when `staffId` is rostered as a teacher of the class.
    func teaches(staffId: String, classId: String) async throws -> Bool {
        try await db.raw("SELECT 1 AS yes FROM enrollments WHERE class_id = \(bind: classId) AND user_id = \(bind: staffId) AND role = 'teacher'")
            .first() != nil
    }

    /// The school, grades and subjects of a class `staffId` is rostered to teach, nil when they do not teach it:
    /// one query read by position, as every walkthrough of a class asks.
    func taughtClass(staffId: String, classId: String) async throws -> (schoolId: String, grades: String, subjects: String)? {
        guard let row = try await db.rowsByPosition("""
            SELECT c.school_id, c.grades, c.subjects FROM enrollments e JOIN classes c ON c.id = e.class_id
            WHERE e.class_id = ? AND e.user_id = ? AND e.role = 'teacher'
            """, [.text(classId), .text(staffId)], kinds: [.text, .text, .text]).first else { return nil }
        return (row[0].text ?? "", row[1].text ?? "", row[2].text ?? "")
    }

    /// True when `staffId` teaches a class the student is enrolled in.
    func teaches(staffId: String, studentId: String) async throws -> Bool {
        try await db.raw("""
            SELECT 1 AS yes FROM enrollments s JOIN enrollments t ON t.class_id = s.class_id
            WHERE s.user_id = \(bind: studentId) AND s.role = 'student' AND t.user_id = \(bind: staffId) AND t.role = 'teacher'
            """).first() != nil
    }

    struct EnrolledStudent: Codable, Sendable {
        var id: String
        var givenName: String
        var familyName: String
        var preferredName: String
        var grade: String
    }

    func students(inClass classId: String) async throws -> [EnrolledStudent] {
        try await db.raw("""
            SELECT s.id, s.given_name, s.family_name, s.preferred_name, s.grade FROM enrollments e JOIN students s ON s.id = e.user_id
            WHERE e.class_id = \(bind: classId) AND e.role = 'student' ORDER BY s.family_name, s.given_name
            """).all(decoding: EnrolledStudent.self, keyDecodingStrategy: .snakeCase)
    }

    /// A student's record as the roster holds it, every column.
    func studentRecord(_ studentId: String) async throws -> [any SQLRow] {
        try await db.raw("SELECT * FROM students WHERE id = \(bind: studentId)").all()
    }

    /// A student's enrollments with each class's title.
    func enrollmentRecords(ofStudent studentId: String) async throws -> [any SQLRow] {
        try await db.raw("""
            SELECT e.class_id, c.title AS class_title, e.school_id, e.role, e.begin_date, e.end_date FROM enrollments e
            LEFT JOIN classes c ON c.id = e.class_id WHERE e.user_id = \(bind: studentId) ORDER BY c.title
            """).all()
    }

    /// Each student at a school (nil: the district), in a grade and a student group when given, with their school.
    func schoolsOfStudents(inSchool schoolId: String?, grade: String?, group: StudentGroup?) async throws -> [String: String] {
        var query: SQLQueryString = "SELECT s.id, s.school_id FROM students s WHERE 1 = 1"
        if let schoolId { query += " AND s.school_id = \(bind: schoolId)" }
        if let grade, !grade.isEmpty { query += " AND s.grade = \(bind: grade)" }
        if let group {
            let column = group.column
            if let value = column.equals { query += " AND s.\(ident: column.name) = \(bind: value)" } else { query += " AND s.\(ident: column.name) = \(bind: true)" }
        }
        var schools: [String: String] = [:]
        for row in try await db.raw(query).all() { schools[try row.decode(column: "id", as: String.self)] = try row.decode(column: "school_id", as: String.self) }
        return schools
    }

    /// A school's students, by family name, given name and id.
    func students(ofSchool schoolId: String) async throws -> [Student] {
        try await Student.query(on: database).filter(\.$schoolId == schoolId).sort(\.$familyName).sort(\.$givenName).sort(\.$id).all()
    }

    /// Each student of a school with their grade.
    func studentGrades(inSchool schoolId: String) async throws -> [(id: String, grade: String)] {
        try await db.raw("SELECT id, grade FROM students WHERE school_id = \(bind: schoolId) ORDER BY id").all()
            .map { (id: try $0.decode(column: "id", as: String.self), grade: try $0.decode(column: "grade", as: String.self)) }
    }

    /// The students in a grade, of one school or (nil) the whole district.
    func studentIds(inGrade grade: String, atSchool schoolId: String?) async throws -> [String] {
        var query = Student.query(on: database).filter(\.$grade == grade)
        if let schoolId { query = query.filter(\.$schoolId == schoolId) }
        return try await query.all(\.$id)
    }

    /// Which students are enrolled in which of `classIds`, as (class, student) pairs.
    func studentEnrollments(inClasses classIds: [String]) async throws -> [(classId: String, studentId: String)] {
        guard !classIds.isEmpty else { return [] }
        return try await db.raw("SELECT class_id, user_id FROM enrollments WHERE role = 'student' AND class_id IN (\(binds: classIds))").all()
            .map { (classId: try $0.decode(column: "class_id", as: String.self), studentId: try $0.decode(column: "user_id", as: String.self)) }
    }

    /// Students in the classes `teachers` teach.
    func students(taughtBy teachers: [String]) async throws -> Set<String> {
        var students: Set<String> = []
        for chunk in teachers.chunks(of: 500) {
            for row in try await db.raw("""
                SELECT DISTINCT s.user_id FROM enrollments t JOIN enrollments s ON s.class_id = t.class_id AND s.role = 'student'
                WHERE t.role = 'teacher' AND t.user_id IN (\(binds: chunk))
                """).all() {
                students.insert(try row.decode(column: "user_id", as: String.self))
            }
        }
        return students
    }

    /// Classes `teachers` teach.
    func classIds(taughtBy teachers: [String]) async throws -> [String] {
        guard !teachers.isEmpty else { return [] }
        return try await db.raw("SELECT DISTINCT class_id FROM enrollments WHERE role = 'teacher' AND user_id IN (\(binds: teachers)) ORDER BY class_id").all()
            .map { try $0.decode(column: "class_id", as: String.self) }
    }

    /// A school's enrollments: each class's students and its other members (teachers).
    func enrollments(atSchool schoolId: String) async throws -> (students: [String: [String]], teachers: [String: [String]]) {
        var students: [String: [String]] = [:], teachers: [String: [String]] = [:]
        for row in try await db.raw("SELECT class_id, user_id, role FROM enrollments WHERE school_id = \(bind: schoolId)").all() {
            let classId = try row.decode(column: "class_id", as: String.self), user = try row.decode(column: "user_id", as: String.self)
            if try row.decode(column: "role", as: String.self) == "student" { students[classId, default: []].append(user) } else { teachers[classId, default: []].append(user) }
        }
        return (students, teachers)
    }

    /// Students enrolled in any of `classIds`, once each, by name.
    func students(inClasses classIds: [String]) async throws -> [EnrolledStudent] {
        guard !classIds.isEmpty else { return [] }
        return try await db.raw("""
            SELECT DISTINCT s.id, s.given_name, s.family_name, s.preferred_name, s.grade FROM enrollments e JOIN students s ON s.id = e.user_id
            WHERE e.role = 'student' AND e.class_id IN (\(binds: classIds)) ORDER BY s.family_name, s.given_name, s.id
            """).all(decoding: EnrolledStudent.self, keyDecodingStrategy: .snakeCase)
    }

    struct StudentClass: Codable, Sendable {
        var id: String
        var title: String
        var periods: String
        var teacher: String?
    }

    func classes(ofStudent studentId: String) async throws -> [StudentClass] {
        var rows = try await db.raw("""
            SELECT c.id, c.title, \(unsafeRaw: Self.periodLabel) AS periods
            FROM enrollments e JOIN classes c ON c.id = e.class_id
            WHERE e.user_id = \(bind: studentId) AND e.role = 'student' ORDER BY c.periods, c.title
            """).all(decoding: StudentClass.self, keyDecodingStrategy: .snakeCase)
        let teachers = try await teacherNames(ofClasses: rows.map(\.id))
        for index in rows.indices { rows[index].teacher = teachers[rows[index].id] }
        return rows
    }

    /// The student's schools: the primary school and those of their classes.
    func schoolIds(ofStudent studentId: String, primary: String) async throws -> Set<String> {
        let rows = try await db.raw("SELECT DISTINCT school_id FROM enrollments WHERE user_id = \(bind: studentId)").all()
        return Set(try rows.map { try $0.decode(column: "school_id", as: String.self) }).union([primary])
    }

    /// Names of schools where nobody holds the principal role.
    func schoolsWithoutPrincipal() async throws -> [String] {
        let led = try await StaffDirectory(db: database).counts(of: .principal)
        return try await db.raw("SELECT id, name FROM orgs o WHERE o.type = 'school' ORDER BY name").all()
            .filter { led[try $0.decode(column: "id", as: String.self)] == nil }.map { try $0.decode(column: "name", as: String.self) }
    }

    /// Every school, by name.
    func schoolOrgs() async throws -> [Org] {
        // Read by position: every insight page lists the schools, and Fluent reads a model's fields by reflection.
        try await database.sql.rowsByPosition("SELECT id, name, type, identifier, parent_id FROM orgs WHERE type = ? ORDER BY name",
                                              [.text("school")], kinds: [.text, .text, .text, .text, .optionalText]).map(Org.init(stored:))
    }

    /// A school or the district, by its sourcedId.
    func org(_ id: String) async throws -> Org? { try await Org.find(id, on: database) }

    /// The district's name as the roster gives it.
    func districtName() async throws -> String {
        try await Org.query(on: database).filter(\.$type == "district").first()?.name ?? "The district"
    }

    /// Every org's name (schools and the district), by id.
    func orgNames() async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await Org.query(on: database).all().map { ($0.id!, $0.name) })
    }

    func schoolClass(_ id: String) async throws -> SchoolClass? { try await SchoolClass.find(id, on: database) }

    func schoolClasses(_ ids: some Collection<String>) async throws -> [SchoolClass] {
        try await SchoolClass.query(on: database).filter(\.$id ~~ Array(ids)).all()
    }

    func student(_ id: String) async throws -> Student? { try await Student.find(id, on: database) }

    /// Each student's school, grade and group keys, read by position (no model decoded): the mastery rollup
    /// asks for a thousand students at a time, and an import for every student it touches.
    func schoolGradeAndGroups(ofStudents ids: [String]) async throws -> [String: (school: String, grade: String, groups: [String])] {
        var result: [String: (school: String, grade: String, groups: [String])] = [:]
        for batch in ids.chunks(of: 1_000) {
            let rows = try await db.rowsByPosition("""
                SELECT id, school_id, grade, sex, race_ethnicity, english_learner, special_education, section_504, economically_disadvantaged, gifted
                FROM students WHERE id IN (\(Cell.placeholders(batch.count)))
                """, batch.map(Cell.text), kinds: [.text, .text, .text, .text, .text, .bool, .bool, .bool, .bool, .bool])
            for row in rows {
                let flag = { (index: Int) in if case .bool(true) = row[index] { true } else { false } }
                result[row[0].text ?? ""] = (row[1].text ?? "", row[2].text ?? "", Student.groupKeys(
                    raceEthnicity: row[4].text ?? "", sex: row[3].text ?? "", englishLearner: flag(5), specialEducation: flag(6),
                    section504: flag(7), economicallyDisadvantaged: flag(8), gifted: flag(9)))
            }
        }
        return result
    }

    /// Every school's name, by id.
    func schoolNames() async throws -> [String: String] {
        var names: [String: String] = [:]
        for row in try await db.raw("SELECT id, name FROM orgs WHERE type = 'school'").all() {
            names[try row.decode(column: "id", as: String.self)] = try row.decode(column: "name", as: String.self)
        }
        return names
    }

    func districtCounts() async throws -> (schools: Int, students: Int, staff: Int, classes: Int) {
        let row = try await db.raw("""
            SELECT (SELECT COUNT(*) FROM orgs WHERE type = 'school') AS schools, (SELECT COUNT(*) FROM students) AS students,
                   (SELECT COUNT(*) FROM classes) AS classes
            """).first()!
        return (try row.decode(column: "schools", as: Int.self), try row.decode(column: "students", as: Int.self),
                try await StaffDirectory(db: database).count(), try row.decode(column: "classes", as: Int.self))
    }
}

extension RosterQueries {
    /// Teachers who arrived at the schools on or after a day (see `StaffArrival`), earliest first.
    func arrivals(atSchools schools: [String], since day: String) async throws -> [StaffArrival] {
        guard !schools.isEmpty else { return [] }
        return try await StaffArrival.query(on: database).filter(\.$schoolId ~~ schools).filter(\.$arrivedOn >= day).sort(\.$arrivedOn).sort(\.$staffId).all()
    }
}
