import Fluent
import LodestarCore
import Vapor

/// Schools, school rosters, classes and student profiles — each behind `AccessPolicy`.
struct RosterController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("schools", use: schools)
        routes.get("schools", ":schoolId", use: roster)
        routes.get("classes", use: myClasses)
        routes.get("classes", ":classId", use: showClass)
        routes.get("students", ":studentId", use: student)
    }

    // MARK: Schools

    struct SchoolsPage: Encodable {
        let page: PageContext
        let schools: [RosterQueries.SchoolSummary]
    }

    func schools(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.seesWholeDistrict || !viewer.policy.schoolsLed.isEmpty)
        let schools = try await RosterQueries(req.db).schools(limitedTo: viewer.policy.rosterSchools)
        return try await req.view.render("people/schools", SchoolsPage(page: PageContext(request: req, title: "Schools"), schools: schools))
    }

    // MARK: School roster

    struct RosterPage: Encodable {
        struct StudentItem: Encodable { let id: String; let name: String; let identifier: String; let grade: String; let programs: [String] }
        struct Tab: Encodable { let key: String; let label: String; let count: Int; let current: Bool }

        let page: PageContext
        let school: RosterQueries.SchoolSummary
        let tab: String
        let tabs: [Tab]
        let search: String
        let grades: [SelectOption]
        let programs: [SelectOption]
        let students: [StudentItem]
        let studentTotal: Int
        let pageNumber: Int
        let previousPage: String?
        let nextPage: String?
        let teachers: [RosterQueries.TeacherRow]
        let classes: [RosterQueries.ClassRow]
        /// Student profiles: district roles and the school's administrators (others open their own students from their classes).
        let canOpenStudents: Bool
        /// District roles: the bulk export of the school's students and their standings.
        let canExportStudents: Bool
    }

    func roster(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let schoolId = try req.parameters.require("schoolId")
        try req.require(viewer.policy.canViewRoster(ofSchool: schoolId))
        let queries = RosterQueries(req.db)
        guard let school = try await queries.school(schoolId) else { throw LodestarError.notFound }
        let tab = ["students", "teachers", "classes"].contains(req.query[String.self, at: "tab"] ?? "") ? req.query[String.self, at: "tab"]! : "students"

        var filter = RosterQueries.StudentFilter()
        filter.search = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        filter.grade = req.query[String.self, at: "grade"] ?? ""
        filter.program = req.query[String.self, at: "program"] ?? ""
        filter.page = max(1, req.query[Int.self, at: "page"] ?? 1)

        var students: [RosterPage.StudentItem] = []
        var total = 0
        var teachers: [RosterQueries.TeacherRow] = []
        var classes: [RosterQueries.ClassRow] = []
        switch tab {
        case "teachers": teachers = try await queries.teachers(inSchool: schoolId)
        case "classes": classes = try await queries.classes(inSchool: schoolId)
        default:
            let result = try await queries.students(inSchool: schoolId, filter: filter)
            total = result.total
            students = result.rows.map { row in
                var programs: [String] = []
                if row.englishLearner { programs.append("EL") }
                if row.specialEducation { programs.append("IEP") }
                if row.section504 { programs.append("504") }
                if row.gifted { programs.append("Gifted") }
                let name = "\(row.familyName), \(row.preferredName.isEmpty ? row.givenName : row.preferredName)"
                return .init(id: row.id, name: name, identifier: row.identifier, grade: GradeLevel.label(row.grade), programs: programs)
            }
        }
        func link(page: Int) -> String {
            var items = URLComponents()
            items.queryItems = [.init(name: "q", value: filter.search), .init(name: "grade", value: filter.grade),
                                .init(name: "program", value: filter.program), .init(name: "page", value: String(page))]
            return "/schools/\(schoolId)?\(items.percentEncodedQuery ?? "")"
        }
        let lastPage = max(1, (total + RosterQueries.StudentFilter.pageSize - 1) / RosterQueries.StudentFilter.pageSize)
        let context = RosterPage(
            page: PageContext(request: req, title: "\(school.name) roster"), school: school, tab: tab,
            tabs: [.init(key: "students", label: "Students", count: school.students, current: tab == "students"),
                   .init(key: "teachers", label: "Teachers", count: school.teachers, current: tab == "teachers"),
                   .init(key: "classes", label: "Classes", count: school.classes, current: tab == "classes")],
            search: filter.search,
            grades: try await queries.grades(inSchool: schoolId).map { .init(value: $0, label: GradeLevel.label($0), selected: $0 == filter.grade) },
            programs: RosterQueries.programFilters.map { .init(value: $0.key, label: $0.label, selected: $0.key == filter.program) },
            students: students, studentTotal: total, pageNumber: filter.page,
            previousPage: filter.page > 1 ? link(page: filter.page - 1) : nil,
            nextPage: filter.page < lastPage ? link(page: filter.page + 1) : nil,
            teachers: teachers, classes: classes, canOpenStudents: viewer.policy.canViewStudent(attending: [schoolId], teachesStudent: false), canExportStudents: viewer.policy.canExportSchoolStudents)
        return try await req.view.render("people/roster", context)
    }

    // MARK: Classes

    struct MyClassesPage: Encodable {
        let page: PageContext
        let classes: [RosterQueries.ClassRow]
    }

    func myClasses(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let classes = try await RosterQueries(req.db).classes(taughtBy: viewer.id)
        return try await req.view.render("people/my-classes", MyClassesPage(page: PageContext(request: req, title: "My classes"), classes: classes))
    }

    struct ClassPage: Encodable {
        struct StudentItem: Encodable { let id: String; let name: String; let grade: String }
        let page: PageContext
        let classId: String
        let title: String
        let schoolName: String
        let schoolId: String
        let canOpenSchool: Bool
        let details: String
        let students: [StudentItem]
        /// Student profiles and the tracker are for those with an educational interest in these students (`AccessPolicy`).
        let canOpenStudents: Bool
        let canOpenTracker: Bool
    }

    func showClass(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        guard let schoolClass = try await SchoolClass.find(try req.parameters.require("classId"), on: req.db) else { throw LodestarError.notFound }
        let queries = RosterQueries(req.db)
        let teaches = try await queries.teaches(staffId: viewer.id, classId: schoolClass.id!)
        try req.require(viewer.policy.canViewClass(inSchool: schoolClass.schoolId, teachesClass: teaches))
        try await req.audit("viewed class list", subject: schoolClass.id!)
        let school = try await Org.find(schoolClass.schoolId, on: req.db)
        let students = try await queries.students(inClass: schoolClass.id!).map {
            ClassPage.StudentItem(id: $0.id, name: "\($0.familyName), \($0.preferredName.isEmpty ? $0.givenName : $0.preferredName)", grade: GradeLevel.label($0.grade))
        }
        var details: [String] = []
        if schoolClass.classType == "homeroom" {
            details.append("Homeroom, all day")
        } else if !schoolClass.periods.isEmpty { details.append("Period \(schoolClass.periods.replacingOccurrences(of: ",", with: ", "))") }
        if !schoolClass.location.isEmpty { details.append(schoolClass.location) }
        if !schoolClass.subjects.isEmpty { details.append(schoolClass.subjects.replacingOccurrences(of: ",", with: ", ")) }
        return try await req.view.render("people/class", ClassPage(
            page: PageContext(request: req, title: schoolClass.title), classId: schoolClass.id!, title: schoolClass.title,
            schoolName: school?.name ?? schoolClass.schoolId, schoolId: schoolClass.schoolId,
            canOpenSchool: viewer.policy.canViewRoster(ofSchool: schoolClass.schoolId),
            details: details.joined(separator: " · "), students: students,
            canOpenStudents: viewer.policy.canViewStudent(attending: [schoolClass.schoolId], teachesStudent: teaches),
            canOpenTracker: viewer.policy.canViewStudentResults(inSchool: schoolClass.schoolId, teachesClass: teaches)))
    }

    // MARK: Student profile

    struct StudentPage: Encodable {
        struct ClassItem: Encodable { let id: String; let title: String; let teacher: String; let periods: String }
        let page: PageContext
        let studentId: String
        let name: String
        let identifier: String
        let grade: String
        let schoolName: String
        let birthDate: String
        let sex: String
        let raceEthnicity: String
        let programs: [String]
        let classes: [ClassItem]
        let masteryMethod: String
        let mastery: [AssessmentQueries.MasteryRow]
        /// District admins: a link to the student's records (export and deletion).
        let canManageRecords: Bool
    }

    func student(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        guard let student = try await Student.find(try req.parameters.require("studentId"), on: req.db) else { throw LodestarError.notFound }
        let queries = RosterQueries(req.db)
        let teaches = try await queries.teaches(staffId: viewer.id, studentId: student.id!)
        let schools = try await queries.schoolIds(ofStudent: student.id!, primary: student.schoolId)
        try req.require(viewer.policy.canViewStudent(attending: schools, teachesStudent: teaches))
        try await req.audit("viewed student profile", subject: student.id!)

        var programs: [String] = []
        if student.englishLearner { programs.append("English learner") }
        if student.specialEducation { programs.append("Special education (IEP)") }
        if student.section504 { programs.append("Section 504 plan") }
        if student.economicallyDisadvantaged { programs.append("Economically disadvantaged") }
        if student.gifted { programs.append("Gifted") }
        let enrolled = try await queries.classes(ofStudent: student.id!).map {
            StudentPage.ClassItem(id: $0.id, title: $0.title, teacher: $0.teacher ?? "—", periods: $0.periods.replacingOccurrences(of: ",", with: ", "))
        }
        let school = try await Org.find(student.schoolId, on: req.db)
        let mastery = try await AssessmentQueries(db: req.db).masteryProfile(student: student.id!, schoolId: student.schoolId)
        return try await req.view.render("people/student", StudentPage(
            page: PageContext(request: req, title: student.displayName), studentId: student.id!, name: student.displayName,
            identifier: student.identifier, grade: GradeLevel.label(student.grade), schoolName: school?.name ?? student.schoolId,
            birthDate: student.birthDate.map(DisplayTime.date) ?? "Not recorded", sex: student.sex.isEmpty ? "Not recorded" : student.sex.capitalized,
            raceEthnicity: student.raceEthnicity, programs: programs, classes: enrolled,
            masteryMethod: mastery.method, mastery: mastery.rows, canManageRecords: viewer.policy.canManageStudentRecords))
    }
}
