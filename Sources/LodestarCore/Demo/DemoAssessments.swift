import Foundation

/// A year of frequent formative assessment for the demo district, up to a reference day: each
/// Mathematics and ELA class is assessed about once a week on one or two of its grade's standards.
///
/// Scores grow over the year, faster in some classes than others (a few fall; see `teacherStrength`), on
/// school days only (`DemoCalendar`), and differ between student groups as they do in real districts
/// (students with disabilities, English learners and economically disadvantaged students score lower
/// on average; gifted students higher), so equity views have gaps to find. Generated school by school
/// to keep memory small at 150,000 students. Deterministic for a district, seed and reference day.
public struct DemoAssessments: Sendable {
    public struct Assessment: Sendable, Equatable {
        public var id: String
        public var title: String
        public var date: String
        public var classId: String
        public var schoolId: String
        public var teacherId: String
        public var standardIds: [String]
        /// When its scores were entered: all at once, at 15:00 on its day.
        public var enteredAt: Int
    }

    public struct ScoreRow: Sendable, Equatable {
        public var assessmentId: String
        public var studentId: String
        public var standardId: String
        public var value: Double
        public var enteredAt: Int
    }

    struct Section {
        var classId: String
        var schoolId: String
        var teacherId: String
        var grade: String
        var subjects: [String]
        var students: [String]
    }

    let seed: UInt64
    let days: [(iso: String, seconds: Int)]
    let yearStart: Int
    let yearLength: Double
    let sections: [String: [Section]]
    let ability: [String: Double]
    public let schoolIds: [String]

    public init(district: DemoDistrict, seed: UInt64, through: Double) {
        self.seed = seed
        let start = DemoCalendar.date(8, 24), end = DemoCalendar.lastDay
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = DemoWalkthroughs.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        days = DemoCalendar.schoolDays(from: start, through: min(end, Date(timeIntervalSince1970: through)))
            .map { (formatter.string(from: $0), Int($0.timeIntervalSince1970)) }
        yearStart = Int(start.timeIntervalSince1970)
        yearLength = end.timeIntervalSince(start)

        // Each student's starting point: a spread of prior achievement, shifted by program.
        var random = SeededRandom(seed: seed &* 0x9E37_79B9 &+ 101)
        let programs = Dictionary(district.bundle.demographics.map { ($0.userSourcedId, $0.programs ?? ProgramFlags()) }, uniquingKeysWith: { a, _ in a })
        var ability: [String: Double] = [:]
        for user in district.bundle.users where user.isStudent {
            let flags = programs[user.sourcedId] ?? ProgramFlags()
            var value = Self.normal(&random) * 0.65
            if flags.specialEducation { value -= 0.45 }
            if flags.englishLearner { value -= 0.3 }
            if flags.economicallyDisadvantaged { value -= 0.25 }
            if flags.gifted { value += 0.55 }
            ability[user.sourcedId] = value
        }
        self.ability = ability

        var teacherOf: [String: String] = [:]
        var studentsOf: [String: [String]] = [:]
        for enrollment in district.bundle.enrollments {
            if enrollment.role == "teacher" { teacherOf[enrollment.classSourcedId] = enrollment.userSourcedId }
            else { studentsOf[enrollment.classSourcedId, default: []].append(enrollment.userSourcedId) }
        }
        var sections: [String: [Section]] = [:]
        for schoolClass in district.bundle.classes {
            let subjects = schoolClass.subjects.filter { ["Mathematics", "English Language Arts"].contains($0) }
            guard !subjects.isEmpty, let grade = schoolClass.grades.first, let teacher = teacherOf[schoolClass.sourcedId] else { continue }
            sections[schoolClass.schoolSourcedId, default: []].append(Section(
                classId: schoolClass.sourcedId, schoolId: schoolClass.schoolSourcedId, teacherId: teacher, grade: grade,
                subjects: subjects, students: studentsOf[schoolClass.sourcedId] ?? []))
        }
        self.sections = sections
        schoolIds = sections.keys.sorted()
    }

    /// Every student the demo may score.
    public var studentIds: [String] { ability.keys.sorted() }

    /// The grades a school's assessed classes serve.
    public func grades(ofSchool schoolId: String) -> [String] {
        Array(Set((sections[schoolId] ?? []).map(\.grade))).sorted { GradeLevel.sortKey($0) < GradeLevel.sortKey($1) }
    }

    /// The assessments and scores of one school.
    public func generate(school schoolId: String) -> (assessments: [Assessment], scores: [ScoreRow]) {
        var random = SeededRandom(seed: seed &+ UInt64(schoolIds.firstIndex(of: schoolId) ?? 0) &* 7_919 &+ 3)
        var assessments: [Assessment] = []
        var scores: [ScoreRow] = []
        let titles = ["Exit ticket", "Quick check", "Quiz", "Performance task", "Checkpoint"]
        for (sectionIndex, section) in (sections[schoolId] ?? []).enumerated() {
            // How far the class grows over the year, in score points: mostly by its teacher's strength, so
            // classes differ and a few fall.
            let growth = 1.4 + 1.2 * DemoDistrict.teacherStrength(section.teacherId, seed: seed) + Self.normal(&random) * 0.25
            for subject in section.subjects {
                var dayIndex = (sectionIndex * 3 + (subject == "Mathematics" ? 0 : 2)) % 5
                var number = 0
                while dayIndex < days.count {
                    let standardNumber = number % 4 + 1
                    var standards = [DemoStandards.identifier(subject: subject, grade: section.grade, number: standardNumber)]
                    if random.chance(0.4) { standards.append(DemoStandards.identifier(subject: subject, grade: section.grade, number: (number + 1) % 4 + 1)) }
                    let id = "demo|\(section.classId)|\(subject == "Mathematics" ? "math" : "ela")|\(number + 1)"
                    let day = days[dayIndex], enteredAt = day.seconds + 15 * 3_600
                    assessments.append(Assessment(id: id, title: "\(random.pick(titles)): \(subject == "Mathematics" ? "Math" : "ELA") \(number + 1)",
                                                  date: day.iso, classId: section.classId, schoolId: section.schoolId,
                                                  teacherId: section.teacherId, standardIds: standards, enteredAt: enteredAt))
                    // Growth comes early in the year and slows: the share of the year's growth reached so far.
                    let progress = Double(day.seconds - yearStart) / yearLength
                    let reached = (1 - exp(-3 * progress)) / (1 - exp(-3))
                    for student in section.students where random.chance(0.95) {
                        for standard in standards {
                            let raw = 1.9 + (ability[student] ?? 0) + growth * reached + Self.normal(&random) * 0.45
                            scores.append(ScoreRow(assessmentId: id, studentId: student, standardId: standard,
                                                   value: min(4, max(1, raw.rounded())), enteredAt: enteredAt))
                        }
                    }
                    number += 1
                    dayIndex += Int.random(in: 4...6, using: &random)
                }
            }
        }
        return (assessments, scores)
    }

    static func normal(_ random: inout SeededRandom) -> Double {
        let u = max(Double.random(in: 0..<1, using: &random), 1e-12), v = Double.random(in: 0..<1, using: &random)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
