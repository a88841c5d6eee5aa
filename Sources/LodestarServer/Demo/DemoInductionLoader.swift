import Fluent
import Foundation
import LodestarCore

/// New teachers at the first school with induction plans at different stages — one 80 days in (its first four items
/// done, the 60-day check-in overdue), one 20 days in (orientation done) — and last year's cohort of two, one of whom
/// still teaches there. The roster saw each arrive (`StaffArrival`), and one more teacher arrived five days ago with no
/// plan yet: the principal's Today page and the induction page ask for one.
enum DemoInductionLoader {
    static func load(_ district: DemoDistrict, through: Date, on db: any Database) async throws {
        guard try await InductionQueries(db: db).plans(atSchools: nil).isEmpty else { return }
        let school = "school-1"
        guard let principal = district.accounts.first(where: { $0.isFeatured && $0.grants.first?.role == .principal })?.sourcedId else { return }
        let featured = district.accounts.first { $0.isFeatured && $0.grants.isEmpty }?.sourcedId
        let teachers = try await StaffDirectory(db: db).people(holding: [.teacher], atSchools: [school]).map(\.id).filter { $0 != featured }
        guard teachers.count >= 5 else { return }
        let today = DisplayTime.isoDay(Int(through.timeIntervalSince1970))
        let year = SchoolYear.current(now: Int(through.timeIntervalSince1970))
        let queries = InductionQueries(db: db)
        let plans: [(teacher: String, mentor: String?, startsOn: String, done: Int)] = [
            (teachers[teachers.count - 1], featured, DisplayTime.isoDay(today, plus: -80), 4),
            (teachers[teachers.count - 2], featured, DisplayTime.isoDay(today, plus: -20), 1),
            (teachers[teachers.count - 3], teachers[0], "\(year - 1)-08-20", 6),
            ("demo-former-teacher", teachers[0], "\(year - 1)-09-15", 6),
        ]
        let arrivals = plans.filter { $0.teacher != "demo-former-teacher" }.map { ($0.teacher, $0.startsOn) } + [(teachers[teachers.count - 4], DisplayTime.isoDay(today, plus: -5))]
        for (index, arrival) in arrivals.enumerated() {
            let row = StaffArrival()
            row.id = "demo-arrival-\(index + 1)"; row.staffId = arrival.0; row.schoolId = school; row.arrivedOn = arrival.1
            row.recordedAt = DisplayTime.startOfDay(arrival.1)
            try await row.create(on: db)
        }
        for plan in plans {
            let made = try await queries.start(school: school, teacher: plan.teacher, mentor: plan.mentor, observer: principal, startsOn: plan.startsOn, by: principal)
            // The earliest items are done, as the principal recorded them on their day.
            for item in try await queries.items(of: [made.id!]).sorted(by: { $0.dueOn < $1.dueOn }).prefix(plan.done) {
                try await InductionItem.query(on: db).filter(\.$id == item.id!)
                    .set(\.$doneAt, to: DisplayTime.startOfDay(item.dueOn) + 15 * 3_600).set(\.$doneBy, to: principal)
                    .set(\.$note, to: item.kind == "check-in" ? "Going well; wants to see a colleague's small-group routine." : "Attended.").update()
            }
        }
    }
}
