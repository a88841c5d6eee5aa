import Fluent
import Foundation
import LodestarCore

/// Talent's front door for induction: plans made from the district's template, their items, what is due, and who
/// stayed.
struct InductionQueries {
    let db: any Database

    /// Makes a plan from `template`: its visits planned (announced, non-evaluative) at 10:00 on each visit day, its
    /// check-ins and sessions due on their days. One write transaction.
    func start(school: String, teacher: String, mentor: String?, observer: String, startsOn: String,
               template: InductionTemplate = .lodestarDefault, by author: String) async throws -> InductionPlan {
        let plan = InductionPlan()
        plan.id = UUID().uuidString.lowercased()
        plan.schoolId = school
        plan.teacherId = teacher
        plan.mentorId = mentor
        plan.observerId = observer
        plan.startsOn = startsOn
        plan.createdBy = author
        plan.createdAt = Int(Date().timeIntervalSince1970)
        let now = plan.createdAt
        try await db.writeTransaction { db in
            try await plan.create(on: db)
            for day in template.visitDays {
                let when = DisplayTime.startOfDay(DisplayTime.isoDay(startsOn, plus: day)) + 10 * 3_600
                guard when > now else { continue }
                _ = try await WalkthroughQueries(db: db).planVisit(observer: observer, teacher: teacher, school: school, type: .informal, at: when,
                                                                  note: "Induction visit, day \(day): non-evaluative, to support.")
            }
            let items = template.checkInDays.map { ("check-in", "Check-in at \($0) days", $0) } + template.sessions.map { ("session", $0.title, $0.byDay) }
            for (kind, title, day) in items {
                let item = InductionItem()
                item.id = UUID().uuidString.lowercased()
                item.planId = plan.id!
                item.kind = kind
                item.title = title
                item.dueOn = DisplayTime.isoDay(startsOn, plus: day)
                item.note = ""
                try await item.create(on: db)
            }
        }
        return plan
    }

    func plan(_ id: String) async throws -> InductionPlan? { try await InductionPlan.find(id, on: db) }

    func plans(atSchools schools: [String]?) async throws -> [InductionPlan] {
        var query = InductionPlan.query(on: db)
        if let schools { query = query.filter(\.$schoolId ~~ schools) }
        return try await query.sort(\.$startsOn, .descending).all()
    }

    func items(of planIds: [String]) async throws -> [InductionItem] {
        guard !planIds.isEmpty else { return [] }
        return try await InductionItem.query(on: db).filter(\.$planId ~~ planIds).sort(\.$dueOn).sort(\.$title).all()
    }

    func complete(_ item: InductionItem, note: String, by staffId: String) async throws {
        try await db.writeTransaction { db in
            try await InductionItem.query(on: db).filter(\.$id == item.id!)
                .set(\.$doneAt, to: Int(Date().timeIntervalSince1970)).set(\.$doneBy, to: staffId).set(\.$note, to: note).update()
        }
    }

    /// Items not done that are due on or before `throughDay`, for plans at `schools`.
    func due(atSchools schools: [String], throughDay: String) async throws -> [InductionItem] {
        let plans = try await plans(atSchools: schools).compactMap(\.id)
        return try await items(of: plans).filter { $0.doneAt == nil && $0.dueOn <= throughDay }
    }

    /// Teachers who arrived at the schools this school year (first on the school's roster), still teach there, and have
    /// no induction plan there this school year: whom the principal should start a plan for.
    func newWithoutPlan(atSchools schools: [String], today: String) async throws -> [StaffArrival] {
        let yearStart = DisplayTime.schoolYearStart(of: today)
        let arrivals = try await RosterQueries(db).arrivals(atSchools: schools, since: yearStart)
        guard !arrivals.isEmpty else { return [] }
        let teaching = Set(try await StaffDirectory(db: db).holders(of: [.teacher], atSchools: schools).map { "\($0.id)|\($0.schoolId ?? "")" })
        let planned = Set(try await plans(atSchools: schools).filter { $0.startsOn >= yearStart }.map { "\($0.teacherId)|\($0.schoolId)" })
        var seen: Set<String> = []
        return arrivals.filter { arrival in
            let key = "\(arrival.staffId)|\(arrival.schoolId)"
            return teaching.contains(key) && !planned.contains(key) && seen.insert(key).inserted
        }
    }
}
