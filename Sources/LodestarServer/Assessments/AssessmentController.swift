import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Formative assessments: quick creation, score entry in a keyboard grid that saves as you go,
/// and the class mastery tracker with the evidence behind each cell.
struct AssessmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("assessments", use: list)
        routes.get("assessments", "new", use: newForm)
        routes.post("assessments", use: create)
        routes.get("assessments", "import", use: importPage)
        routes.upload("assessments", "import", use: importScores)
        routes.get("assessments", "import", "jobs", ":jobId", use: importJob)
        routes.get("assessments", ":id", use: grid)
        routes.post("assessments", ":id", "common", use: markCommon)
        routes.on(.PUT, "api", "assessments", ":id", "scores", body: .collect(maxSize: "64kb"), use: saveScore)
        routes.get("classes", ":classId", "mastery", use: tracker)
        routes.get("classes", ":classId", "mastery.csv", use: trackerCSV)
        routes.get("classes", ":classId", "mastery-by-month.csv", use: byMonthCSV)
        routes.get("classes", ":classId", "mastery", ":studentId", ":standardId", use: evidence)
    }

    // MARK: Access

    /// Teachers of the assessment's classes and the school's administrators enter scores; school leaders and district roles look.
    func access(_ req: Request, _ viewer: Viewer, _ assessment: Assessment) async throws -> (classes: [String], canEnter: Bool) {
        let queries = AssessmentQueries(db: req.db)
        let classes = try await queries.classIds(of: assessment.id!)
        let roster = RosterQueries(req.db)
        var teaches = false
        for classId in classes where try await roster.teaches(staffId: viewer.id, classId: classId) { teaches = true; break }
        let administers = viewer.policy.administers(school: assessment.schoolId)
        try req.require(viewer.policy.canViewStudentResults(inSchool: assessment.schoolId, teachesClass: teaches))
        return (classes, teaches || administers)
    }

    // MARK: List and create

    struct ListPage: Encodable {
        let page: PageContext
        let items: [AssessmentQueries.ListItem]
        let classes: [RosterQueries.ClassRow]
    }

    func list(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let classes = try await RosterQueries(req.db).classes(taughtBy: viewer.id)
        let items = try await AssessmentQueries(db: req.db).assessments(forClasses: classes.map(\.id)).map { item in
            var item = item
            item.assessedOn = DisplayTime.date(item.assessedOn)
            return item
        }
        return try await req.view.render("assessments/list", ListPage(page: PageContext(request: req, title: "Assessments"), items: items, classes: classes))
    }

    struct NewPage: Encodable {
        let page: PageContext
        let classes: [SelectOption]
        let title: String
        let date: String
        let standards: String
        let scales: [SelectOption]
        let error: String?
    }

    func newForm(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let preselected = req.query[String.self, at: "class"]
        return try await renderNew(req, viewer, form: nil, selected: preselected.map { [$0] } ?? [], error: nil)
    }

    func renderNew(_ req: Request, _ viewer: Viewer, form: CreateForm?, selected: [String], error: String?) async throws -> View {
        let classes = try await RosterQueries(req.db).classes(taughtBy: viewer.id)
        _ = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: req.db)
        let chosenScale = form?.scaleId ?? MasteryStore.defaultScaleId
        let scales = try await ScaleRecord.query(on: req.db).sort(\.$name).all()
            .map { SelectOption(value: $0.id!, label: $0.name, selected: $0.id == chosenScale) }
        return try await req.view.render("assessments/new", NewPage(
            page: PageContext(request: req, title: "New assessment"),
            classes: classes.map { SelectOption(value: $0.id, label: $0.title, selected: selected.contains($0.id)) },
            title: form?.title ?? "", date: form?.assessedOn ?? DisplayTime.isoDay(Int(Date().timeIntervalSince1970)),
            standards: form?.standards ?? "", scales: scales, error: error))
    }

    struct CreateForm: Content {
        var title: String
        var assessedOn: String
        var classIds: [String]?
        var standards: String
        var scaleId: String?
    }

    func create(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode(CreateForm.self)
        let chosen = form.classIds ?? []
        do {
            let title = form.title.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !title.isEmpty, title.count <= 200 else { throw LodestarError("Give the assessment a title (up to 200 characters).") }
            guard ISODate.isValid(form.assessedOn) else { throw LodestarError("Give the date the assessment was given.") }
            guard !chosen.isEmpty else { throw LodestarError("Choose at least one of your classes.") }
            let roster = RosterQueries(req.db)
            var schools: Set<String> = []
            for classId in chosen {
                guard let taught = try await roster.taughtClass(staffId: viewer.id, classId: classId) else {
                    throw LodestarError(.forbidden, "You can create assessments for your own classes only.")
                }
                schools.insert(taught.schoolId)
            }
            guard schools.count == 1 else { throw LodestarError("Choose classes of one school.") }
            let codes = form.standards.split(whereSeparator: { $0 == "," || $0 == ";" || $0.isWhitespace }).map(String.init)
            guard !codes.isEmpty else { throw LodestarError("Name at least one standard by its code, e.g. CCSS.Math.Content.6.RP.A.1.") }
            var standardIds: [String] = []
            for code in codes {
                guard let standard = try await StandardsQueries(db: req.db).standards(codesOrIds: [code]).first else {
                    throw LodestarError("No standard has the code “\(code)”. Search the standards to find the code.")
                }
                if !standardIds.contains(standard.id!) { standardIds.append(standard.id!) }
            }
            let scaleId = form.scaleId ?? MasteryStore.defaultScaleId
            _ = try await MasteryStore.scale(scaleId, on: req.db)
            let assessment = Assessment()
            assessment.id = UUID().uuidString.lowercased()
            assessment.title = title
            assessment.assessedOn = form.assessedOn
            assessment.scaleId = scaleId
            assessment.schoolId = schools.first!
            assessment.createdBy = viewer.id
            assessment.createdAt = Int(Date().timeIntervalSince1970)
            let links = chosen.map { ("assessment_classes", "class_id", $0) } + standardIds.map { ("assessment_standards", "standard_id", $0) }
            try await req.db.writeTransaction { db in
                try await assessment.create(on: db)
                for (table, column, value) in links {
                    try await db.sql.insert(into: table).columns("id", "assessment_id", column)
                        .values(SQLBind("\(assessment.id!)|\(value)"), SQLBind(assessment.id!), SQLBind(value)).run()
                }
            }
            return req.redirect(to: "/assessments/\(assessment.id!)")
        } catch let error as LodestarError {
            let response = try await renderNew(req, viewer, form: form, selected: chosen, error: error.message).encodeResponse(for: req)
            response.status = error.status
            return response
        }
    }
}
