import Fluent
import Foundation
import LodestarCore

/// A school leader's Monday email: last week's instructional share against their target, teachers not visited
/// in 30 days, shared feedback with no reply yet, and action steps past due — each number asked of the feature
/// that shows it, in the words and by the rule of the page it links to (Today, coverage, visits, the goal).
struct WeeklySummary {
    let db: any Database

    struct Line: Sendable { let text: String; let link: String }

    /// The summary's lines for a person, as of `now`; empty for someone who leads no school.
    func lines(for staffId: String, now: Int) async throws -> [Line] {
        let policy = try await Viewer.policy(of: staffId, on: db)
        guard !policy.administeredSchools.isEmpty else { return [] }
        var lines: [Line] = []
        let today = DisplayTime.isoDay(now)
        if policy.tracksOwnTime {
            let monday = DisplayTime.monday(of: today), lastMonday = DisplayTime.isoDay(monday, plus: -7)
            let time = TimeQueries(db: db)
            let lastWeek = try await time.ledgers(leaders: [staffId], from: DisplayTime.startOfDay(lastMonday), to: DisplayTime.startOfDay(monday))[staffId]
            let target = try await time.target(of: staffId)
            lines.append(Line(text: lastWeek?.instructionalShare.map { Self.timeSentence(share: $0, target: target) } ?? "You recorded no time last week; your target for teaching and learning is \(Percent.text(target)).",
                              link: "/time/\(staffId.urlQueryEncoded)?week=\(lastMonday)"))
        }
        let walkthroughs = WalkthroughQueries(db: db)
        for school in policy.administeredSchools.sorted() {
            let notVisited = try await walkthroughs.teachersNotVisited(inSchool: school, days: 30)
            lines.append(Line(text: notVisited == 0 ? "Every teacher has had a visit in the last 30 days."
                              : Self.notVisitedSentence(notVisited),
                              link: "/walkthroughs/coverage?school=\(school.urlQueryEncoded)"))
        }
        let waiting = try await walkthroughs.count(.madeBy(staffId), filter: .init(status: .shared))
        lines.append(Line(text: "\(waiting) of your shared feedback \(waiting == 1 ? "note has" : "notes have") no reply yet.",
                          link: "/walkthroughs?status=shared"))
        let (overdue, goal) = try await GoalsQueries(db: db).overdueSteps(ownedBy: staffId, before: today)
        lines.append(Line(text: overdue.isEmpty ? "None of your action steps is past due."
                          : "\(overdue.count) action \(overdue.count == 1 ? "step you own is" : "steps you own are") past due.",
                          link: goal.map { "/goals/\($0.scope.urlQueryEncoded)/\($0.id!.urlQueryEncoded)#plan" } ?? "/goals"))
        return lines
    }

    /// The sentences the Today page shows too, so the two never say a number differently.
    static func timeSentence(share: Double, target: Double) -> String {
        "Last week \(Percent.text(share)) of your recorded time went to teaching and learning; your target is \(Percent.text(target))."
    }

    static func notVisitedSentence(_ count: Int) -> String {
        "\(count) \(count == 1 ? "teacher has" : "teachers have") not had a visit in 30 days."
    }

    /// Everyone who receives it: the school administrators.
    func recipients() async throws -> [String] {
        Array(Set(try await StaffDirectory(db: db).people(holding: StaffRole.schoolAdministrators).map(\.id))).sorted()
    }
}
