import Foundation
import LodestarCore

/// How often each class of a school was formatively assessed: the frequency page's rows and the leadership
/// self-assessment's evidence come from this one rule. Class-level counts only: no student data.
extension AssessmentQueries {
    /// Fewer assessments than this in the last 30 days is flagged as rare.
    static let rareBelow = 2

    struct FrequencyRow: Encodable, Sendable {
        struct Standard: Encodable, Sendable { let code: String; let count: Int; let last: String }
        let classId: String
        let title: String
        let teacher: String
        /// Assessments given in the last 30 days.
        let recent: Int
        /// Assessments given this term.
        let term: Int
        let last: String
        let rare: Bool
        let standards: [Standard]
    }

    /// Every class of the school, rarest first, as of `now`; and the day the current term began.
    func frequency(atSchool schoolId: String, now: Int) async throws -> (termStart: Int, rows: [FrequencyRow]) {
        let since = DisplayTime.isoDay(now - 30 * 86_400)
        let roster = RosterQueries(db)
        let termStart = try await roster.currentTermStart(now: now)
        let classes = try await roster.classes(inSchool: schoolId)
        let assessed = try await assessedOn(classes: classes.map(\.id), since: DisplayTime.isoDay(termStart))
        let codes = Dictionary(uniqueKeysWithValues: try await StandardsQueries(db: db).standards(ids: Set(assessed.map(\.standardId))).map { ($0.id!, $0.code) })
        let byClass = Dictionary(grouping: assessed, by: \.classId)
        var rows = classes.map { schoolClass in
            let mine = byClass[schoolClass.id] ?? []
            let days = Dictionary(mine.map { ($0.assessmentId, $0.assessedOn) }, uniquingKeysWith: { first, _ in first })
            let recent = days.values.filter { $0 >= since }.count
            let byCode = Dictionary(grouping: mine.filter { codes[$0.standardId] != nil }) { codes[$0.standardId]! }
            let standards = byCode.keys.sorted().map { code in
                let taken = Dictionary(byCode[code]!.map { ($0.assessmentId, $0.assessedOn) }, uniquingKeysWith: { first, _ in first })
                return FrequencyRow.Standard(code: code, count: taken.count, last: DisplayTime.date(taken.values.max()!))
            }
            return FrequencyRow(classId: schoolClass.id, title: schoolClass.title, teacher: schoolClass.teachers ?? "—", recent: recent, term: days.count,
                                last: days.values.max().map(DisplayTime.date) ?? "Never", rare: recent < Self.rareBelow, standards: standards)
        }
        // Rarest first, so the classes that need attention lead.
        rows.sort { ($0.recent, $0.term, $0.title) < ($1.recent, $1.term, $1.title) }
        return (termStart, rows)
    }
}

/// Whether every class assesses each priority standard it teaches as often as the district asks (`PriorityCadence`):
/// a class teaches a priority standard when they share a grade and the class lists the standard's subject (or lists
/// no subject at all).
extension AssessmentQueries {
    struct PriorityRow: Encodable, Sendable {
        struct Standard: Encodable, Sendable { let id: String; let code: String; let last: String }
        let classId: String
        let title: String
        let teacher: String
        /// The priority standards the class teaches that are due, and how many it teaches.
        let due: [Standard]
        let priorities: Int
    }

    /// A roster's comma-separated list (a class's grades or subjects, a standard's grades), compared without case.
    static func list(_ text: String) -> Set<String> {
        Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
    }

    /// Each class of the school that teaches a priority standard, those with the most due first.
    func priorityCadence(atSchool schoolId: String, today: String) async throws -> (cadence: PriorityCadence, rows: [PriorityRow]) {
        let standards = StandardsQueries(db: db)
        let cadence = try await standards.cadence()
        let prioritized = try await standards.standards(ids: Array(try await standards.priorities().keys))
        let subjects = try await standards.subjects()
        let classes = try await RosterQueries(db).classes(inSchool: schoolId)
        let yearStart = DisplayTime.schoolYearStart(of: today)
        var latest: [String: String] = [:]
        for given in try await assessedOn(classes: classes.map(\.id), since: yearStart) where !given.standardId.isEmpty && given.assessedOn <= today {
            let key = given.classId + "|" + given.standardId
            latest[key] = max(latest[key] ?? "", given.assessedOn)
        }
        var rows: [PriorityRow] = classes.compactMap { schoolClass in
            let grades = Self.list(schoolClass.grades), taught = Self.list(schoolClass.subjects)
            let mine = prioritized.filter { standard in
                !Self.list(standard.grades).isDisjoint(with: grades) && (taught.isEmpty || taught.contains((subjects[standard.documentId] ?? "").lowercased()))
            }.sorted { $0.code < $1.code }
            guard !mine.isEmpty else { return nil }
            let due = mine.compactMap { standard -> PriorityRow.Standard? in
                let last = latest[schoolClass.id + "|" + standard.id!]
                guard cadence.isDue(lastAssessed: last, today: today, yearStart: yearStart) else { return nil }
                return .init(id: standard.id!, code: standard.code, last: last.map(DisplayTime.date) ?? "not yet this school year")
            }
            return PriorityRow(classId: schoolClass.id, title: schoolClass.title, teacher: schoolClass.teachers ?? "—", due: due, priorities: mine.count)
        }
        rows.sort { ($1.due.count, $0.title, $0.classId) < ($0.due.count, $1.title, $1.classId) }
        return (cadence, rows)
    }
}
