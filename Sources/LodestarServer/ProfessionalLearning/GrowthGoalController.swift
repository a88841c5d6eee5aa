import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// A teacher's growth goal: the practices they chose to grow in, their walkthrough feedback on those
/// practices, the professional learning toward it, and their reflections. Open to the teacher, their
/// coach and their school's principal and assistant principals only.
struct GrowthGoalController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("growth", use: index)
        routes.get("growth", "teachers", ":teacherId", use: record)
        routes.post("growth", "teachers", ":teacherId", "goal", use: setGoal)
        routes.post("growth", "teachers", ":teacherId", "reflections", use: reflect)
    }

    struct IndexPage: Encodable {
        struct Row: Encodable { let id: String; let name: String; let goal: String?; let practices: [String]; let reflections: Int }
        let page: PageContext
        let rows: [Row]
    }

    /// Teachers go to their own goal; school leaders see their school's teachers, coaches their caseload.
    func index(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let policy = viewer.policy
        let leads = policy.administeredSchools.sorted()
        let coaches = policy.isCoach
        if leads.isEmpty && !coaches {
            try req.require(policy.isTeacher)
            return req.redirect(to: "/growth/teachers/\(viewer.id.urlQueryEncoded)")
        }
        var teacherIds: Set<String> = coaches ? try await CoachingQueries(db: req.db).caseload(of: viewer.id) : []
        for school in leads { teacherIds.formUnion(try await RosterQueries(req.db).teachers(inSchool: school).map(\.id)) }
        let teachers = try await StaffDirectory(db: req.db).people(ids: Array(teacherIds))
        let goals = try await GrowthGoal.query(on: req.db).filter(\.$teacherId ~~ Array(teacherIds)).filter(\.$closedAt == nil).all()
        let reflections = try await req.db.sql.rowCounts(in: GrowthReflection.schema, by: "goal_id", values: goals.compactMap(\.id))
        let framework = try await FrameworkStore.active(on: req.db).framework
        return try await req.view.render("learning/growth-index", IndexPage(
            page: PageContext(request: req, title: "Growth goals"),
            rows: teachers.map { teacher in
                let goal = goals.first { $0.teacherId == teacher.id }
                return .init(id: teacher.id!, name: teacher.displayName, goal: goal?.statement,
                             practices: goal?.indicatorKeys.compactMap { framework.indicator($0)?.shortName } ?? [], reflections: goal.flatMap { reflections[$0.id!] } ?? 0)
            })).encodeResponse(for: req)
    }

    struct RecordPage: Encodable {
        struct Feedback: Encodable { let id: String; let when: String; let observer: String; let type: String; let marks: [String]; let glow: String; let grow: String }
        struct Learning: Encodable { let id: String; let title: String; let when: String; let attended: Bool }
        struct Reflection: Encodable { let when: String; let body: String }
        struct Earlier: Encodable { let statement: String; let span: String }
        let page: PageContext
        let teacherId: String
        let teacherName: String
        let isSelf: Bool
        let statement: String?
        let practices: [String]
        let since: String?
        let seen: String?
        let feedback: [Feedback]
        let learning: [Learning]
        let reflections: [Reflection]
        let earlier: [Earlier]
        let indicators: [SelectOption]
        let error: String?
        /// Library resources on the goal's practices.
        let suggested: [LibraryQueries.Link]
    }

    private func teacher(_ req: Request, _ viewer: Viewer) async throws -> (Staff, Set<String>, Bool) {
        let teacherId = try req.parameters.require("teacherId")
        guard let teacher = try await StaffDirectory(db: req.db).person(teacherId) else { throw LodestarError.notFound }
        let schools = try await StaffDirectory(db: req.db).teachingSchools(of: teacherId)
        guard !schools.isEmpty else { throw LodestarError.notFound }
        let isSelf = teacherId == viewer.id
        try req.require(viewer.policy.canSeeGrowthGoal(ofTeacherAt: schools, isSelf: isSelf, onCaseload: try await CoachingQueries(db: req.db).isOnCaseload(coach: viewer.id, teacher: teacherId)))
        return (teacher, schools, isSelf)
    }

    func record(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let (teacher, schools, isSelf) = try await teacher(req, viewer)
        return try await render(req, teacher: teacher, schools: schools, isSelf: isSelf, error: nil)
    }

    private func render(_ req: Request, teacher: Staff, schools: Set<String>, isSelf: Bool, error: String?) async throws -> View {
        let teacherId = teacher.id!
        let framework = try await FrameworkStore.active(on: req.db).framework
        let goals = try await GrowthGoal.query(on: req.db).filter(\.$teacherId == teacherId).sort(\.$setAt, .descending).all()
        let goal = goals.first { $0.closedAt == nil }
        var feedback: [RecordPage.Feedback] = []
        var seen: String?
        var learning: [RecordPage.Learning] = []
        var reflections: [RecordPage.Reflection] = []
        if let goal {
            let keys = goal.indicatorKeys
            // Shared feedback since the goal was set, on the goal's practices.
            let (visits, marks) = try await WalkthroughQueries(db: req.db).sharedVisits(to: teacherId, since: goal.setAt, practices: keys)
            let observers = try await Staff.names(of: Set(visits.map(\.observerId)), on: req.db)
            let marksByVisit = Dictionary(grouping: marks, by: \.walkthroughId)
            let versions = try await FrameworkStore.frameworks(ids: visits.map(\.frameworkId), on: req.db)
            var count = PracticeCount()
            for visit in visits {
                let ownMarks = marksByVisit[visit.id!] ?? []
                let byKey = Dictionary(ownMarks.map { ($0.indicatorKey, $0.mark) }) { a, _ in a }
                if let version = versions[visit.frameworkId] {
                    for key in keys where version.indicator(key) != nil { count.add(mark: byKey[key], on: version.scale) }
                }
                let visitMarks = ownMarks.filter { $0.mark != "not_applicable" }
                guard !visitMarks.isEmpty else { continue }
                feedback.append(.init(id: visit.id!, when: DisplayTime.dateTime(visit.observedAt), observer: observers[visit.observerId] ?? "—",
                                      type: VisitType(rawValue: visit.visitType)?.label ?? visit.visitType,
                                      marks: visitMarks.map { "\(framework.indicator($0.indicatorKey)?.shortName ?? $0.indicatorKey): \(framework.scale.label($0.mark))" },
                                      glow: visit.glow, grow: visit.grow))
            }
            if count.lookedFor + count.notLookedFor > 0 {
                seen = "Since the goal was set, in \(visits.count) shared \(visits.count == 1 ? "walkthrough" : "walkthroughs"): these practices were seen \(count.seen) of the \(count.lookedFor) times they were looked for (\(Percent.text(count.share)))"
                    + (count.notLookedFor > 0 ? "; \(count.notLookedFor) more times they were not looked for." : ".")
            }
            // Sessions on the goal's practices: attended, and coming up at the teacher's schools or the district.
            let attended = Set(try await SessionAttendance.query(on: req.db).filter(\.$staffId == teacherId).all().map(\.sessionId))
            let now = Int(Date().timeIntervalSince1970)
            let scopes: [String] = schools.sorted() + [LearningScope.district]
            let sessions = try await LearningSession.query(on: req.db).filter(\.$scope ~~ scopes).sort(\.$startsAt, .descending).all()
            let goalKeys = Set(keys)
            for session in sessions where !goalKeys.isDisjoint(with: session.indicatorKeys) {
                let wasThere = attended.contains(session.id!)
                guard wasThere || session.startsAt > now else { continue }
                learning.append(.init(id: session.id!, title: session.title, when: DisplayTime.dateTime(session.startsAt), attended: wasThere))
            }
            reflections = try await GrowthReflection.query(on: req.db).filter(\.$goalId == goal.id!).sort(\.$createdAt, .descending).all()
                .map { .init(when: DisplayTime.dateTime($0.createdAt), body: $0.body) }
        }
        return try await req.view.render("learning/growth", RecordPage(
            page: PageContext(request: req, title: isSelf ? "My growth goal" : "Growth goal: \(teacher.displayName)"),
            teacherId: teacherId, teacherName: teacher.displayName, isSelf: isSelf, statement: goal?.statement,
            practices: goal?.indicatorKeys.compactMap { framework.indicator($0)?.shortName } ?? [], since: goal.map { DisplayTime.day($0.setAt) },
            seen: seen, feedback: feedback, learning: learning, reflections: reflections,
            earlier: goals.filter { $0.closedAt != nil }.map { .init(statement: $0.statement, span: "\(DisplayTime.day($0.setAt)) – \(DisplayTime.day($0.closedAt!))") },
            indicators: framework.indicators.map { SelectOption(value: $0.key, label: $0.shortName, selected: goal?.indicatorKeys.contains($0.key) ?? false) },
            error: error,
            suggested: try await LibraryQueries(db: req.db).links(practices: goal?.indicatorKeys ?? [], standards: [], schools: schools)))
    }

    struct GoalForm: Content {
        var statement: String
        var indicators: [String]?
    }

    /// Sets a new goal (closing the current one). Only the teacher sets their goal.
    func setGoal(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let (teacher, schools, isSelf) = try await teacher(req, viewer)
        try req.require(isSelf)
        let form = try req.content.decode(GoalForm.self)
        let framework = try await FrameworkStore.active(on: req.db).framework
        let statement = form.statement.trimmingCharacters(in: .whitespacesAndNewlines)
        let keys = (form.indicators ?? []).filter { framework.indicator($0) != nil }
        guard !statement.isEmpty, !keys.isEmpty else {
            let response = try await render(req, teacher: teacher, schools: schools, isSelf: true,
                                            error: "Write your goal and choose at least one practice it is about.").encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        let now = Int(Date().timeIntervalSince1970)
        let goal = GrowthGoal()
        goal.id = UUID().uuidString.lowercased()
        goal.teacherId = teacher.id!
        goal.statement = String(statement.prefix(1_000))
        goal.indicators = keys.joined(separator: ",")
        goal.setAt = now
        try await req.db.writeTransaction { db in
            for old in try await GrowthGoal.query(on: db).filter(\.$teacherId == goal.teacherId).filter(\.$closedAt == nil).all() {
                old.closedAt = now
                try await old.save(on: db)
            }
            try await goal.create(on: db)
        }
        return req.redirect(to: "/growth/teachers/\(teacher.id!.urlQueryEncoded)")
    }

    struct ReflectionForm: Content { var body: String }

    func reflect(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let (teacher, schools, isSelf) = try await teacher(req, viewer)
        try req.require(isSelf)
        let body = try req.content.decode(ReflectionForm.self).body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let goal = try await GrowthGoal.query(on: req.db).filter(\.$teacherId == teacher.id!).filter(\.$closedAt == nil).first(), !body.isEmpty else {
            let response = try await render(req, teacher: teacher, schools: schools, isSelf: true,
                                            error: "Set a goal first, then write your reflection.").encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        let reflection = GrowthReflection()
        reflection.id = UUID().uuidString.lowercased()
        reflection.goalId = goal.id!
        reflection.authorId = viewer.id
        reflection.body = String(body.prefix(4_000))
        reflection.createdAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in try await reflection.create(on: db) }
        return req.redirect(to: "/growth/teachers/\(teacher.id!.urlQueryEncoded)")
    }
}
