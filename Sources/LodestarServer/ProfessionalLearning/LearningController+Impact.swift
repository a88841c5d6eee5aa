import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

extension LearningController {
    // MARK: Impact

    struct Impact {
        let session: LearningSession
        let scope: Scope
        let attendees: Int
        let practices: [LearningQueries.PracticeImpact]
        let mastery: (before: SessionImpact.Mastery, now: SessionImpact.Mastery)
        let beforeMonth: String
        let nowMonth: String
        let afterWindowOpen: Bool
    }

    func impactAnalysis(_ req: Request) async throws -> Impact {
        let (session, scope) = try await loadSession(req)
        try req.require(scope.canPlan)
        let attendees = try await SessionAttendance.query(on: req.db).filter(\.$sessionId == session.id!).all().map(\.staffId).sorted()
        let framework = try await FrameworkStore.active(on: req.db).framework
        let queries = LearningQueries(db: req.db)
        let rows = try await queries.practiceImpact(of: session, attendees: attendees, framework: framework)
        let window = SessionImpact.windowDays * 86_400
        let sessionMonth = String(DisplayTime.isoDay(session.startsAt).prefix(7))
        let beforeMonth = String(ISODay.adding(-1, to: sessionMonth + "-01").prefix(7))
        let nowMonth = String(DisplayTime.isoDay(Int(Date().timeIntervalSince1970)).prefix(7))
        let timelines = try await queries.timelines(studentsOf: attendees, standards: session.standardIds).map { (student: $0.student, entries: $0.entries) }
        return Impact(session: session, scope: scope, attendees: attendees.count, practices: rows,
                      mastery: SessionImpact.mastery(timelines, beforeMonth: beforeMonth, nowMonth: max(nowMonth, sessionMonth)),
                      beforeMonth: beforeMonth, nowMonth: max(nowMonth, sessionMonth),
                      afterWindowOpen: session.endsAt + window > Int(Date().timeIntervalSince1970))
    }

    struct ImpactPage: Encodable {
        struct Row: Encodable { let name: String; let before: String; let beforeCount: String; let after: String; let afterCount: String; let change: String }
        let page: PageContext
        let id: String
        let title: String
        let when: String
        let attendees: Int
        let windowDays: Int
        let afterWindowOpen: Bool
        let practices: [Row]
        let practiceRule = PracticeCount.rule
        let hasStandards: Bool
        let mastery: [Row]
        let masteryHidden: Bool
        let minimum: Int
        let beforeLabel: String
        let nowLabel: String
        let csv: String
    }

    static func change(_ before: Double?, _ after: Double?) -> String {
        guard let before, let after else { return "—" }
        let points = Int(((after - before) * 100).rounded())
        return points > 0 ? "+\(points) points" : "\(points) points"
    }

    static func practiceCount(_ p: SessionImpact.Practice) -> String {
        "\(p.practice.seen) of \(p.practice.lookedFor) looked for (\(p.visits) \(p.visits == 1 ? "visit" : "visits"), \(p.teachers) \(p.teachers == 1 ? "teacher" : "teachers"))"
            + (p.practice.notLookedFor > 0 ? "; not looked for \(p.practice.notLookedFor)" : "")
    }

    func impact(req: Request) async throws -> View {
        let impact = try await impactAnalysis(req)
        let rule = DistrictSettings.smallGroups
        let hidden = !rule.allows(impact.mastery.before.students) || !rule.allows(impact.mastery.now.students)
        let m = impact.mastery
        return try await req.view.render("learning/impact", ImpactPage(
            page: PageContext(request: req, title: "Impact: \(impact.session.title)"), id: impact.session.id!, title: impact.session.title,
            when: DisplayTime.day(impact.session.startsAt), attendees: impact.attendees, windowDays: SessionImpact.windowDays,
            afterWindowOpen: impact.afterWindowOpen,
            practices: impact.practices.map { row in
                .init(name: row.name, before: Percent.text(row.before.share), beforeCount: Self.practiceCount(row.before),
                      after: Percent.text(row.after.share), afterCount: Self.practiceCount(row.after), change: Self.change(row.before.share, row.after.share))
            },
            hasStandards: !impact.session.standardIds.isEmpty,
            mastery: hidden ? [] : [.init(name: "Students’ results on the session’s standards", before: Percent.text(m.before.share),
                                          beforeCount: "\(m.before.atOrAbove) of \(m.before.results) results, \(m.before.students) students",
                                          after: Percent.text(m.now.share), afterCount: "\(m.now.atOrAbove) of \(m.now.results) results, \(m.now.students) students",
                                          change: Self.change(m.before.share, m.now.share))],
            masteryHidden: hidden, minimum: rule.minimum,
            beforeLabel: "end of \(InsightsScope.label(month: impact.beforeMonth))", nowLabel: "end of \(InsightsScope.label(month: impact.nowMonth))",
            csv: "/learning/sessions/\(impact.session.id!)/impact.csv"))
    }

    func impactCSV(req: Request) async throws -> Response {
        let impact = try await impactAnalysis(req)
        var csv = CSVWriter(header: ["measure", "period", "visits", "teachers", "students", "count", "out_of", "percent", "not_looked_for"])
        for row in impact.practices {
            for (period, p) in [("before", row.before), ("after", row.after)] {
                csv.append([row.name, period, String(p.visits), String(p.teachers), "", String(p.practice.seen), String(p.practice.lookedFor), Percent.text(p.share),
                            String(p.practice.notLookedFor)])
            }
        }
        if !impact.session.standardIds.isEmpty {
            let rule = DistrictSettings.smallGroups
            for (period, m) in [("before", impact.mastery.before), ("now", impact.mastery.now)] {
                let shown = rule.allows(impact.mastery.before.students) && rule.allows(impact.mastery.now.students)
                csv.append(["mastery on the session's standards", period, "", "", shown ? String(m.students) : "", shown ? String(m.atOrAbove) : "",
                            shown ? String(m.results) : "", shown ? Percent.text(m.share) : "fewer than \(rule.minimum) students"])
            }
        }
        return try await req.csvDownload(csv, named: "session-impact.csv")
    }
}
