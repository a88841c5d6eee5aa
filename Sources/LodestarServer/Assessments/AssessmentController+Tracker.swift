import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

extension AssessmentController {
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
        /// Narrowed to the district's priority standards (`?priority=1`), and how many of the class's standards are priorities.
        let priorityOnly: Bool
        let priorities: Int
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
                    let shown = InsightsQueries.MasteryCount.shown(byMonth[standard.id]?[month])
                    return .init(text: shown.text, note: shown.suppressed ? "fewer than \(DistrictSettings.smallGroups.minimum)" : shown.students > 0 ? "\(shown.students)" : "",
                                 heat: shown.heat,
                                 label: "\(standard.code), \(InsightsScope.label(month: month)): \(shown.suppressed ? "too few students to show" : shown.students > 0 ? "\(shown.text) of \(shown.students) students" : "no results yet")")
                })
            },
            minimum: DistrictSettings.smallGroups.minimum, priorityOnly: tracker.priorityOnly, priorities: tracker.priorities))
    }

    /// The month-by-month table as CSV, as learning trends write theirs.
    func byMonthCSV(req: Request) async throws -> Response {
        let tracker = try await Tracker.load(req, audit: nil)
        let months = tracker.months, byMonth = tracker.byMonth(months)
        let csv = InsightsQueries.MasteryCount.csv(tracker.standards.map { ($0.code, byMonth[$0.id] ?? [:]) }, months: months)
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
    struct Tracker {
        let schoolClass: SchoolClass
        let teaches: Bool
        let standards: [AssessmentQueries.StandardRef]
        let students: [AssessmentQueries.Student]
        let method: MasteryMethod
        let book: ScaleBook
        let scores: [String: [AssessmentQueries.Evidence]]
        let priorityOnly: Bool
        /// How many of the standards assessed in the class are priority standards.
        let priorities: Int

        /// - Parameter action: what the audit trail records (nil for a CSV, recorded as an export).
        static func load(_ req: Request, audit action: String?) async throws -> Tracker {
            let viewer = try await req.viewer()
            let (schoolClass, teaches) = try await AssessmentController.visibleClass(req, viewer)
            if let action { try await req.audit(action, subject: schoolClass.id!) }
            let queries = AssessmentQueries(db: req.db)
            let assessed = try await queries.standardsAssessed(inClass: schoolClass.id!)
            let priorityIds = try await StandardsQueries(db: req.db).priorities()
            let priorityOnly = req.query[String.self, at: "priority"] == "1"
            let standards = priorityOnly ? assessed.filter { priorityIds[$0.id] != nil } : assessed
            let students = try await queries.students(inClasses: [schoolClass.id!])
            let evidence = try await queries.evidence(students: students.map(\.id), standards: standards.map(\.id))
            return Tracker(schoolClass: schoolClass, teaches: teaches, standards: standards, students: students,
                           method: try await MasteryStore.method(forSchool: schoolClass.schoolId, on: req.db), book: try await ScaleBook.load(on: req.db),
                           scores: Dictionary(grouping: evidence) { "\($0.studentId)|\($0.standardId)" },
                           priorityOnly: priorityOnly, priorities: assessed.filter { priorityIds[$0.id] != nil }.count)
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

    static func visibleClass(_ req: Request, _ viewer: Viewer) async throws -> (SchoolClass, Bool) {
        guard let schoolClass = try await RosterQueries(req.db).schoolClass(try req.parameters.require("classId")) else { throw LodestarError.notFound }
        let teaches = try await RosterQueries(req.db).teaches(staffId: viewer.id, classId: schoolClass.id!)
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
              let standard = try await StandardsQueries(db: req.db).standard(standardId) else { throw LodestarError.notFound }
        try await req.audit("viewed student evidence", subject: studentId)
        let method = try await MasteryStore.method(forSchool: schoolClass.schoolId, on: req.db)
        let book = try await ScaleBook.load(on: req.db)
        let scores = try await queries.evidence(students: [studentId], standards: [standardId])
        let (mastery, scale) = book.mastery(scores, by: method)
        let result: String = switch mastery {
        case .value(let value): "\(ScaleValue.text((value * 100).rounded() / 100)) — \(scale.level(for: value)?.name ?? "")"
        case .notYet: "Not yet: more evidence needed"
        case .noEvidence: "No evidence yet"
        }
        return try await req.view.render("assessments/evidence", EvidencePage(
            page: PageContext(request: req, title: "\(student.name): \(standard.code)"), classId: schoolClass.id!, classTitle: schoolClass.title,
            studentName: student.name, standardCode: standard.code, standardStatement: standard.statement, method: method.label, result: result,
            items: scores.map { .init(assessmentId: $0.assessmentId, title: $0.title, date: DisplayTime.date($0.assessedOn), value: ScaleValue.text($0.value),
                                      level: book.scale(lastAssessedOn: $0.scaleId).level(for: $0.value)?.name ?? "") }))
    }
}
