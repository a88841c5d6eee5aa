import Fluent
import Foundation
import LodestarCore
import SQLKit

/// The resource ledger's front door: its own tables, and what a resource reaches and what Lodestar counts, asked of
/// the features that own those records.
struct ResourceQueries {
    let db: any Database

    // MARK: Kinds and the budget setting

    func kinds() async throws -> [ResourceKind] { try await ResourceKind.query(on: db).sort(\.$name).sort(\.$id).all() }

    func kind(_ id: String) async throws -> ResourceKind? { try await ResourceKind.find(id, on: db) }

    func addKind(name: String, unit: String, budget: Bool, by staffId: String) async throws -> ResourceKind {
        let kind = ResourceKind()
        kind.id = UUID().uuidString.lowercased()
        kind.name = name
        kind.unit = unit
        kind.budget = budget
        kind.createdBy = staffId
        kind.createdAt = Int(Date().timeIntervalSince1970)
        try await db.writeTransaction { db in try await kind.create(on: db) }
        return kind
    }

    /// Whether budget figures are hidden from coaches and teacher leaders (off until the district turns it on).
    func hidesBudget() async throws -> Bool { try await LedgerSetting.find(LedgerSetting.district, on: db)?.hideBudget ?? false }

    func setHidesBudget(_ hide: Bool) async throws {
        try await db.writeTransaction { db in
            let setting = try await LedgerSetting.find(LedgerSetting.district, on: db) ?? { let made = LedgerSetting(); made.id = LedgerSetting.district; return made }()
            setting.hideBudget = hide
            try await setting.save(on: db)
        }
    }

    // MARK: Allocations

    func allocation(_ id: String) async throws -> ResourceAllocation? { try await ResourceAllocation.find(id, on: db) }

    /// Allocations at `schools` (nil: every school) whose period overlaps `from...through` (days), earliest first.
    func allocations(atSchools schools: [String]?, from: String, through: String) async throws -> [ResourceAllocation] {
        var query = ResourceAllocation.query(on: db).filter(\.$startsOn <= through).filter(\.$endsOn >= from)
        if let schools { query = query.filter(\.$schoolId ~~ schools) }
        return try await query.sort(\.$startsOn).sort(\.$createdAt).sort(\.$id).all()
    }

    func changes(of allocationId: String) async throws -> [AllocationChange] {
        try await AllocationChange.query(on: db).filter(\.$allocationId == allocationId).sort(\.$changedAt, .descending).sort(\.$id).all()
    }

    func add(_ draft: AllocationDraft, schoolId: String, kindId: String, priority: String, reaches: String, by staffId: String) async throws -> ResourceAllocation {
        let allocation = ResourceAllocation()
        allocation.id = UUID().uuidString.lowercased()
        allocation.schoolId = schoolId
        allocation.kindId = kindId
        Self.fill(allocation, draft, priority: priority, reaches: reaches)
        allocation.recordedBy = staffId
        allocation.createdAt = Int(Date().timeIntervalSince1970)
        allocation.updatedAt = allocation.createdAt
        try await db.writeTransaction { db in try await allocation.create(on: db) }
        return allocation
    }

    /// Changes an allocation and logs what changed and why, in one transaction.
    func change(_ allocation: ResourceAllocation, to draft: AllocationDraft, priority: String, reaches: String, what: [String], reason: String, by staffId: String) async throws {
        let now = Int(Date().timeIntervalSince1970)
        Self.fill(allocation, draft, priority: priority, reaches: reaches)
        allocation.updatedAt = now
        let entry = AllocationChange()
        entry.id = UUID().uuidString.lowercased()
        entry.allocationId = allocation.id!
        entry.changedBy = staffId
        entry.changedAt = now
        entry.what = what.joined(separator: "\n")
        entry.reason = reason
        try await db.writeTransaction { db in
            try await allocation.update(on: db)
            try await entry.create(on: db)
        }
    }

    private static func fill(_ allocation: ResourceAllocation, _ draft: AllocationDraft, priority: String, reaches: String) {
        allocation.amount = draft.amount
        allocation.startsOn = draft.startsOn
        allocation.endsOn = draft.endsOn
        allocation.funding = draft.funding
        allocation.decidedBy = draft.decidedBy
        allocation.evidence = draft.evidence.joined(separator: "\n")
        allocation.reason = draft.reason
        allocation.priority = priority
        allocation.reaches = reaches
    }

    // MARK: Whom a resource reaches

    /// A school's students with their groups and grade, its classes' students and teachers, and its intervention
    /// groups' members: everything `students(reached:)` needs, read once.
    struct SchoolReach: Sendable {
        let students: [(id: String, grade: String, groups: [String])]
        let classStudents: [String: [String]]
        let classTeachers: [String: [String]]
        let interventionMembers: [String: [String]]
        /// The students' ids, made once: coaching asks for a teacher's students once per conversation.
        private let enrolled: Set<String>

        init(students: [(id: String, grade: String, groups: [String])], classStudents: [String: [String]], classTeachers: [String: [String]],
             interventionMembers: [String: [String]]) {
            self.students = students
            self.classStudents = classStudents
            self.classTeachers = classTeachers
            self.interventionMembers = interventionMembers
            enrolled = Set(students.map(\.id))
        }

        /// The school's students a reach names (`ResourceAllocation.reaches`); none for a reach that names nothing here.
        func students(reached reach: String) -> [String] {
            let parts = reach.split(separator: ":", maxSplits: 1).map(String.init)
            let value = parts.count == 2 ? parts[1] : ""
            switch parts[0] {
            case "school": return students.map(\.id)
            case "grade": return students.filter { $0.grade == value }.map(\.id)
            case "group": return students.filter { $0.groups.contains(value) }.map(\.id)
            case "class": return (classStudents[value] ?? []).filter(enrolled.contains)
            case "intervention": return (interventionMembers[value] ?? []).filter(enrolled.contains)
            case "teacher": return Array(Set(classTeachers.filter { $0.value.contains(value) }.keys.flatMap { classStudents[$0] ?? [] }).filter(enrolled.contains))
            default: return []
            }
        }
    }

    func reach(ofSchool schoolId: String) async throws -> SchoolReach {
        let roster = RosterQueries(db)
        let students = try await roster.students(ofSchool: schoolId).map { student in
            (id: student.id!, grade: student.grade, groups: student.groupKeys)
        }
        let (classStudents, classTeachers) = try await roster.enrollments(atSchool: schoolId)
        let groups = try await AssessmentQueries(db: db).interventionGroups(atSchool: schoolId)
        return SchoolReach(students: students, classStudents: classStudents, classTeachers: classTeachers,
                           interventionMembers: try await AssessmentQueries(db: db).interventionMembers(ofGroups: groups.compactMap(\.id)))
    }

    /// A school's students, whom each reach names, and who of them is in need (`ResourceEquity.inNeed`, on the
    /// priority standards): read once, then asked of every resource.
    struct SchoolNeed: Sendable {
        let schoolId: String
        let reach: SchoolReach
        let inNeed: Set<String>
    }

    func need(ofSchool schoolId: String) async throws -> SchoolNeed {
        let reach = try await reach(ofSchool: schoolId)
        let priorities = try await StandardsQueries(db: db).priorities()
        let standings = try await InsightsQueries(db: db).latestStandings(students: reach.students.map(\.id), standards: Array(priorities.keys))
        return SchoolNeed(schoolId: schoolId, reach: reach,
                          inNeed: Set(standings.filter { ResourceEquity.inNeed(below: $0.value.below, measured: $0.value.measured) }.keys))
    }

    // MARK: A resource over a school year

    /// A school year, July to June, as days and as times.
    struct Period: Sendable {
        let year: Int
        var from: String { "\(year)-07-01" }
        var through: String { SchoolYear.lastDay(year) }
        var start: Int { DisplayTime.startOfDay(from) }
        var end: Int { DisplayTime.startOfDay(DisplayTime.isoDay(through, plus: 1)) }
    }

    /// A resource the pages can pick: a district kind (its id) or a counted one ("counted:coaching").
    struct Choice: Sendable {
        let value: String
        let name: String
        let unit: String
        let budget: Bool
        let counted: CountedResource?
        let kindId: String?
    }

    static func choices(_ kinds: [ResourceKind]) -> [Choice] {
        kinds.map { Choice(value: $0.id!, name: $0.name, unit: $0.unit, budget: $0.budget, counted: nil, kindId: $0.id) }
            + CountedResource.allCases.map { Choice(value: "counted:\($0.rawValue)", name: $0.name, unit: $0.unit, budget: false, counted: $0, kindId: nil) }
    }

    /// The resource a page's `kind` names, or coaching when it names none (every district has it).
    static func choice(_ value: String?, among choices: [Choice]) -> Choice {
        choices.first { $0.value == value } ?? choices.first { $0.counted == .coaching }!
    }

    /// A resource at a school over a school year, piece by piece with the students each piece reaches.
    func pieces(of choice: Choice, atSchool schoolId: String, reach: SchoolReach, period: Period) async throws -> Counted {
        if let counted = choice.counted {
            return try await self.counted(counted, atSchool: schoolId, reach: reach, from: period.start, to: period.end)
        }
        let allocations = try await allocations(atSchools: [schoolId], from: period.from, through: period.through).filter { $0.kindId == choice.kindId }
        return Counted(total: allocations.reduce(0) { $0 + $1.amount }, pieces: allocations.map { ($0.amount, reach.students(reached: $0.reaches)) })
    }

    /// Who received a resource at a school, group by group (`ResourceEquity`): the equity page's rows and the leadership
    /// evidence's flags. Also the resource's total and how much of it reached a student.
    func equity(of choice: Choice, at school: SchoolNeed, period: Period, rule: SmallGroupRule)
        async throws -> (rows: [ResourceEquity.Row], counted: Counted, reached: Double) {
        let counted = try await pieces(of: choice, atSchool: school.schoolId, reach: school.reach, period: period)
        let received = ResourceEquity.received(counted.pieces)
        let rows = ResourceEquity.rows(students: school.reach.students.map { .init(id: $0.id, groups: $0.groups, inNeed: school.inNeed.contains($0.id)) },
                                       received: received, rule: rule)
        return (rows, counted, received.values.reduce(0, +))
    }

    // MARK: What Lodestar counts

    /// A counted resource at a school over `[from, to)`: the total, and the pieces of it with the students each reaches.
    struct Counted: Sendable {
        var total: Double
        var pieces: [(amount: Double, students: [String])]
    }

    func counted(_ resource: CountedResource, atSchool schoolId: String, reach: SchoolReach, from: Int, to: Int) async throws -> Counted {
        let people = StaffDirectory(db: db)
        func studentsOf(teacher: String) -> [String] { reach.students(reached: "teacher:\(teacher)") }
        switch resource {
        case .coaching:
            let teachers = Set(reach.classTeachers.values.flatMap { $0 })
            let coaches = try await people.people(holding: [.coach], atSchools: [schoolId]).map(\.id)
            let held = try await CoachingQueries(db: db).conversations(byCoaches: coaches, from: from, to: to).filter { teachers.contains($0.teacherId) }
            let hours = Double(TimeQueries.coachingMinutes) / 60
            return Counted(total: Double(held.count) * hours, pieces: held.map { (hours, studentsOf(teacher: $0.teacherId)) })
        case .interventions:
            let groups = try await AssessmentQueries(db: db).interventionGroups(atSchool: schoolId).filter { $0.createdAt >= from && $0.createdAt < to }
            let seats = groups.flatMap { reach.interventionMembers[$0.id!] ?? [] }
            return Counted(total: Double(seats.count), pieces: seats.map { (1, [$0]) })
        case .interventionMinutes:
            // Whole days from the later of forming and the year's start to the earliest of reassessment, today and the year's end.
            let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
            let last = DisplayTime.isoDay(to - 1)
            var pieces: [(amount: Double, students: [String])] = []
            for group in try await AssessmentQueries(db: db).interventionGroups(atSchool: schoolId) where group.minutesPerWeek > 0 {
                guard let first = ISODay.number(DisplayTime.isoDay(max(group.createdAt, from))),
                      let end = ISODay.number(min(group.reassessOn, today, last)), end > first else { continue }
                let minutes = Double(group.minutesPerWeek * (end - first)) / 7
                pieces += (reach.interventionMembers[group.id!] ?? []).map { (minutes, [$0]) }
            }
            return Counted(total: pieces.reduce(0) { $0 + $1.amount }, pieces: pieces)
        case .professionalLearning:
            let staff = try await people.people(atSchools: [schoolId]).map(\.id)
            let hours = try await LearningQueries(db: db).attendedHours(byStaff: staff, from: from, to: to)
            return Counted(total: hours.values.reduce(0, +), pieces: hours.sorted { $0.key < $1.key }.map { ($0.value, studentsOf(teacher: $0.key)) })
        case .leaderTime:
            let leaders = try await people.people(holding: StaffRole.timeKeepers, atSchools: [schoolId]).map(\.id)
            let hours = try await TimeQueries(db: db).ledgers(leaders: leaders, from: from, to: to).values.reduce(0) { $0 + $1.instructionalMinutes } / 60
            return Counted(total: hours, pieces: [(hours, reach.students.map(\.id))])
        }
    }
}
