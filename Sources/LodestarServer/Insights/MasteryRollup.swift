import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Mastery by school, grade, standard, student group and month, for trend and equity views.
///
/// `mastery_pairs` keeps each student's standing on each standard month by month (`MasteryTimeline`)
/// with the student's school, grade and groups when it was computed. `rollup_mastery_months` keeps,
/// for each school, grade, standard, group ("all" or a `StudentGroup` key) and month, the change in the
/// number of students with a mastery result and at or above mastery: counts as of a month are the sums
/// up to it; rows with school "" hold the district's totals. Every score write refreshes the pairs it touches in the same transaction, taking away what
/// the old standing contributed and adding the new; `recompute` rebuilds both from the scores.
enum MasteryRollup {
    static let pairsTable = "mastery_pairs"
    /// The school id of the district's totals: district views read one row per key instead of summing schools.
    static let district = ""
    static let table = "rollup_mastery_months"

    struct Key: Hashable {
        var schoolId: String
        var grade: String
        var standardId: String
        var group: String
        var month: String
        var id: String { [schoolId, grade, standardId, group, month].joined(separator: "|") }
    }

    /// Recomputes the standings of `students` (on `standards`, or on every standard when nil) and
    /// applies the difference to the rollup. Call inside the transaction that wrote the scores.
    /// A thousand students at a time: while one thousand's standings are computed (on another core), the next
    /// thousand's records are read; the database is used by one step at a time. After an import, the scores of
    /// students who had none before are taken from `imported` rather than read back. `cleared`: the standings were
    /// just deleted (`recompute`), so there are none to read.
    static func refresh(students: [String], standards: [String]?, imported: ImportedScores? = nil, cleared: Bool = false,
                        on db: any Database) async throws {
        guard !students.isEmpty else { return }
        // Read once for the whole refresh: the scales, and each school's method as its first student comes.
        let book = try await ScaleBook.load(on: db)
        var methods: [String: MasteryMethod] = [:]
        var computing: Task<Refresh, Never>?
        // The rollup's changes, added up over chunks (a thousand students touch the same rows again and again) and
        // written when there are many, or at the end.
        var changes: [Key: (evidence: Int, atOrAbove: Int)] = [:]
        func write(_ refresh: Refresh) async throws {
            // After `recompute` cleared them, every pair is new.
            try await cleared ? pairs.insert(refresh.keep, on: db.sql) : pairs.upsert(refresh.keep, on: db.sql)
            try await pairs.delete(ids: refresh.drop, on: db.sql)
            changes.merge(refresh.changes) { ($0.evidence + $1.evidence, $0.atOrAbove + $1.atOrAbove) }
            if changes.count >= 50_000 { try await increment(&changes, on: db) }
        }
        for chunk in students.chunks(of: 1_000) {
            let records = try await Records.read(students: Array(chunk), standards: standards, imported: imported, cleared: cleared, book: book,
                                                 methods: &methods, on: db)
            // The next thousand's standings are computed while this thousand's are written.
            let previous = await computing?.value
            computing = Task { Refresh(records) }
            if let previous { try await write(previous) }
        }
        if let computing { try await write(await computing.value) }
        try await increment(&changes, on: db)
    }

    /// What refreshing some students' standings reads.
    private struct Records: Sendable {
        /// Each student's school, grade and the groups their results count in: "all" and each group they belong to.
        var attributes: [String: (school: String, grade: String, groups: [String])]
        /// Scores by pair ("student|standard"), in attempt order, of the students whose scores were read.
        var scores: [String: [MasteryTimeline.Score]] = [:]
        /// The students whose scores are in hand, found with the others' by `Refresh` (on its own core).
        var inHand: (scores: ImportedScores, students: [String])?
        var book: ScaleBook
        /// What the pairs contributed before.
        var old: [String: (school: String, grade: String, groups: [String], timeline: [MasteryTimeline.Entry])] = [:]
        var methods: [String: MasteryMethod] = [:]

        static func read(students: [String], standards: [String]?, imported: ImportedScores?, cleared: Bool, book: ScaleBook,
                         methods: inout [String: MasteryMethod], on db: any Database) async throws -> Records {
            var records = Records(attributes: try await RosterQueries(db).schoolGradeAndGroups(ofStudents: students).mapValues {
                (school: $0.school, grade: $0.grade, groups: ["all"] + $0.groups)
            }, book: book)
            var toRead = students
            if let imported {
                let (inHand, others) = imported.split(students)
                (records.inHand, toRead) = ((imported, inHand), others)
            }
            records.scores = try await AssessmentQueries(db: db).attemptsByPair(students: toRead, standards: standards).mapValues { scores in
                scores.map { MasteryTimeline.Score(day: $0.assessedOn, value: $0.value, scale: book.scale(lastAssessedOn: $0.scaleId)) }
            }
            // Students whose scores are all in hand had none before, so no standings either: only the others' are read.
            var oldQuery = "SELECT id, school_id, grade, groups, timeline FROM mastery_pairs WHERE student_id IN (\(Cell.placeholders(toRead.count)))"
            var binds = toRead.map(Cell.text)
            if let standards {
                oldQuery += " AND standard_id IN (\(Cell.placeholders(standards.count)))"
                binds += standards.map(Cell.text)
            }
            // Reading a table just emptied costs PostgreSQL a scan of its dead rows (59 ms a thousand students).
            for row in cleared || toRead.isEmpty ? [] : try await db.sql.rowsByPosition(oldQuery, binds, kinds: [.text, .text, .text, .text, .text]) {
                records.old[row[0].text ?? ""] = (row[1].text ?? "", row[2].text ?? "", (row[3].text ?? "").split(separator: ",").map(String.init),
                                                  MasteryTimeline.decode(row[4].text ?? ""))
            }
            for school in Set(records.attributes.values.map(\.school)) where methods[school] == nil {
                methods[school] = try await MasteryStore.method(forSchool: school, on: db)
            }
            records.methods = methods
            return records
        }
    }

    /// The pairs to keep and to drop, and the rollup's changes, computed from `Records` alone.
    private struct Refresh: Sendable {
        var keep: [(String, [Cell])] = []
        var drop: [String] = []
        var changes: [Key: (evidence: Int, atOrAbove: Int)] = [:]

        init(_ records: Records) {
            var scores = records.scores
            if let (imported, students) = records.inHand {
                scores.merge(imported.attempts(of: students, book: records.book)) { $1 }
            }
            var unspread: [Unspread: (evidence: Int, atOrAbove: Int)] = [:]
            for pair in Set(scores.keys).union(records.old.keys) {
                let standard = String(pair[pair.index(after: pair.lastIndex(of: "|")!)...])
                let student = String(pair[..<pair.lastIndex(of: "|")!])
                if let before = records.old[pair] {
                    apply(before.timeline, school: before.school, grade: before.grade, groups: before.groups, standard: standard, sign: -1, to: &unspread)
                }
                guard let pairScores = scores[pair], let who = records.attributes[student] else { drop.append(pair); continue }
                let timeline = MasteryTimeline.months(pairScores, method: records.methods[who.school] ?? MasteryStore.defaultMethod)
                apply(timeline, school: who.school, grade: who.grade, groups: who.groups, standard: standard, sign: 1, to: &unspread)
                keep.append((pair, [.text(student), .text(standard), .text(who.school), .text(who.grade), .text(who.groups.joined(separator: ",")),
                                    .text(MasteryTimeline.encode(timeline))]))
            }
            spread(unspread)
        }

        /// A pair's changes before they are spread over its groups and places: pairs of one school, grade, standard and
        /// set of groups add up here first, so the rollup's keys are counted once per set, not once per pair.
        private struct Unspread: Hashable { var school: String, grade: String, standard: String, groups: [String], month: String }

        private func apply(_ timeline: [MasteryTimeline.Entry], school: String, grade: String, groups: [String], standard: String, sign: Int,
                            to unspread: inout [Unspread: (evidence: Int, atOrAbove: Int)]) {
            for (month, delta) in MasteryTimeline.deltas(timeline) {
                Self.add(&unspread[Unspread(school: school, grade: grade, standard: standard, groups: groups, month: month), default: (0, 0)],
                         (sign * delta.evidence, sign * delta.atOrAbove))
            }
        }

        /// Each change counts for each of its groups, in the school and in the district total (school "").
        private mutating func spread(_ unspread: [Unspread: (evidence: Int, atOrAbove: Int)]) {
            for (key, delta) in unspread where delta != (0, 0) {
                for group in key.groups {
                    for place in [key.school, MasteryRollup.district] {
                        Self.add(&changes[Key(schoolId: place, grade: key.grade, standardId: key.standard, group: group, month: key.month), default: (0, 0)], delta)
                    }
                }
            }
        }

        private static func add(_ total: inout (evidence: Int, atOrAbove: Int), _ delta: (evidence: Int, atOrAbove: Int)) {
            total.evidence += delta.evidence
            total.atOrAbove += delta.atOrAbove
        }
    }

    /// After a roster change: recomputes the students among `students` who have standings, so their
    /// results count under their current school, grade and groups (or nowhere, once they are gone).
    static func reattribute(students: [String], on db: any Database) async throws {
        for chunk in students.chunks(of: 1_000) {
            let withStandings = try await db.sql.raw("SELECT DISTINCT student_id FROM mastery_pairs WHERE student_id IN (\(binds: chunk))").all()
                .map { try $0.decode(column: "student_id", as: String.self) }
            try await refresh(students: withStandings, standards: nil, on: db)
        }
    }

    static let pairs = TableSync(table: pairsTable, columns: [
        ("student_id", .text), ("standard_id", .text), ("school_id", .text), ("grade", .text), ("groups", .text), ("timeline", .text)])

    static let writer = RollupWriter(table: table, keyColumns: ["school_id", "grade", "standard_id", "group_key", "month"], counters: ["evidence", "at_or_above"])

    /// Writes the changes that are not zero, and empties `changes`.
    private static func increment(_ changes: inout [Key: (evidence: Int, atOrAbove: Int)], on db: any Database) async throws {
        try await writer.add(changes.compactMap { key, value in
            value == (0, 0) ? nil
                : RollupWriter.Row(id: key.id, keys: [key.schoolId, key.grade, key.standardId, key.group, key.month], counts: [value.evidence, value.atOrAbove])
        }, on: db)
        changes = [:]
    }

    /// Rebuilds the pairs and the rollup from every score, in one transaction.
    static func rebuild(on db: any Database) async throws {
        try await db.writeTransaction { db in try await recompute(on: db) }
    }

    /// `rebuild` inside a transaction the caller holds (bulk loads, a changed mastery method); after a bulk load,
    /// the scores of students who had none before it are taken from `imported`, as after an import, and the standings'
    /// indexes are built once they are all in.
    static func recompute(imported: ImportedScores? = nil, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM rollup_mastery_months").run()
        try await db.sql.raw("DELETE FROM mastery_pairs").run()
        let students = try await AssessmentQueries(db: db).studentsWithScores()
        try await db.loadWithIndexesBuiltAfter(pairsTable, when: imported != nil) {
            try await refresh(students: students, standards: nil, imported: imported, cleared: true, on: db)
        }
        // Rows whose changes cancelled out carry nothing.
        try await db.sql.raw("DELETE FROM rollup_mastery_months WHERE evidence = 0 AND at_or_above = 0").run()
    }

    /// Every non-empty row, for comparing a rebuilt rollup with a maintained one.
    static func all(on db: any Database) async throws -> [String: [Int]] {
        var rows: [String: [Int]] = [:]
        for row in try await db.sql.raw("SELECT id, evidence, at_or_above FROM rollup_mastery_months WHERE evidence <> 0 OR at_or_above <> 0").all() {
            rows[try row.decode(column: "id", as: String.self)] = [try row.decode(column: "evidence", as: Int.self), try row.decode(column: "at_or_above", as: Int.self)]
        }
        return rows
    }
}
