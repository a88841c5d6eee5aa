import Fluent
import Foundation
import LodestarCore

/// The district's kinds of resources and a year of allocations at every school: professional-learning funds serving
/// the school's first goal, and tutoring seats. Every school but the featured one gives its tutoring to the students who need
/// it most (English learners, economically disadvantaged students); the featured one gives most of its seats to gifted
/// students (the group least in need) and two grades, and none to the students furthest behind: students in special
/// education, the widest gap in need, receive less than their share of need — the pattern its equity view flags. One allocation
/// was changed with its reason logged. Nothing is added once the district has kinds.
enum DemoResourceLoader {
    /// The featured principal's school, whose tutoring does not follow need.
    static let featuredSchool = "school-1"

    static func load(through: Date, on db: any Database) async throws {
        let queries = ResourceQueries(db: db)
        guard try await queries.kinds().isEmpty else { return }
        let admin = DemoLoader.adminId
        let tutoring = try await queries.addKind(name: "Tutoring seats", unit: "seats", budget: false, by: admin)
        let funds = try await queries.addKind(name: "Professional-learning funds", unit: "dollars", budget: true, by: admin)
        _ = try await queries.addKind(name: "Classroom materials and technology", unit: "dollars", budget: true, by: admin)
        let year = SchoolYear.current(now: Int(through.timeIntervalSince1970))
        let (start, end) = ("\(year)-08-24", SchoolYear.lastDay(year))
        func draft(_ amount: Double, funding: String, reason: String, evidence: [String]) -> AllocationDraft {
            AllocationDraft(amount: amount, startsOn: start, endsOn: end, funding: funding, decidedBy: "The school leadership team", evidence: evidence, reason: reason)
        }
        for school in try await RosterQueries(db).schoolOrgs() {
            let schoolId = school.id!
            let goal = try await GoalsQueries(db: db).goals(ofScope: schoolId).first.map { "goal:\($0.id!)" } ?? ""
            let equity = "/insights/equity?school=\(schoolId)"
            _ = try await queries.add(draft(schoolId == DemoResourceLoader.featuredSchool ? 18_000 : 12_000, funding: "Title II, Part A", reason: "Coaching cycles and a summer institute on the goal's practices, for every teacher.",
                                            evidence: ["/goals/\(schoolId)", "/learning?scope=\(schoolId)"]),
                                      schoolId: schoolId, kindId: funds.id!, priority: goal, reaches: "school", by: admin)
            let seats: [(reaches: String, amount: Double, reason: String)] = schoolId == DemoResourceLoader.featuredSchool
                ? [("group:gifted", 60, "Parents asked for an enrichment club; seats went to the students already ahead."),
                   ("grade:05", 30, "Grade 5 takes the state test in the spring."),
                   ("grade:03", 10, "The seats left after the enrichment club and grade 5 went to grade 3 readers.")]
                : [("group:english_learner", 40, "English learners are furthest below mastery on the priority standards."),
                   ("group:economically_disadvantaged", 40, "Students without tutoring at home, by the equity gaps."),
                   ("school", 20, "Drop-in help open to every student.")]
            for (n, seat) in seats.enumerated() {
                // The enrichment club began with 50 seats and grew to 60 in October.
                let first = schoolId == DemoResourceLoader.featuredSchool && n == 0 ? 50 : seat.amount
                let allocation = try await queries.add(draft(first, funding: n == 2 ? "General fund" : "Title I, Part A", reason: seat.reason, evidence: [equity]),
                                                       schoolId: schoolId, kindId: tutoring.id!, priority: goal, reaches: seat.reaches, by: admin)
                if schoolId == DemoResourceLoader.featuredSchool && n == 0 {
                    var changed = allocation.draft
                    changed.amount = seat.amount
                    try await queries.change(allocation, to: changed, priority: allocation.priority, reaches: allocation.reaches, what: ["Amount 50 → 60"],
                                             reason: "Ten more families signed up in October.", by: admin)
                }
            }
        }
    }
}
