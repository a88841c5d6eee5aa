import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Computes a goal's measure from the raw rows, as of any day: the baseline when a goal is set and
/// every point of its progress chart. Each measure is defined in words by `GoalMetric.definition`.
struct GoalMetricQueries {
    let db: any Database
    var sql: any SQLDatabase { db.sql }

    /// The measure as of each day (ISO), in the district or a school; nil where there is nothing to measure yet.
    /// Manual measures have no computed values (see `manualValues`).
    func values(_ metric: GoalMetric, scope: String, days: [String]) async throws -> [Double?] {
        guard !days.isEmpty else { return [] }
        let schoolId = scope == "district" ? nil : scope
        switch metric.kind {
        case .mastery: return try await masteryShares(metric, schoolId: schoolId, days: days)
        case .indicatorObserved: return try await indicatorShares(metric.indicatorKey ?? "", schoolId: schoolId, days: days)
        case .hoursToFeedback: return try await hoursToFeedback(schoolId: schoolId, days: days)
        case .instructionalTime: return try await instructionalShares(schoolId: schoolId, days: days)
        case .manual: return days.map { _ in nil }
        }
    }

    /// Seconds at the end of an ISO day (midnight starting the next day), district time.
    static func endOfDay(_ day: String) -> Int {
        Int((DisplayTime.date(fromISODay: day) ?? Date()).timeIntervalSince1970) + 86_400
    }

    /// The trailing window ending with `day`.
    static func window(endingOn day: String) -> Range<Int> {
        let end = endOfDay(day)
        return (end - GoalMetric.trailingDays * 86_400)..<end
    }

    // MARK: Mastery

    private func masteryShares(_ metric: GoalMetric, schoolId: String?, days: [String]) async throws -> [Double?] {
        guard !metric.standardIds.isEmpty else { return days.map { _ in nil } }
        // The students the goal counts, where they are now (the rule the mastery dashboards follow), and
        // each one's scores per standard up to the last day, in attempt order.
        let schoolOf = try await RosterQueries(db).schoolsOfStudents(inSchool: schoolId, grade: metric.grade, group: metric.group.flatMap(StudentGroup.init(key:)))
        var evidence: [String: [String: [AssessmentQueries.Evidence]]] = [:]
        for chunk in schoolOf.keys.sorted().chunks(of: 1_000) {
            for score in try await AssessmentQueries(db: db).evidence(students: chunk, standards: metric.standardIds, through: days.max()!) {
                evidence[score.studentId, default: [:]][score.standardId, default: []].append(score)
            }
        }
        let book = try await ScaleBook.load(on: db)
        var methods: [String: MasteryMethod] = [:]
        // Only the schools of students with scores: a district goal would otherwise look up every school's method.
        for school in Set(evidence.keys.compactMap { schoolOf[$0] }) { methods[school] = try await MasteryStore.method(forSchool: school, on: db) }

        return days.map { day in
            var counted = 0, atOrAbove = 0
            for (student, standards) in evidence {
                let method = methods[schoolOf[student]!]!
                let results = standards.values.compactMap { scores -> (value: Double, mastery: Double)? in
                    let upToDay = scores.prefix { $0.assessedOn <= day }
                    guard !upToDay.isEmpty else { return nil }
                    let (result, scale) = book.mastery(Array(upToDay), by: method)
                    return result.value.map { ($0, scale.masteryValue) }
                }
                guard let reached = MasteryShare.isAtOrAbove(results) else { continue }
                counted += 1
                if reached { atOrAbove += 1 }
            }
            return counted == 0 ? nil : 100 * Double(atOrAbove) / Double(counted)
        }
    }

    // MARK: Walkthroughs

    private func visits(schoolId: String?, days: [String], markOf indicator: String? = nil) async throws -> [WalkthroughQueries.WindowVisit] {
        try await WalkthroughQueries(db: db).visits(atSchool: schoolId, from: Self.window(endingOn: days.min()!).lowerBound, to: Self.endOfDay(days.max()!),
                                                   markOf: indicator)
    }

    private func indicatorShares(_ indicatorKey: String, schoolId: String?, days: [String]) async throws -> [Double?] {
        let rows = try await visits(schoolId: schoolId, days: days, markOf: indicatorKey)
        let frameworks = try await FrameworkStore.frameworks(ids: rows.map(\.frameworkId), on: db)
        var visits: [(at: Int, count: PracticeCount)] = []
        for row in rows {
            guard let framework = frameworks[row.frameworkId], framework.indicator(indicatorKey) != nil else { continue }
            var count = PracticeCount()
            count.add(mark: row.mark, on: framework.scale)
            visits.append((row.observedAt, count))
        }
        return days.map { day in
            let window = Self.window(endingOn: day)
            return visits.filter { window.contains($0.at) }.reduce(PracticeCount()) { $0 + $1.count }.share.map { 100 * $0 }
        }
    }

    private func hoursToFeedback(schoolId: String?, days: [String]) async throws -> [Double?] {
        let visits = try await visits(schoolId: schoolId, days: days).map { (at: $0.observedAt, shared: $0.sharedAt) }
        return days.map { day in
            let window = Self.window(endingOn: day)
            return FeedbackLoop(visits.filter { window.contains($0.at) }
                .map { FeedbackLoop.Visit(observedAt: Double($0.at), sharedAt: $0.shared.map(Double.init), replied: false) }).medianHoursToFeedback
        }
    }

    // MARK: Leaders' time

    private func instructionalShares(schoolId: String?, days: [String]) async throws -> [Double?] {
        let time = TimeQueries(db: db)
        let leaders = Set(try await StaffDirectory(db: db).grants(of: StaffRole.schoolAdministrators, atSchools: schoolId.map { [$0] }).map(\.staffId)).sorted()
        var shares: [Double?] = []
        for day in days {
            let window = Self.window(endingOn: day)
            let ledgers = try await time.ledgers(leaders: leaders, from: window.lowerBound, to: window.upperBound).values
            let total = ledgers.reduce(0) { $0 + $1.totalMinutes }, instructional = ledgers.reduce(0) { $0 + $1.instructionalMinutes }
            shares.append(total > 0 ? 100 * instructional / total : nil)
        }
        return shares
    }
}
