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
