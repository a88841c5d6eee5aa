import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// A small group of students who have not yet mastered a standard, with a plan and a date to reassess.
final class InterventionGroup: Model, @unchecked Sendable {
    static let schema = "intervention_groups"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "class_id") var classId: String
    @Field(key: "school_id") var schoolId: String
    @Field(key: "standard_id") var standardId: String
    @Field(key: "plan") var plan: String
    /// ISO date.
    @Field(key: "reassess_on") var reassessOn: String
    /// Minutes a week the group is scheduled to meet; 0 when not given.
    @Field(key: "minutes_per_week") var minutesPerWeek: Int
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Int
    /// A small group is what one adult can teach at a table.
    static let size = 6
    /// Five hours a day, five days a week: more is not a small group's schedule.
    static let mostMinutesPerWeek = 1_500
    init() {}
}

/// A student in a group, with their mastery when the group was formed.
final class InterventionMember: Model, @unchecked Sendable {
    static let schema = "intervention_members"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "group_id") var groupId: String
    @Field(key: "student_id") var studentId: String
    @OptionalField(key: "baseline") var baseline: Double?
    init() {}
}

/// Forming intervention groups from the tracker and following their progress.
struct InterventionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("classes", ":classId", "interventions", "new", use: newGroup)
        routes.post("classes", ":classId", "interventions", use: create)
        routes.get("interventions", ":id", use: show)
        routes.get("interventions", use: list)
    }

    /// Mastery of each student of a class on one standard, by the school's method.
    private func mastery(_ req: Request, classId: String, schoolId: String, standardId: String) async throws -> [(student: AssessmentQueries.Student, value: Double?)] {
        let queries = AssessmentQueries(db: req.db)
        let students = try await queries.students(inClasses: [classId])
        let method = try await MasteryStore.method(forSchool: schoolId, on: req.db)
        let book = try await ScaleBook.load(on: req.db)
        let grouped = Dictionary(grouping: try await queries.evidence(students: students.map(\.id), standards: [standardId]), by: \.studentId)
        return students.map { ($0, book.mastery(grouped[$0.id] ?? [], by: method).result.value) }
    }

    private func classForLeadersAndTeachers(_ req: Request, _ viewer: Viewer) async throws -> (SchoolClass, Bool) {
        guard let schoolClass = try await RosterQueries(req.db).schoolClass(try req.parameters.require("classId")) else { throw LodestarError.notFound }
        let teaches = try await RosterQueries(req.db).teaches(staffId: viewer.id, classId: schoolClass.id!)
        try req.require(viewer.policy.canViewStudentResults(inSchool: schoolClass.schoolId, teachesClass: teaches))
        return (schoolClass, teaches)
    }

    /// The class furthest below mastery first (students without evidence last), and which to tick: the
    /// `InterventionGroup.size` furthest below mastery, and anyone tied with the last of them. The teacher adds or removes anyone.
    static func ordered<Row>(_ rows: [(student: Row, value: Double?)], below mastery: Double) -> [(row: (student: Row, value: Double?), ticked: Bool)] {
        let sorted = rows.enumerated().sorted { a, b in
            (a.element.value ?? .infinity, a.offset) < (b.element.value ?? .infinity, b.offset)
        }.map(\.element)
        let below = sorted.compactMap(\.value).filter { $0 < mastery - 1e-9 }
        let cut = below.isEmpty ? nil : below[min(InterventionGroup.size, below.count) - 1]
        return sorted.map { row in (row, cut.map { cut in row.value.map { $0 <= cut + 1e-9 } ?? false } ?? false) }
    }

    struct NewPage: Encodable {
        struct Candidate: Encodable { let id: String; let name: String; let value: String; let checked: Bool }
        let page: PageContext
        let classId: String
        let classTitle: String
        let standardId: String
        let standardCode: String
        let standardStatement: String
        let below: String
        let groupSize = InterventionGroup.size
        let candidates: [Candidate]
        let reassessOn: String
        let error: String?
    }

    func newGroup(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let (schoolClass, _) = try await classForLeadersAndTeachers(req, viewer)
        return try await renderNew(req, schoolClass, standardId: req.query[String.self, at: "standard"] ?? "", error: nil)
    }

    private func renderNew(_ req: Request, _ schoolClass: SchoolClass, standardId: String, error: String?) async throws -> View {
        guard let standard = try await StandardsQueries(db: req.db).standard(standardId) else { throw LodestarError.notFound }
        let scale = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: req.db)
        let rows = try await mastery(req, classId: schoolClass.id!, schoolId: schoolClass.schoolId, standardId: standardId)
        return try await req.view.render("assessments/intervention-new", NewPage(
            page: PageContext(request: req, title: "New intervention group"), classId: schoolClass.id!, classTitle: schoolClass.title,
            standardId: standard.id!, standardCode: standard.code, standardStatement: standard.statement,
            below: scale.level(for: scale.masteryValue)?.name ?? "mastery",
            candidates: Self.ordered(rows, below: scale.masteryValue).map { row, ticked in
                .init(id: row.student.id, name: row.student.name, value: row.value.map { MasteryDisplay.value($0, on: scale) } ?? "—", checked: ticked)
            },
            reassessOn: DisplayTime.isoDay(Int(Date().timeIntervalSince1970) + 14 * 86_400), error: error))
    }

    struct CreateForm: Content {
        var standardId: String
        var name: String
        var plan: String
        var minutesPerWeek: String?
        var reassessOn: String
        var studentIds: [String]?
    }

    func create(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let (schoolClass, _) = try await classForLeadersAndTeachers(req, viewer)
        let form = try req.content.decode(CreateForm.self)
        do {
            let name = form.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty else { throw LodestarError("Give the group a name.") }
            guard ISODate.isValid(form.reassessOn) else { throw LodestarError("Give the date to reassess.") }
            let minutesText = (form.minutesPerWeek ?? "").trimmingCharacters(in: .whitespaces)
            guard let minutes = minutesText.isEmpty ? 0 : Int(minutesText), (0...InterventionGroup.mostMinutesPerWeek).contains(minutes) else {
                throw LodestarError("Give the minutes a week as a whole number from 0 to \(InterventionGroup.mostMinutesPerWeek), or leave it empty.")
            }
            let chosen = Set(form.studentIds ?? [])
            guard !chosen.isEmpty else { throw LodestarError("Choose at least one student.") }
            let rows = try await mastery(req, classId: schoolClass.id!, schoolId: schoolClass.schoolId, standardId: form.standardId)
            guard chosen.isSubset(of: Set(rows.map(\.student.id))) else { throw LodestarError("Choose students of this class.") }
            guard try await StandardsQueries(db: req.db).standard(form.standardId) != nil else { throw LodestarError.notFound }
            let group = InterventionGroup()
            group.id = UUID().uuidString.lowercased()
            group.name = String(name.prefix(200))
            group.classId = schoolClass.id!
            group.schoolId = schoolClass.schoolId
            group.standardId = form.standardId
            group.plan = String(form.plan.trimmingCharacters(in: .whitespacesAndNewlines).prefix(4_000))
            group.reassessOn = form.reassessOn
            group.minutesPerWeek = minutes
            group.createdBy = viewer.id
            group.createdAt = Int(Date().timeIntervalSince1970)
            let members = rows.filter { chosen.contains($0.student.id) }.map { (id: $0.student.id, baseline: $0.value) }
            try await req.db.writeTransaction { db in
                try await group.create(on: db)
                for member in members {
                    let row = InterventionMember()
                    row.id = "\(group.id!)|\(member.id)"
                    row.groupId = group.id!
                    row.studentId = member.id
                    row.baseline = member.baseline
                    try await row.create(on: db)
                }
            }
            return req.redirect(to: "/interventions/\(group.id!)")
        } catch let error as LodestarError {
            let response = try await renderNew(req, schoolClass, standardId: form.standardId, error: error.message).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }

    struct ShowPage: Encodable {
        struct Member: Encodable { let id: String; let name: String; let baseline: String; let now: String; let change: String; let reached: Bool }
        let page: PageContext
        let name: String
        let classId: String
        let classTitle: String
        let standardCode: String
        let standardStatement: String
        let plan: String
        let minutesPerWeek: Int
        let reassessOn: String
        let due: Bool
        let members: [Member]
        let summary: String
    }

    func show(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        guard let group = try await InterventionGroup.find(try req.parameters.require("id"), on: req.db),
              let schoolClass = try await RosterQueries(req.db).schoolClass(group.classId) else { throw LodestarError.notFound }
        let teaches = try await RosterQueries(req.db).teaches(staffId: viewer.id, classId: group.classId)
        try req.require(viewer.policy.canViewStudentResults(inSchool: group.schoolId, teachesClass: teaches))
        try await req.audit("viewed intervention group", subject: group.id!)
        let standard = try await StandardsQueries(db: req.db).standard(group.standardId)
        let scale = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: req.db)
        let members = try await InterventionMember.query(on: req.db).filter(\.$groupId == group.id!).all()
        let current = Dictionary(uniqueKeysWithValues: try await mastery(req, classId: group.classId, schoolId: group.schoolId, standardId: group.standardId)
            .map { ($0.student.id, ($0.student.name, $0.value)) })
        let format = { (value: Double?) in value.map { MasteryDisplay.value($0, on: scale) } ?? "—" }
        let items = members.map { member -> ShowPage.Member in
            let (name, now) = current[member.studentId] ?? ("A student who left the class", nil)
            let change = (now != nil && member.baseline != nil) ? now! - member.baseline! : nil
            return .init(id: member.studentId, name: name, baseline: format(member.baseline), now: format(now),
                         change: change.map { ($0 >= 0 ? "+" : "") + MasteryDisplay.tenths($0) } ?? "—",
                         reached: (now ?? 0) >= scale.masteryValue - 1e-9)
        }.sorted { $0.name < $1.name }
        let reached = items.filter(\.reached).count
        return try await req.view.render("assessments/intervention", ShowPage(
            page: PageContext(request: req, title: group.name), name: group.name, classId: group.classId, classTitle: schoolClass.title,
            standardCode: standard?.code ?? "", standardStatement: standard?.statement ?? "", plan: group.plan, minutesPerWeek: group.minutesPerWeek, reassessOn: DisplayTime.date(group.reassessOn),
            due: group.reassessOn <= DisplayTime.isoDay(Int(Date().timeIntervalSince1970)), members: items,
            summary: "\(reached) of \(items.count) now at \(scale.level(for: scale.masteryValue)?.name ?? "mastery") or above"))
    }

    struct ListPage: Encodable {
        struct Item: Encodable { let id: String; let name: String; let classTitle: String; let reassessOn: String; let members: Int }
        let page: PageContext
        let items: [Item]
    }

    func list(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let classes = try await RosterQueries(req.db).classes(taughtBy: viewer.id)
        let leadSchools = Array(viewer.policy.administeredSchools)
        var query = InterventionGroup.query(on: req.db)
        if !viewer.policy.seesWholeDistrict {
            query = query.group(.or) { $0.filter(\.$classId ~~ classes.map(\.id)).filter(\.$schoolId ~~ leadSchools) }
        }
        let groups = try await query.sort(\.$reassessOn).limit(200).all()
        let titles = Dictionary(uniqueKeysWithValues: try await RosterQueries(req.db).schoolClasses(Set(groups.map(\.classId))).map { ($0.id!, $0.title) })
        var items: [ListPage.Item] = []
        for group in groups {
            items.append(.init(id: group.id!, name: group.name, classTitle: titles[group.classId] ?? "", reassessOn: DisplayTime.date(group.reassessOn),
                               members: try await InterventionMember.query(on: req.db).filter(\.$groupId == group.id!).count()))
        }
        return try await req.view.render("assessments/interventions", ListPage(page: PageContext(request: req, title: "Intervention groups"), items: items))
    }
}
