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
        routes.get("assessments", ":id", use: grid)
        routes.on(.PUT, "api", "assessments", ":id", "scores", body: .collect(maxSize: "64kb"), use: saveScore)
        routes.get("classes", ":classId", "mastery", use: tracker)
        routes.get("classes", ":classId", "mastery.csv", use: trackerCSV)
        routes.get("classes", ":classId", "mastery-by-month.csv", use: byMonthCSV)
        routes.get("classes", ":classId", "mastery", ":studentId", ":standardId", use: evidence)
    }

    // MARK: Access

    /// Teachers of the assessment's classes and the school's administrators enter scores; school leaders and district roles look.
    private func access(_ req: Request, _ viewer: Viewer, _ assessment: Assessment) async throws -> (classes: [String], canEnter: Bool) {
        let queries = AssessmentQueries(db: req.db)
        let classes = try await queries.classIds(of: assessment.id!)
        let roster = RosterQueries(db: req.db.sql)
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
        let classes = try await RosterQueries(db: req.db.sql).classes(taughtBy: viewer.id)
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

    private func renderNew(_ req: Request, _ viewer: Viewer, form: CreateForm?, selected: [String], error: String?) async throws -> View {
        let classes = try await RosterQueries(db: req.db.sql).classes(taughtBy: viewer.id)
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
            let roster = RosterQueries(db: req.db.sql)
            var schools: Set<String> = []
            for classId in chosen {
                guard try await roster.teaches(staffId: viewer.id, classId: classId), let schoolClass = try await SchoolClass.find(classId, on: req.db) else {
                    throw LodestarError(.forbidden, "You can create assessments for your own classes only.")
                }
                schools.insert(schoolClass.schoolId)
            }
            guard schools.count == 1 else { throw LodestarError("Choose classes of one school.") }
            let codes = form.standards.split(whereSeparator: { $0 == "," || $0 == ";" || $0.isWhitespace }).map(String.init)
            guard !codes.isEmpty else { throw LodestarError("Name at least one standard by its code, e.g. CCSS.Math.Content.6.RP.A.1.") }
            var standardIds: [String] = []
            for code in codes {
                guard let standard = try await Standard.query(on: req.db).group(.or, { $0.filter(\.$code == code).filter(\.$id == code) }).first() else {
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

    // MARK: Score files

    struct ImportPage: Encodable {
        let page: PageContext
        let columns: String
        let notice: String?
        let error: String?
    }

    func importPage(req: Request) async throws -> View {
        _ = try await req.viewer()
        return try await req.view.render("assessments/import", ImportPage(page: PageContext(request: req, title: "Import scores"),
                                                                          columns: ScoreFile.columns.joined(separator: ","), notice: nil, error: nil))
    }

    func importScores(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        var notice: String?, error: String?
        try await req.withUpload(limit: 100, file: "file") { form in
            guard let file = form.file else {
                error = "Choose a score file (.csv) or a OneRoster gradebook export (.zip) first."
                return
            }
            do {
                let report = file.name.lowercased().hasSuffix(".zip")
                    ? try await ScoreImport.runOneRoster(try OneRosterImport.readZip(at: file.url, name: file.name), importer: viewer, on: req.db)
                    : try await ScoreImport.run(try file.bytes(), fileName: file.name, importer: viewer, on: req.db)
                try await req.auditImport("scores", fileName: file.name)
                let c = report.scores
                notice = "Imported \(report.assessments) assessments: \(c.created) new scores, \(c.updated) changed, \(c.unchanged) unchanged."
            } catch let failure as LodestarError {
                try await req.auditImport("scores", fileName: file.name, refused: failure)
                error = failure.description
            }
        }
        let response = try await req.view.render("assessments/import", ImportPage(
            page: PageContext(request: req, title: "Import scores"), columns: ScoreFile.columns.joined(separator: ","),
            notice: notice, error: error)).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    // MARK: Score entry

    struct GridPage: Encodable {
        struct Cell: Encodable { let standardId: String; let value: String }
        struct Row: Encodable { let studentId: String; let name: String; let cells: [Cell] }
        let page: PageContext
        let id: String
        let title: String
        let date: String
        let standards: [AssessmentQueries.StandardRef]
        let rows: [Row]
        let levels: [ProficiencyScale.Level]
        let allowed: String
        let canEnter: Bool
        let classLinks: [SelectOption]
    }

    func grid(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        guard let assessment = try await Assessment.find(try req.parameters.require("id"), on: req.db) else { throw Abort(.notFound) }
        let (classes, canEnter) = try await access(req, viewer, assessment)
        try await req.audit("viewed assessment scores", subject: assessment.id!)
        let queries = AssessmentQueries(db: req.db)
        let standards = try await queries.standards(of: assessment.id!)
        let students = try await queries.students(inClasses: classes)
        let scale = try await MasteryStore.scale(assessment.scaleId, on: req.db)
        let scores = try await Score.query(on: req.db).filter(\.$assessmentId == assessment.id!).all()
        let byKey = Dictionary(scores.map { ("\($0.studentId)|\($0.standardId)", $0.value) }, uniquingKeysWith: { a, _ in a })
        let classTitles = try await SchoolClass.query(on: req.db).filter(\.$id ~~ classes).all()
        return try await req.view.render("assessments/grid", GridPage(
            page: PageContext(request: req, title: assessment.title), id: assessment.id!, title: assessment.title, date: DisplayTime.date(assessment.assessedOn),
            standards: standards,
            rows: students.map { student in
                .init(studentId: student.id, name: student.name, cells: standards.map { standard in
                    .init(standardId: standard.id, value: byKey["\(student.id)|\(standard.id)"].map(Self.format) ?? "")
                })
            },
            levels: scale.levels, allowed: scale.levels.map { Self.format($0.value) }.joined(separator: ", "), canEnter: canEnter,
            classLinks: classTitles.map { SelectOption(value: $0.id!, label: $0.title) }))
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : value.formatted(.number.precision(.fractionLength(0...2)))
    }

    struct ScoreInput: Content {
        var studentId: String
        var standardId: String
        /// Nil or absent clears the score.
        var value: Double?
    }

    struct ScoreSaved: Content {
        let saved: Bool
        let level: String?
    }

    /// Saves one cell of the grid. The value must be one of the scale's levels.
    func saveScore(req: Request) async throws -> ScoreSaved {
        let viewer = try await req.viewer()
        guard let assessment = try await Assessment.find(try req.parameters.require("id"), on: req.db) else { throw Abort(.notFound) }
        let (classes, canEnter) = try await access(req, viewer, assessment)
        try req.require(canEnter)
        let input = try req.content.decode(ScoreInput.self)
        let queries = AssessmentQueries(db: req.db)
        guard try await queries.standards(of: assessment.id!).contains(where: { $0.id == input.standardId }) else {
            throw LodestarError("that standard is not assessed here")
        }
        guard try await queries.students(inClasses: classes).contains(where: { $0.id == input.studentId }) else {
            throw LodestarError("that student is not in the assessment's classes")
        }
        let scale = try await MasteryStore.scale(assessment.scaleId, on: req.db)
        let id = Score.id(assessment: assessment.id!, student: input.studentId, standard: input.standardId)
        guard let value = input.value else {
            try await req.db.writeTransaction { db in
                try await Score.query(on: db).filter(\.$id == id).delete()
                try await MasteryRollup.refresh(students: [input.studentId], standards: [input.standardId], on: db)
            }
            return ScoreSaved(saved: true, level: nil)
        }
        guard scale.levels.contains(where: { $0.value == value }) else {
            throw LodestarError("expected one of \(scale.levels.map { Self.format($0.value) }.joined(separator: ", ")) (\(scale.levels.map(\.name).joined(separator: ", ")))")
        }
        try await req.db.writeTransaction { db in
            let score = try await Score.find(id, on: db) ?? Score()
            if score.id == nil {
                score.id = id
                score.assessmentId = assessment.id!
                score.studentId = input.studentId
                score.standardId = input.standardId
            }
            score.value = value
            score.enteredAt = Int(Date().timeIntervalSince1970)
            score.enteredBy = viewer.id
            try await score.save(on: db)
            try await MasteryRollup.refresh(students: [input.studentId], standards: [input.standardId], on: db)
        }
        return ScoreSaved(saved: true, level: scale.level(for: value)?.name)
    }

    // MARK: Mastery tracker

    struct TrackerPage: Encodable {
        struct Cell: Encodable { let standardId: String; let text: String; let level: String; let css: String; let count: Int }
        struct Row: Encodable { let studentId: String; let name: String; let cells: [Cell] }
        struct Legend: Encodable { let name: String; let css: String }
        let page: PageContext
        let classId: String
        let classTitle: String
        let method: String
        let standards: [AssessmentQueries.StandardRef]
        let rows: [Row]
        let legend: [Legend]
        let canCreate: Bool
        struct MonthCell: Encodable { let text: String; let note: String; let heat: Int; let label: String }
        struct MonthRow: Encodable { let code: String; let cells: [MonthCell] }
        let months: [String]
        let monthly: [MonthRow]
        let minimum: Int
    }

    func tracker(req: Request) async throws -> View {
        let tracker = try await Tracker.load(req, audit: "viewed class mastery")
        let scale = tracker.book.fallback
        let rows = tracker.students.map { student in
            TrackerPage.Row(studentId: student.id, name: student.name, cells: tracker.standards.map { standard in
                let (result, scale, count) = tracker.mastery(student: student.id, standard: standard.id)
                let shown = MasteryDisplay(result, on: scale)
                return .init(standardId: standard.id, text: shown.text, level: shown.level, css: shown.css, count: count)
            })
        }
        let months = tracker.months, byMonth = tracker.byMonth(months)
        return try await req.view.render("assessments/tracker", TrackerPage(
            page: PageContext(request: req, title: "Mastery: \(tracker.schoolClass.title)"), classId: tracker.schoolClass.id!, classTitle: tracker.schoolClass.title,
            method: tracker.method.label, standards: tracker.standards, rows: rows,
            legend: scale.levels.enumerated().map { .init(name: $1.name, css: MasteryDisplay.css(levelIndex: $0, of: scale.levels.count)) },
            canCreate: tracker.teaches, months: months.map { InsightsScope.label(month: $0) },
            monthly: tracker.standards.map { standard in
                .init(code: standard.code, cells: months.map { month in
                    let shown = LearningTrendsController.shown(byMonth[standard.id]?[month])
                    return .init(text: shown.text, note: shown.suppressed ? "fewer than \(DistrictSettings.smallGroups.minimum)" : shown.students > 0 ? "\(shown.students)" : "",
                                 heat: shown.heat,
                                 label: "\(standard.code), \(InsightsScope.label(month: month)): \(shown.suppressed ? "too few students to show" : shown.students > 0 ? "\(shown.text) of \(shown.students) students" : "no results yet")")
                })
            },
            minimum: DistrictSettings.smallGroups.minimum))
    }

    /// The month-by-month table as CSV, as learning trends write theirs.
    func byMonthCSV(req: Request) async throws -> Response {
        let tracker = try await Tracker.load(req, audit: nil)
        let months = tracker.months, byMonth = tracker.byMonth(months)
        let csv = LearningTrendsController.csv(tracker.standards.map { ($0.code, byMonth[$0.id] ?? [:]) }, months: months)
        return try await req.csvDownload(csv, named: "mastery-by-month-\(tracker.schoolClass.id!).csv")
    }

    /// The tracker as CSV: one row per student and standard, with the mastery value to two decimals.
    func trackerCSV(req: Request) async throws -> Response {
        let tracker = try await Tracker.load(req, audit: nil)
        try await req.takeStudentExport("mastery-\(tracker.schoolClass.id!).csv")
        var csv = CSVWriter(header: ["student_id", "student", "standard", "scores", "mastery", "level"])
        for student in tracker.students {
            for standard in tracker.standards {
                let (result, scale, count) = tracker.mastery(student: student.id, standard: standard.id)
                csv.append([student.id, student.name, standard.code, String(count), result.value.map { String(format: "%.2f", $0) } ?? "",
                            MasteryDisplay(result, on: scale).level])
            }
        }
        return .csv(csv, named: "mastery-\(tracker.schoolClass.id!).csv")
    }

    /// A class's students, the standards assessed in it, and every score behind each cell, for the tracker and its CSV.
    private struct Tracker {
        let schoolClass: SchoolClass
        let teaches: Bool
        let standards: [AssessmentQueries.StandardRef]
        let students: [AssessmentQueries.Student]
        let method: MasteryMethod
        let book: ScaleBook
        let scores: [String: [AssessmentQueries.Evidence]]

        /// - Parameter action: what the audit trail records (nil for a CSV, recorded as an export).
        static func load(_ req: Request, audit action: String?) async throws -> Tracker {
            let viewer = try await req.viewer()
            let (schoolClass, teaches) = try await AssessmentController.visibleClass(req, viewer)
            if let action { try await req.audit(action, subject: schoolClass.id!) }
            let queries = AssessmentQueries(db: req.db)
            let standards = try await queries.standardsAssessed(inClass: schoolClass.id!)
            let students = try await queries.students(inClasses: [schoolClass.id!])
            let evidence = try await queries.evidence(students: students.map(\.id), standards: standards.map(\.id))
            return Tracker(schoolClass: schoolClass, teaches: teaches, standards: standards, students: students,
                           method: try await MasteryStore.method(forSchool: schoolClass.schoolId, on: req.db), book: try await ScaleBook.load(on: req.db),
                           scores: Dictionary(grouping: evidence) { "\($0.studentId)|\($0.standardId)" })
        }

        /// From the first month with a score in the class to the last, at most three years.
        var months: [String] {
            let days = scores.values.flatMap { $0.map(\.assessedOn) }
            guard let first = days.min(), let last = days.max() else { return [] }
            return InsightsScope.months(from: String(first.prefix(7)), through: String(last.prefix(7)))
        }

        /// Per standard and month: the class's students with a result, and at or above mastery, as of the month's end.
        func byMonth(_ months: [String]) -> [String: [String: InsightsQueries.MasteryCount]] {
            var result: [String: [String: InsightsQueries.MasteryCount]] = [:]
            for standard in standards {
                let timelines = students.map { student in
                    MasteryTimeline.months((scores["\(student.id)|\(standard.id)"] ?? []).map {
                        MasteryTimeline.Score(day: $0.assessedOn, value: $0.value, scale: book.scale(lastAssessedOn: $0.scaleId))
                    }, method: method)
                }
                result[standard.id] = MasteryTimeline.counts(asOf: months, timelines: timelines)
                    .mapValues { InsightsQueries.MasteryCount(evidence: $0.evidence, atOrAbove: $0.atOrAbove) }
            }
            return result
        }

        func mastery(student: String, standard: String) -> (MasteryMethod.Result, ProficiencyScale, Int) {
            let scores = self.scores["\(student)|\(standard)"] ?? []
            let (result, scale) = book.mastery(scores, by: method)
            return (result, scale, scores.count)
        }
    }

    private static func visibleClass(_ req: Request, _ viewer: Viewer) async throws -> (SchoolClass, Bool) {
        guard let schoolClass = try await SchoolClass.find(try req.parameters.require("classId"), on: req.db) else { throw Abort(.notFound) }
        let teaches = try await RosterQueries(db: req.db.sql).teaches(staffId: viewer.id, classId: schoolClass.id!)
        try req.require(viewer.policy.canViewStudentResults(inSchool: schoolClass.schoolId, teachesClass: teaches))
        return (schoolClass, teaches)
    }

    struct EvidencePage: Encodable {
        struct Item: Encodable { let assessmentId: String; let title: String; let date: String; let value: String; let level: String }
        let page: PageContext
        let classId: String
        let classTitle: String
        let studentName: String
        let standardCode: String
        let standardStatement: String
        let method: String
        let result: String
        let items: [Item]
    }

    func evidence(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let (schoolClass, _) = try await Self.visibleClass(req, viewer)
        let studentId = try req.parameters.require("studentId"), standardId = try req.parameters.require("standardId")
        let queries = AssessmentQueries(db: req.db)
        guard let student = try await queries.students(inClasses: [schoolClass.id!]).first(where: { $0.id == studentId }),
              let standard = try await Standard.find(standardId, on: req.db) else { throw Abort(.notFound) }
        try await req.audit("viewed student evidence", subject: studentId)
        let method = try await MasteryStore.method(forSchool: schoolClass.schoolId, on: req.db)
        let book = try await ScaleBook.load(on: req.db)
        let scores = try await queries.evidence(students: [studentId], standards: [standardId])
        let (mastery, scale) = book.mastery(scores, by: method)
        let result: String = switch mastery {
        case .value(let value): "\(Self.format((value * 100).rounded() / 100)) — \(scale.level(for: value)?.name ?? "")"
        case .notYet: "Not yet: more evidence needed"
        case .noEvidence: "No evidence yet"
        }
        return try await req.view.render("assessments/evidence", EvidencePage(
            page: PageContext(request: req, title: "\(student.name): \(standard.code)"), classId: schoolClass.id!, classTitle: schoolClass.title,
            studentName: student.name, standardCode: standard.code, standardStatement: standard.statement, method: method.label, result: result,
            items: scores.map { .init(assessmentId: $0.assessmentId, title: $0.title, date: DisplayTime.date($0.assessedOn), value: Self.format($0.value),
                                      level: book.scale(lastAssessedOn: $0.scaleId).level(for: $0.value)?.name ?? "") }))
    }
}
