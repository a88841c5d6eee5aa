/// A generated district for demos and benchmarks: the same seed and size always give the same
/// district. Its roster is a `RosterBundle`, stored through the same writer as a OneRoster import.
public struct DemoDistrict: Sendable {
    /// The sizes in DESIGN.md.
    public enum Size: String, Sendable, CaseIterable {
        case small, medium, large

        var schools: (elementary: Int, middle: Int, high: Int) {
            switch self {
            case .small: (1, 1, 1)
            case .medium: (18, 6, 6)
            case .large: (120, 40, 40)
            }
        }

        var students: Int {
            switch self {
            case .small: 1_200
            case .medium: 30_000
            case .large: 150_000
            }
        }
    }

    /// A sign-in that the demo prints and the README lists.
    public struct Account: Sendable {
        public var email: String
        public var displayName: String
        /// The roster person behind the account, or nil for the district admin, who is not rostered.
        public var sourcedId: String?
        public var grants: [RoleGrant]
        /// Shown in the printed list: the first account of each role.
        public var isFeatured: Bool
    }

    public static let password = "lodestar-demo"
    public static let districtName = "Cedar Valley Unified School District"
    static let emailDomain = "cedarvalley.example.org"
    public static let schoolYear = (start: "2026-08-17", end: "2027-06-04", title: "2026–2027", year: "2027")

    public var bundle: RosterBundle
    public var accounts: [Account]

    public init(size: Size, seed: UInt64 = 1) {
        var generator = Generator(random: SeededRandom(seed: seed), size: size)
        generator.run()
        bundle = generator.bundle
        accounts = generator.accounts
    }
}

private struct Generator {
    var random: SeededRandom
    let size: DemoDistrict.Size
    var bundle = RosterBundle(oneRosterVersion: "1.2", modes: Dictionary(uniqueKeysWithValues: RosterEntity.allCases.map { ($0, FileMode.bulk) }))
    var accounts: [DemoDistrict.Account] = []
    var usedEmails: Set<String> = []
    var staffCount = 0
    var studentCount = 0
    let districtId = "district-cedar-valley"
    let yearId = "ay-2027"

    enum Level { case elementary, middle, high
        var grades: [String] {
            switch self {
            case .elementary: ["KG", "01", "02", "03", "04", "05"]
            case .middle: ["06", "07", "08"]
            case .high: ["09", "10", "11", "12"]
            }
        }
        var suffix: String {
            switch self {
            case .elementary: "Elementary School"
            case .middle: "Middle School"
            case .high: "High School"
            }
        }
    }

    /// Core and elective subjects of a secondary timetable: six periods, one subject each.
    static let secondarySubjects = ["English Language Arts", "Mathematics", "Science", "Social Studies", "World Languages", "Arts"]

    mutating func run() {
        let year = DemoDistrict.schoolYear
        bundle.orgs.append(RosterOrg(sourcedId: districtId, name: DemoDistrict.districtName, type: "district", identifier: "CVUSD"))
        bundle.academicSessions = [
            RosterAcademicSession(sourcedId: yearId, title: year.title, type: "schoolyear", startDate: year.start, endDate: year.end, schoolYear: year.year),
            RosterAcademicSession(sourcedId: "sem-2027-1", title: "Fall semester", type: "semester", startDate: year.start, endDate: "2027-01-15", parentSourcedId: yearId, schoolYear: year.year),
            RosterAcademicSession(sourcedId: "sem-2027-2", title: "Spring semester", type: "semester", startDate: "2027-01-19", endDate: year.end, parentSourcedId: yearId, schoolYear: year.year),
        ]
        addDistrictAccounts()

        let counts = size.schools
        let levels = Array(repeating: Level.elementary, count: counts.elementary)
            + Array(repeating: Level.middle, count: counts.middle) + Array(repeating: Level.high, count: counts.high)
        // Students per grade across the district, spread evenly over the schools serving that grade.
        let perGrade = size.students / 13
        var nameIndex = 0
        for (index, level) in levels.enumerated() {
            let schoolsAtLevel = level == .elementary ? counts.elementary : level == .middle ? counts.middle : counts.high
            let baseName = DemoNames.schoolNames[nameIndex % DemoNames.schoolNames.count]
            let round = nameIndex / DemoNames.schoolNames.count
            nameIndex += 1
            let name = round == 0 ? "\(baseName) \(level.suffix)" : "\(baseName) \(["", "North", "South", "East", "West", "Central"][round % 6]) \(level.suffix)"
            // Schools differ: poverty and English-learner rates vary by neighbourhood.
            let poverty = Double.random(in: 0.18...0.85, using: &random)
            addSchool(id: "school-\(index + 1)", name: name, level: level, studentsPerGrade: max(20, perGrade / schoolsAtLevel),
                      poverty: poverty, featured: index == 0)
        }
    }

    mutating func addDistrictAccounts() {
        accounts.append(.init(email: "admin@\(DemoDistrict.emailDomain)", displayName: "Dana Whitfield", sourcedId: nil,
                              grants: [RoleGrant(role: .districtAdmin, schoolId: nil)], isFeatured: true))
        let leader = addStaff(given: "Angela", family: "Brooks", role: "administrator", orgs: [districtId])
        accounts.append(.init(email: leader.email, displayName: "Angela Brooks", sourcedId: leader.sourcedId,
                              grants: [RoleGrant(role: .districtLeader, schoolId: nil)], isFeatured: true))
    }

    mutating func addSchool(id: String, name: String, level: Level, studentsPerGrade: Int, poverty: Double, featured: Bool) {
        bundle.orgs.append(RosterOrg(sourcedId: id, name: name, type: "school", identifier: id.uppercased(), parentSourcedId: districtId))

        // Leaders of the school.
        var leaderRoles: [StaffRole] = [.principal, .assistantPrincipal, .coach]
        if level == .elementary && studentsPerGrade * 6 < 400 { leaderRoles.removeAll { $0 == .assistantPrincipal } }
        for role in leaderRoles {
            let person = addPerson(role: "administrator", orgs: [id])
            accounts.append(.init(email: person.email, displayName: person.name, sourcedId: person.sourcedId,
                                  grants: [RoleGrant(role: role, schoolId: id)], isFeatured: featured))
        }

        // Students, grade by grade.
        var studentsByGrade: [String: [String]] = [:]
        for grade in level.grades {
            for _ in 0..<studentsPerGrade {
                studentsByGrade[grade, default: []].append(addStudent(schoolId: id, grade: grade, poverty: poverty))
            }
        }

        var teachers: [(sourcedId: String, name: String, email: String, subject: String, periods: Set<String>)] = []
        switch level {
        case .elementary:
            // Self-contained classrooms: one teacher, one homeroom of about 22.
            for grade in level.grades {
                let students = studentsByGrade[grade]!
                let rooms = max(1, Int((Double(students.count) / 22).rounded()))
                for room in 0..<rooms {
                    let teacher = addPerson(role: "teacher", orgs: [id])
                    teachers.append((teacher.sourcedId, teacher.name, teacher.email, "Elementary", []))
                    let classId = "\(id)-hr-\(grade)-\(room + 1)"
                    bundle.classes.append(RosterClass(
                        sourcedId: classId, title: "\(GradeLevel.label(grade)) — \(teacher.familyName)", grades: [grade],
                        courseSourcedId: "\(id)-course-\(grade)", classCode: "HR\(grade)-\(room + 1)", classType: "homeroom",
                        location: "Room \(100 + teachers.count)", schoolSourcedId: id, termSourcedIds: [yearId],
                        subjects: ["English Language Arts", "Mathematics", "Science", "Social Studies"],
                        periods: ["1", "2", "3", "4", "5", "6"]))
                    enroll(teacher.sourcedId, classId: classId, schoolId: id, role: "teacher")
                    for student in students[(room * students.count / rooms)..<((room + 1) * students.count / rooms)] {
                        enroll(student, classId: classId, schoolId: id, role: "student")
                    }
                }
                bundle.courses.append(RosterCourse(sourcedId: "\(id)-course-\(grade)", title: "\(GradeLevel.label(grade)) Core",
                                                   courseCode: "CORE-\(grade)", grades: [grade], orgSourcedId: id,
                                                   subjects: ["English Language Arts", "Mathematics", "Science", "Social Studies"]))
            }
        case .middle, .high:
            // Cohorts of about 28 move together through six periods; each subject's section of
            // cohort k meets in period (subject + k) mod 6 + 1, so no student has two classes at once.
            // Each teacher teaches up to five sections of one subject, one per period.
            for grade in level.grades {
                let students = studentsByGrade[grade]!
                let cohorts = max(1, Int((Double(students.count) / 28).rounded(.up)))
                for (subjectIndex, subject) in Self.secondarySubjects.enumerated() {
                    let courseId = "\(id)-course-\(grade)-\(subjectIndex)"
                    bundle.courses.append(RosterCourse(sourcedId: courseId, title: "\(subject) \(Int(grade)!)",
                                                       courseCode: "\(subject.prefix(3).uppercased())\(grade)", grades: [grade],
                                                       orgSourcedId: id, subjects: [subject]))
                    for cohort in 0..<cohorts {
                        let period = String((subjectIndex + cohort) % 6 + 1)
                        let teacherIndex: Int
                        if let free = teachers.firstIndex(where: { $0.subject == subject && $0.periods.count < 5 && !$0.periods.contains(period) }) {
                            teacherIndex = free
                        } else {
                            let person = addPerson(role: "teacher", orgs: [id])
                            teachers.append((person.sourcedId, person.name, person.email, subject, []))
                            teacherIndex = teachers.count - 1
                        }
                        teachers[teacherIndex].periods.insert(period)
                        let teacher = teachers[teacherIndex]
                        let classId = "\(courseId)-\(cohort + 1)"
                        bundle.classes.append(RosterClass(
                            sourcedId: classId, title: "\(subject) \(Int(grade)!) — Period \(period)", grades: [grade],
                            courseSourcedId: courseId, classCode: "\(subject.prefix(3).uppercased())\(grade)-\(cohort + 1)",
                            classType: "scheduled", location: "Room \(200 + teacherIndex)", schoolSourcedId: id,
                            termSourcedIds: [yearId], subjects: [subject], periods: [period]))
                        enroll(teacher.sourcedId, classId: classId, schoolId: id, role: "teacher")
                        for student in students[(cohort * students.count / cohorts)..<((cohort + 1) * students.count / cohorts)] {
                            enroll(student, classId: classId, schoolId: id, role: "student")
                        }
                    }
                }
            }
        }
        // One teacher in each school leads a PLC team as a teacher leader.
        if let lead = teachers.dropFirst(teachers.count / 2).first {
            accounts.append(.init(email: lead.email, displayName: lead.name, sourcedId: lead.sourcedId,
                                  grants: [RoleGrant(role: .teacherLeader, schoolId: id)], isFeatured: featured))
        }
        if featured, let first = teachers.first {
            accounts.append(.init(email: first.email, displayName: first.name, sourcedId: first.sourcedId,
                                  grants: [], isFeatured: true))
        }
    }

    mutating func enroll(_ userId: String, classId: String, schoolId: String, role: String) {
        bundle.enrollments.append(RosterEnrollment(sourcedId: "enr-\(classId)-\(userId)", classSourcedId: classId,
                                                   schoolSourcedId: schoolId, userSourcedId: userId, role: role,
                                                   primary: role == "teacher"))
    }

    // MARK: - People

    /// Race and ethnicity in proportions close to US public school enrolment.
    static let raceWeights: [(RaceEthnicity, Double)] = [
        (.white, 0.44), (.hispanicOrLatino, 0.29), (.blackOrAfricanAmerican, 0.15), (.asian, 0.054),
        (.twoOrMoreRaces, 0.048), (.americanIndianOrAlaskaNative, 0.009), (.nativeHawaiianOrOtherPacificIslander, 0.004),
        (.notReported, 0.005),
    ]

    mutating func addStudent(schoolId: String, grade: String, poverty: Double) -> String {
        studentCount += 1
        let id = "stu-\(studentCount)"
        let race = random.weighted(Self.raceWeights)
        let female = random.chance(0.49)
        let given = random.pick(female ? DemoNames.givenFemale : DemoNames.givenMale)
        let family = DemoNames.familyName(for: race, using: &random)
        let elRate = race == .hispanicOrLatino ? 0.28 : race == .asian ? 0.18 : 0.03
        let gradeNumber = grade == "KG" ? 0 : Int(grade)!
        let birthYear = 2026 - 5 - gradeNumber - (random.chance(0.7) ? 1 : 0) + 1
        let month = Int.random(in: 1...12, using: &random), day = Int.random(in: 1...28, using: &random)
        let programs = ProgramFlags(
            englishLearner: random.chance(elRate * (gradeNumber < 6 ? 1.3 : 0.7)),
            specialEducation: random.chance(0.15),
            section504: random.chance(0.03),
            economicallyDisadvantaged: random.chance(poverty),
            gifted: random.chance(gradeNumber >= 2 ? 0.07 : 0.01))
        bundle.users.append(RosterUser(
            sourcedId: id, orgSourcedIds: [schoolId], role: "student",
            username: "s\(100_000 + studentCount)", givenName: given, familyName: family,
            identifier: String(100_000 + studentCount), grades: [grade], programs: programs))
        bundle.demographics.append(RosterDemographics(
            userSourcedId: id, birthDate: "\(birthYear)-\(month < 10 ? "0" : "")\(month)-0\(day % 9 + 1)",
            sex: female ? "female" : "male", raceEthnicity: race, programs: programs))
        return id
    }

    struct Person { var sourcedId: String; var name: String; var familyName: String; var email: String }

    mutating func addPerson(role: String, orgs: [String]) -> Person {
        let race = random.weighted([(RaceEthnicity.white, 0.72), (.hispanicOrLatino, 0.11), (.blackOrAfricanAmerican, 0.08),
                                    (.asian, 0.05), (.twoOrMoreRaces, 0.04)])
        let given = random.pick(random.chance(0.76) ? DemoNames.givenFemale : DemoNames.givenMale)
        let family = DemoNames.familyName(for: race, using: &random)
        return addStaff(given: given, family: family, role: role, orgs: orgs)
    }

    @discardableResult
    mutating func addStaff(given: String, family: String, role: String, orgs: [String]) -> Person {
        staffCount += 1
        let id = "staff-\(staffCount)"
        let local = "\(given).\(family)".lowercased().filter { $0.isLetter || $0 == "." }
        var email = "\(local)@\(DemoDistrict.emailDomain)"
        var suffix = 1
        while usedEmails.contains(email) {
            suffix += 1
            email = "\(local)\(suffix)@\(DemoDistrict.emailDomain)"
        }
        usedEmails.insert(email)
        bundle.users.append(RosterUser(sourcedId: id, orgSourcedIds: orgs, role: role, username: String(email.prefix { $0 != "@" }),
                                       givenName: given, familyName: family, identifier: "E\(10_000 + staffCount)", email: email))
        return Person(sourcedId: id, name: "\(given) \(family)", familyName: family, email: email)
    }
}

extension DemoDistrict {
    /// How strong a teacher's practice is, from −1 to 1, the same in every part of the demo: it raises how
    /// often the framework's practices are seen in their classroom and how much their classes grow, so that
    /// practice and growth relate as they do where teaching moves learning (and a few classes fall).
    public static func teacherStrength(_ teacherId: String, seed: UInt64) -> Double {
        var random = SeededRandom(seed: seed &* 0xD1B5_4A32_D192_ED03 &+ teacherId.hashValueStable)
        return Double.random(in: -1...1, using: &random)
    }
}
