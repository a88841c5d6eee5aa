import Fluent
import Foundation
import LodestarCore

/// Two intervention groups at every school, formed six and three weeks ago on the grade's first mathematics priority
/// standard: the students of a class furthest below mastery on it, scheduled 90 and 60 minutes a week — the intervention
/// minutes the resource ledger counts. Nothing is added once a school has groups.
enum DemoInterventionLoader {
    static func load(through: Date, on db: any Database) async throws {
        let now = Int(through.timeIntervalSince1970)
        let queries = AssessmentQueries(db: db)
        let scale = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: db)
        let book = try await ScaleBook.load(on: db)
        for school in try await RosterQueries(db).schoolOrgs() {
            let schoolId = school.id!
            guard try await queries.interventionGroups(atSchool: schoolId).isEmpty else { continue }
            let method = try await MasteryStore.method(forSchool: schoolId, on: db)
            let classes = try await RosterQueries(db).classes(inSchool: schoolId).filter { !$0.grades.isEmpty && !$0.grades.contains(",") }
            var made: [any Model] = []
            for (index, (weeksAgo, minutes)) in [(6, 90), (3, 60)].enumerated() {
                guard index < classes.count else { break }
                let schoolClass = classes[index * max(1, classes.count / 2)]
                let standardId = DemoStandards.identifier(subject: "Mathematics", grade: schoolClass.grades, number: 1)
                let students = try await queries.students(inClasses: [schoolClass.id])
                let evidence = Dictionary(grouping: try await queries.evidence(students: students.map(\.id), standards: [standardId]), by: \.studentId)
                let below = students.compactMap { student in
                    book.mastery(evidence[student.id] ?? [], by: method).result.value.flatMap { $0 < scale.masteryValue ? (student.id, $0) : nil }
                }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(InterventionGroup.size)
                guard !below.isEmpty else { continue }
                let group = InterventionGroup()
                group.id = "demo-intervention|\(schoolId)|\(index)"
                group.name = "\(schoolClass.title): small group"
                group.classId = schoolClass.id
                group.schoolId = schoolId
                group.standardId = standardId
                group.plan = "Reteach with visual models at the small table, \(minutes / 30) times a week for 30 minutes."
                group.minutesPerWeek = minutes
                group.createdBy = DemoLoader.adminId
                group.createdAt = now - weeksAgo * 7 * 86_400
                group.reassessOn = DisplayTime.isoDay(group.createdAt + 8 * 7 * 86_400)
                made.append(group)
                for (student, value) in below {
                    let member = InterventionMember()
                    member.id = "\(group.id!)|\(student)"
                    member.groupId = group.id!
                    member.studentId = student
                    member.baseline = value
                    made.append(member)
                }
            }
            let rows = made
            try await db.writeTransaction { db in try await db.createAll(rows) }
        }
    }
}
