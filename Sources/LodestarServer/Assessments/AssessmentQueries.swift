import Fluent
import Foundation
import LodestarCore
import SQLKit

/// The questions assessment and mastery pages ask.
struct AssessmentQueries {
    let db: any Database
    var sql: any SQLDatabase { db.sql }

    func assessment(_ id: String) async throws -> Assessment? { try await Assessment.find(id, on: db) }

    /// These assessments, the most recent first.
    func assessments(ids: some Collection<String>) async throws -> [Assessment] {
        guard !ids.isEmpty else { return [] }
        return try await Assessment.query(on: db).filter(\.$id ~~ Array(Set(ids))).sort(\.$assessedOn, .descending).sort(\.$id).all()
    }

    func interventionGroup(_ id: String) async throws -> InterventionGroup? { try await InterventionGroup.find(id, on: db) }

    /// A school's intervention groups, newest first: what a resource can serve and reach.
    func interventionGroups(atSchool schoolId: String) async throws -> [InterventionGroup] {
        try await InterventionGroup.query(on: db).filter(\.$schoolId == schoolId).sort(\.$createdAt, .descending).sort(\.$id).all()
    }

    /// The students placed in `groups`, group by group.
    func interventionMembers(ofGroups groups: [String]) async throws -> [String: [String]] {
        var members: [String: [String]] = [:]
        for chunk in groups.chunks(of: 500) {
            for member in try await InterventionMember.query(on: db).filter(\.$groupId ~~ Array(chunk)).all() { members[member.groupId, default: []].append(member.studentId) }
        }
        return members
    }

    struct StandardRef: Codable, Sendable, Hashable {
        var id: String
        var code: String
        var statement: String
    }

    func classIds(of assessmentId: String) async throws -> [String] {
        try await sql.raw("SELECT class_id FROM assessment_classes WHERE assessment_id = \(bind: assessmentId) ORDER BY class_id").all()
            .map { try $0.decode(column: "class_id", as: String.self) }
    }

    func standards(of assessmentId: String) async throws -> [StandardRef] {
        try await refs(sql.raw("SELECT standard_id FROM assessment_standards WHERE assessment_id = \(bind: assessmentId)").all())
    }

    /// The standards named in the rows' `standard_id`, by code.
    private func refs(_ rows: [any SQLRow]) async throws -> [StandardRef] {
        try await StandardsQueries(db: db).standards(ids: rows.map { try $0.decode(column: "standard_id", as: String.self) })
            .map { StandardRef(id: $0.id!, code: $0.code, statement: $0.statement) }
    }

    struct ListItem: Codable, Sendable {
        var id: String
        var title: String
        var assessedOn: String
        var classes: Int
        var scores: Int
    }

    /// Assessments given to any of `classIds`, newest first.
    func assessments(forClasses classIds: [String]) async throws -> [ListItem] {
        guard !classIds.isEmpty else { return [] }
        return try await sql.raw("""
            SELECT a.id, a.title, a.assessed_on,
              (SELECT COUNT(*) FROM assessment_classes c WHERE c.assessment_id = a.id) AS classes,
              (SELECT COUNT(*) FROM scores s WHERE s.assessment_id = a.id) AS scores
            FROM assessments a WHERE a.id IN (SELECT assessment_id FROM assessment_classes WHERE class_id IN (\(binds: classIds)))
            ORDER BY a.assessed_on DESC, a.created_at DESC LIMIT 200
            """).all(decoding: ListItem.self, keyDecodingStrategy: .snakeCase)
    }

    struct Student: Codable, Sendable {
        var id: String
        var givenName: String
        var familyName: String
        var preferredName: String
        var name: String { "\(familyName), \(preferredName.isEmpty ? givenName : preferredName)" }
    }

    /// Students enrolled in any of `classIds`, by name.
    func students(inClasses classIds: [String]) async throws -> [Student] {
        try await RosterQueries(db).students(inClasses: classIds).map {
            Student(id: $0.id, givenName: $0.givenName, familyName: $0.familyName, preferredName: $0.preferredName)
        }
    }

    /// A score with what orders it: the assessment's date, then when it was entered.
    struct Evidence: Codable, Sendable {
        var assessmentId: String
        var title: String
        var assessedOn: String
        var studentId: String
        var standardId: String
        var value: Double
        var enteredAt: Int
        var scaleId: String

        /// A score's place among a student's attempts: the assessment's date, then when the score was entered,
        /// then the assessment, so two scores entered together for one day keep one order on either database.
        var attemptOrder: (String, Int, String) { (assessedOn, enteredAt, assessmentId) }
    }

    /// Every score of `students` on `standards` (nil: on any standard), in attempt order.
    /// `through`: only assessments given on or before that ISO day.
    func evidence(students: [String], standards: [String]?, through: String? = nil) async throws -> [Evidence] {
        try await scores(of: students, on: standards, through: through, titles: true).sorted { $0.attemptOrder < $1.attemptOrder }
    }

    /// Every score of `students` on `standards` (nil: on any standard), by pair ("student|standard"), each pair's in
    /// attempt order: what the mastery rollup computes standings from, a thousand students (some 33,000 scores) at a
    /// time, so each pair's few scores are sorted rather than the whole set, and no title is read.
    func attemptsByPair(students: [String], standards: [String]?) async throws -> [String: [Evidence]] {
        Dictionary(grouping: try await scores(of: students, on: standards, through: nil, titles: false)) { "\($0.studentId)|\($0.standardId)" }
            .mapValues { $0.count > 1 ? $0.sorted { $0.attemptOrder < $1.attemptOrder } : $0 }
    }

    /// Scores with their assessments' dates and scales, in no order, read by position (a tracker reads thousands,
    /// an import's rollup millions); titles empty unless asked for.
    private func scores(of students: [String], on standards: [String]?, through: String?, titles: Bool) async throws -> [Evidence] {
        guard !students.isEmpty, standards?.isEmpty != true else { return [] }
        var query = """
            SELECT sc.assessment_id, \(titles ? "a.title" : "''"), a.assessed_on, sc.student_id, sc.standard_id, sc.value, sc.entered_at, a.scale_id
            FROM scores sc JOIN assessments a ON a.id = sc.assessment_id
            WHERE sc.student_id IN (\(Cell.placeholders(students.count)))
            """
        var binds = students.map(Cell.text)
        if let standards {
            query += " AND sc.standard_id IN (\(Cell.placeholders(standards.count)))"
            binds += standards.map(Cell.text)
        }
        if let through { query += " AND a.assessed_on <= ?"; binds.append(.text(through)) }
        return try await sql.rowsByPosition(query, binds, kinds: [.text, .text, .text, .text, .text, .double, .int, .text]).map { row in
            Evidence(assessmentId: row[0].text ?? "", title: row[1].text ?? "", assessedOn: row[2].text ?? "", studentId: row[3].text ?? "",
                     standardId: row[4].text ?? "", value: row[5].number ?? 0, enteredAt: row[6].integer ?? 0, scaleId: row[7].text ?? "")
        }
    }

    /// An assessment given to a class on or after a day, once per standard it assessed (a row with
    /// `standardId` "" when it names none).
    struct ClassAssessment: Sendable { var classId: String; var assessmentId: String; var assessedOn: String; var standardId: String }

    func assessedOn(classes classIds: [String], since day: String) async throws -> [ClassAssessment] {
        guard !classIds.isEmpty else { return [] }
        return try await sql.raw("""
            SELECT ac.class_id, a.id, a.assessed_on, COALESCE(x.standard_id, '') AS standard_id
            FROM assessment_classes ac JOIN assessments a ON a.id = ac.assessment_id LEFT JOIN assessment_standards x ON x.assessment_id = a.id
            WHERE ac.class_id IN (\(binds: classIds)) AND a.assessed_on >= \(bind: day)
            """).all().map {
            ClassAssessment(classId: try $0.decode(column: "class_id", as: String.self), assessmentId: try $0.decode(column: "id", as: String.self),
                            assessedOn: try $0.decode(column: "assessed_on", as: String.self), standardId: try $0.decode(column: "standard_id", as: String.self))
        }
    }

    /// Standards any assessment at a school (nil: in the district) has assessed.
    func standardIdsAssessed(atSchool schoolId: String?) async throws -> [String] {
        var query: SQLQueryString = "SELECT DISTINCT x.standard_id FROM assessment_standards x JOIN assessments a ON a.id = x.assessment_id"
        if let schoolId { query += " WHERE a.school_id = \(bind: schoolId)" }
        return try await sql.raw(query).all().map { try $0.decode(column: "standard_id", as: String.self) }
    }

    /// The standards assessed in each class of a school, by class.
    func standardsAssessedByClass(atSchool schoolId: String) async throws -> [String: Set<String>] {
        var standards: [String: Set<String>] = [:]
        for row in try await sql.raw("""
            SELECT DISTINCT c.class_id, x.standard_id FROM assessment_classes c JOIN assessment_standards x ON x.assessment_id = c.assessment_id
            JOIN assessments a ON a.id = c.assessment_id WHERE a.school_id = \(bind: schoolId)
            """).all() {
            standards[try row.decode(column: "class_id", as: String.self), default: []].insert(try row.decode(column: "standard_id", as: String.self))
        }
        return standards
    }

    /// A school's newest assessments given to any of `classIds`, at most `limit`, newest first.
    func newest(atSchool schoolId: String, givenTo classIds: [String], limit: Int) async throws -> [Assessment] {
        guard !classIds.isEmpty else { return [] }
        let ids = try await sql.raw("""
            SELECT DISTINCT a.id, a.assessed_on FROM assessments a JOIN assessment_classes c ON c.assessment_id = a.id
            WHERE a.school_id = \(bind: schoolId) AND c.class_id IN (\(binds: classIds)) ORDER BY a.assessed_on DESC LIMIT \(literal: limit)
            """).all().map { try $0.decode(column: "id", as: String.self) }
        return try await assessments(ids: ids)
    }

    /// An assessment's results: how many, of how many students, and how many at or above `mastery`.
    func results(of assessmentId: String, reaching mastery: Double) async throws -> (results: Int, students: Int, reached: Int) {
        guard let row = try await sql.raw("""
            SELECT COUNT(*) AS results, COUNT(DISTINCT student_id) AS students,
                   SUM(CASE WHEN value >= \(bind: mastery - 1e-9) THEN 1 ELSE 0 END) AS reached
            FROM scores WHERE assessment_id = \(bind: assessmentId)
            """).first() else { return (0, 0, 0) }
        return (try row.decode(column: "results", as: Int.self), try row.decode(column: "students", as: Int.self), try row.decode(column: "reached", as: Int?.self) ?? 0)
    }

    // MARK: A student's records, for the student data export and a deletion request

    /// Every score of a student, with the assessment's day and title and the standard's id.
    func scoreRecords(ofStudent studentId: String) async throws -> [any SQLRow] {
        try await sql.raw("""
            SELECT a.assessed_on, a.title AS assessment, sc.standard_id, sc.value, sc.entered_at FROM scores sc
            JOIN assessments a ON a.id = sc.assessment_id WHERE sc.student_id = \(bind: studentId)
            """).all()
    }

    func interventionRecords(ofStudent studentId: String) async throws -> [any SQLRow] {
        try await sql.raw("""
            SELECT g.name AS intervention_group, g.class_id, m.baseline FROM intervention_members m JOIN intervention_groups g ON g.id = m.group_id
            WHERE m.student_id = \(bind: studentId) ORDER BY g.name
            """).all()
    }

    /// Removes a student's scores and group places; the standings derived from the scores follow.
    func removeStudent(_ studentId: String) async throws {
        try await sql.raw("DELETE FROM scores WHERE student_id = \(bind: studentId)").run()
        try await db.announce(.scoresChanged(students: [studentId], standards: nil))
        try await sql.raw("DELETE FROM intervention_members WHERE student_id = \(bind: studentId)").run()
    }

    /// Every student with a score, in order, for recomputing what is derived from scores in batches.
    func studentsWithScores() async throws -> [String] {
        try await sql.raw("SELECT DISTINCT student_id FROM scores ORDER BY student_id").all().map { try $0.decode(column: "student_id", as: String.self) }
    }

    /// Those of `students` who have any score.
    func studentsWithScores(among students: [String]) async throws -> [String] {
        try await sql.present(students, in: "scores", column: "student_id")
    }

    /// Each assessment's day and scale, by id.
    func daysAndScales(of assessments: [String]) async throws -> [String: (assessedOn: String, scaleId: String)] {
        var found: [String: (assessedOn: String, scaleId: String)] = [:]
        for chunk in assessments.chunks(of: 1_000) {
            for row in try await sql.rowsByPosition("SELECT id, assessed_on, scale_id FROM assessments WHERE id IN (\(Cell.placeholders(chunk.count)))",
                                                    chunk.map(Cell.text), kinds: [.text, .text, .text]) {
                found[row[0].text ?? ""] = (row[1].text ?? "", row[2].text ?? "")
            }
        }
        return found
    }

    /// Standards a student has any score on, by code.
    func standardsScored(student studentId: String) async throws -> [StandardRef] {
        try await refs(sql.raw("SELECT DISTINCT standard_id FROM scores WHERE student_id = \(bind: studentId)").all())
    }

    /// A student's mastery of every standard with evidence, by the school's method.
    struct MasteryRow: Encodable, Sendable {
        var code: String
        var statement: String
        var value: String
        var level: String
        var css: String
        var scores: Int
    }

    func masteryProfile(student studentId: String, schoolId: String) async throws -> (method: String, rows: [MasteryRow]) {
        let method = try await MasteryStore.method(forSchool: schoolId, on: db)
        let book = try await ScaleBook.load(on: db)
        let standards = try await standardsScored(student: studentId)
        let grouped = Dictionary(grouping: try await evidence(students: [studentId], standards: standards.map(\.id)), by: \.standardId)
        let rows = standards.map { standard -> MasteryRow in
            let scores = grouped[standard.id] ?? []
            let (result, scale) = book.mastery(scores, by: method)
            let shown = MasteryDisplay(result, on: scale)
            return MasteryRow(code: standard.code, statement: standard.statement, value: shown.text, level: shown.level, css: shown.css,
                              scores: scores.count)
        }
        return (method.label, rows)
    }

    /// Standards assessed in a class, by code.
    func standardsAssessed(inClass classId: String) async throws -> [StandardRef] {
        try await refs(sql.raw("""
            SELECT DISTINCT x.standard_id FROM assessment_classes c JOIN assessment_standards x ON x.assessment_id = c.assessment_id
            WHERE c.class_id = \(bind: classId)
            """).all())
    }
}
