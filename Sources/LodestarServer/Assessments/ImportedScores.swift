import LodestarCore

/// The scores one import (or the demo's load) wrote, kept compactly (16 bytes a score), so the mastery rollup can
/// compute the standings of students who had no score before the import from the rows in hand instead of reading
/// millions back.
/// For a student who had scores before, `attempts` answers nothing and the rollup reads the database as always.
struct ImportedScores: Sendable {
    private struct Written: Sendable { var student: UInt32; var standard: UInt32; var assessment: UInt32; var value: UInt32 }

    private let students: NumberedNames
    private var standards = NumberedNames(), assessments = NumberedNames()
    private var values: [Double] = [], valueNumbers: [UInt64: UInt32] = [:]
    private var written: [Written] = []
    /// Per student: whether the import has written a score of theirs, and whether they had one before it.
    private var appeared: [Bool], hadScores: [Bool]
    /// Per assessment: its day and the number of its scale in `scaleIds`, read once the import has saved the assessments.
    private var assessedOn: [String] = [], scaleNumbers: [Int] = []
    private var scaleIds = NumberedNames()
    /// Per student, where their scores are in `written`, in file order: `order[starts[s]..<starts[s + 1]]`.
    private var order: [UInt32] = [], starts: [UInt32] = []
    /// Per assessment: its place in attempt order.
    private var attemptRank: [UInt32] = []

    /// - Parameter students: every student the import may score, numbered.
    init(students: NumberedNames) {
        self.students = students
        (appeared, hadScores) = (Array(repeating: false, count: students.names.count), Array(repeating: false, count: students.names.count))
    }

    var studentIds: [String] { zip(students.names, appeared).compactMap { $1 ? $0 : nil } }
    var standardIds: [String] { standards.names }
    /// Room for as many scores as the file seems to hold (`Array.reserveForWholeFile`).
    mutating func reserveForWholeFile(fractionRead: Double) { written.reserveForWholeFile(fractionRead: fractionRead) }

    /// Keeps a score the import writes; a later score for the same assessment, student and standard replaces it,
    /// as it does in the database. True when it is the student's first in this import.
    @discardableResult
    mutating func add(assessment: String, student number: UInt32, standard: String, value: Double) -> Bool {
        let first = !appeared[Int(number)]
        appeared[Int(number)] = true
        let valueNumber = valueNumbers[value.bitPattern] ?? {
            values.append(value)
            valueNumbers[value.bitPattern] = UInt32(values.count - 1)
            return UInt32(values.count - 1)
        }()
        written.append(Written(student: number, standard: standards.add(standard), assessment: assessments.add(assessment), value: valueNumber))
        return first
    }

    /// These students had scores before the import (the import asks before it writes a student's first score).
    mutating func hadScores(_ students: some Sequence<String>) {
        for student in students { if let number = self.students.number(of: student) { hadScores[Int(number)] = true } }
    }

    var assessmentIds: [String] { assessments.names }

    /// Once every score is written and the assessments saved: their days, scales and when their scores were entered
    /// (by id; every score of an assessment entered at once, as an import and the demo write them), and each student's
    /// scores found together.
    mutating func finish(assessments saved: [String: (assessedOn: String, scaleId: String, enteredAt: Int)]) {
        assessedOn = assessments.names.map { saved[$0]?.assessedOn ?? "" }
        scaleNumbers = assessments.names.map { Int(scaleIds.add(saved[$0]?.scaleId ?? "")) }
        var starts = [UInt32](repeating: 0, count: students.names.count + 1)
        for score in written { starts[Int(score.student) + 1] += 1 }
        for i in 1..<starts.count { starts[i] += starts[i - 1] }
        var next = starts, order = [UInt32](repeating: 0, count: written.count)
        for (position, score) in written.enumerated() {
            order[Int(next[Int(score.student)])] = UInt32(position)
            next[Int(score.student)] += 1
        }
        (self.order, self.starts) = (order, starts)
        valueNumbers = [:]
        // Attempt order is the assessment's day, then when the score was entered, then the assessment
        // (`AssessmentQueries.Evidence.attemptOrder`).
        let enteredAt = assessments.names.map { saved[$0]?.enteredAt ?? 0 }
        let ranked = assessments.names.indices.sorted {
            (assessedOn[$0], enteredAt[$0], assessments.names[$0]) < (assessedOn[$1], enteredAt[$1], assessments.names[$1])
        }
        attemptRank = [UInt32](repeating: 0, count: ranked.count)
        for (rank, assessment) in ranked.enumerated() { attemptRank[assessment] = UInt32(rank) }
    }

    /// Those of `students` whose every score this import wrote (their scores are in hand), and the others, whose
    /// scores must be read from the database.
    func split(_ students: [String]) -> (inHand: [String], others: [String]) {
        var inHand: [String] = [], others: [String] = []
        for student in students {
            if let number = self.students.number(of: student).map(Int.init), appeared[number], !hadScores[number] {
                inHand.append(student)
            } else {
                others.append(student)
            }
        }
        return (inHand, others)
    }

    /// The scores of students whose scores are in hand (`split`), by pair ("student|standard") in attempt order,
    /// as the rollup reads them from the database: a later score for an assessment and standard replaces the earlier.
    func attempts(of students: [String], book: ScaleBook) -> [String: [MasteryTimeline.Score]] {
        let scales = scaleIds.names.map { book.scale(lastAssessedOn: $0) }
        var byPair: [String: [MasteryTimeline.Score]] = [:]
        for student in students {
            guard let number = self.students.number(of: student).map(Int.init) else { continue }
            // By standard, then attempt order, then file order: of one assessment's scores on a standard, the last is kept.
            let positions = order[Int(starts[number])..<Int(starts[number + 1])].sorted {
                let (a, b) = (written[Int($0)], written[Int($1)])
                return (a.standard, attemptRank[Int(a.assessment)], $0) < (b.standard, attemptRank[Int(b.assessment)], $1)
            }
            var pair: [MasteryTimeline.Score] = []
            for (index, position) in positions.enumerated() {
                let score = written[Int(position)]
                let next = index + 1 < positions.count ? written[Int(positions[index + 1])] : nil
                if let next, next.standard == score.standard, next.assessment == score.assessment { continue }
                pair.append(MasteryTimeline.Score(day: assessedOn[Int(score.assessment)], value: values[Int(score.value)],
                                                  scale: scales[scaleNumbers[Int(score.assessment)]]))
                if next?.standard != score.standard {
                    byPair[student + "|" + standards.names[Int(score.standard)]] = pair
                    pair = []
                }
            }
        }
        return byPair
    }
}

/// Names numbered in the order they first come, so millions of rows can carry a number instead of a string.
struct NumberedNames: Sendable {
    private(set) var names: [String] = []
    private var numbers: [String: UInt32] = [:]

    func number(of name: String) -> UInt32? { numbers[name] }

    mutating func add(_ name: String) -> UInt32 {
        if let number = numbers[name] { return number }
        names.append(name)
        numbers[name] = UInt32(names.count - 1)
        return UInt32(names.count - 1)
    }
}
