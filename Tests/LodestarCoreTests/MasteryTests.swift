import Testing
@testable import LodestarCore

/// Every mastery method pinned to worked examples computed by hand.
@Suite("Mastery methods")
struct MasteryTests {
    let scale = ProficiencyScale.fourLevel
    /// A 0–5 scale, for examples that need a 5.
    let fivePoint = ProficiencyScale(name: "0–5", levels: (0...5).map { .init(name: "\($0)", value: Double($0)) }, masteryValue: 3,
                                     cutPercentages: [20, 40, 60, 80, 100])

    func value(_ method: MasteryMethod, _ scores: [Double], _ scale: ProficiencyScale? = nil) -> Double? {
        method.calculate(scores, on: scale ?? self.scale).value
    }

    func rounded(_ value: Double?, _ places: Double = 100) -> Double? { value.map { ($0 * places).rounded() / places } }

    @Test func mostRecentHighestAndMean() {
        #expect(value(.mostRecent, [4, 2, 3]) == 3)
        #expect(value(.highest, [2, 4, 3]) == 4)
        #expect(value(.mean, [1, 2, 4]) == 7.0 / 3)
        #expect(value(.mostRecentMean(count: 2), [1, 2, 4]) == 3)
        #expect(value(.mostRecentMean(count: 5), [2, 4]) == 3)
    }

    @Test func modeWithEachTieRule() {
        #expect(value(.mode(tieBreak: .highest), [2, 3, 3, 1]) == 3)
        // 2 and 3 both appear twice.
        #expect(value(.mode(tieBreak: .highest), [2, 3, 2, 3]) == 3)
        #expect(value(.mode(tieBreak: .lowest), [2, 3, 2, 3]) == 2)
        #expect(value(.mode(tieBreak: .mostRecent), [3, 2, 3, 2]) == 2)
        #expect(value(.mode(tieBreak: .mostRecent), [2, 3, 2, 3, 1]) == 3)
    }

    @Test func nTimesNeedsNScoresAtMastery() {
        #expect(MasteryMethod.nTimes(count: 2).calculate([3, 1, 2], on: scale) == .notYet)
        #expect(value(.nTimes(count: 2), [3, 1, 4]) == 3.5)
        #expect(value(.nTimes(count: 3), [3, 4, 3, 2]) == 10.0 / 3)
    }

    @Test func weightedAverageMatchesTheWorkedExample() {
        // 0.65 × 5 + 0.35 × mean(1, 2, 3, 4) = 3.25 + 0.875 = 4.125
        #expect(rounded(value(.weightedAverage(weight: 0.65), [1, 2, 3, 4, 5], fivePoint)) == 4.13)
        #expect(value(.weightedAverage(weight: 0.65), [1, 2, 3, 4, 5], fivePoint) == 4.125)
        #expect(value(.weightedAverage(weight: 0.65), [2]) == 2)
    }

    @Test func decayingAverageMatchesTheWorkedExample() {
        // D = 1, 1.65, 2.5275, 3.484625, 4.46961875
        #expect(rounded(value(.decayingAverage(weight: 0.65), [1, 2, 3, 4, 5], fivePoint)) == 4.47)
        #expect(rounded(value(.decayingAverage(weight: 0.65), [1, 2, 3, 4, 5], fivePoint), 1e6) == 4.469619)
        #expect(value(.decayingAverage(weight: 0.65), [3]) == 3)
    }

    @Test func powerLawMatchesTheWorkedExamples() {
        #expect(rounded(value(.powerLaw, [1, 3, 2, 4])) == 3.66)
        #expect(rounded(value(.powerLaw, [2, 4, 1, 3])) == 2.16)
        #expect(rounded(value(.powerLaw, [4, 3, 2, 1])) == 1.28)
        #expect(rounded(value(.powerLaw, [3, 3, 3]), 1e9) == 3)
    }

    @Test func powerLawNeedsThreeScores() {
        #expect(MasteryMethod.powerLaw.calculate([2, 3], on: scale) == .notYet)
        #expect(MasteryMethod.powerLaw.calculate([], on: scale) == .noEvidence)
    }

    @Test func resultsAreClampedToTheScale() {
        // The trend of 1, 2, 3, 4, 5 reaches 5, beyond a four-level scale.
        #expect(value(.powerLaw, [1, 2, 3, 4, 4]).map { $0 <= 4 } == true)
        #expect(value(.powerLaw, [1, 2, 3, 4, 5], scale) == 4)
        #expect(value(.weightedAverage(weight: 0.65), [4, 4, 4, 4, 9]) == 4)
        #expect(value(.mostRecent, [0]) == 1)
    }

    @Test func zerosAreHandled() {
        #expect(value(.mean, [0, 0, 5], fivePoint) == 5.0 / 3)
        // A zero has no logarithm; the fit treats it as just above zero and still gives a finite value.
        let trend = value(.powerLaw, [0, 1, 2], fivePoint)
        #expect(trend != nil && trend!.isFinite && trend! >= 0)
        #expect(value(.decayingAverage(weight: 0.65), [0, 0], fivePoint) == 0)
    }

    @Test func everyMethodWithOneScore() {
        let methods: [MasteryMethod] = [.mostRecent, .highest, .mean, .mode(tieBreak: .highest), .mostRecentMean(count: 3),
                                        .weightedAverage(weight: 0.65), .decayingAverage(weight: 0.65)]
        for method in methods { #expect(value(method, [2]) == 2, "\(method)") }
        #expect(MasteryMethod.nTimes(count: 1).calculate([3], on: scale) == .value(3))
        #expect(MasteryMethod.nTimes(count: 1).calculate([2], on: scale) == .notYet)
        for method in methods { #expect(method.calculate([], on: scale) == .noEvidence) }
    }

    @Test func pointsBecomeLevelsByCutScores() {
        #expect(scale.level(points: 5, outOf: 10)?.name == "Beginning")
        #expect(scale.level(points: 6, outOf: 10)?.name == "Approaching")
        #expect(scale.level(points: 7.5, outOf: 10)?.name == "Meets")
        #expect(scale.level(points: 10, outOf: 10)?.name == "Exceeds")
        #expect(scale.level(points: 11, outOf: 10) == nil)
        #expect(scale.level(for: 2.7)?.name == "Approaching")
        #expect(scale.level(for: 3)?.name == "Meets")
    }

    @Test func badScalesAreRefused() {
        #expect(throws: LodestarError.self) { try ProficiencyScale(name: "x", levels: [.init(name: "a", value: 1)], masteryValue: 1, cutPercentages: []).validate() }
        #expect(throws: LodestarError.self) {
            try ProficiencyScale(name: "x", levels: [.init(name: "a", value: 2), .init(name: "b", value: 1)], masteryValue: 1, cutPercentages: [50]).validate()
        }
        #expect(throws: LodestarError.self) {
            try ProficiencyScale(name: "x", levels: ProficiencyScale.fourLevel.levels, masteryValue: 3, cutPercentages: [80, 60, 90]).validate()
        }
        #expect(throws: Never.self) { try ProficiencyScale.fourLevel.validate() }
    }
}

@Suite("Mastery settings form")
struct MasteryFormTests {
    @Test func everyMethodRoundTripsThroughTheForm() throws {
        let methods: [MasteryMethod] = [.mostRecent, .highest, .mean, .mode(tieBreak: .lowest), .mostRecentMean(count: 3), .nTimes(count: 2),
                                        .weightedAverage(weight: 0.7), .decayingAverage(weight: 0.65), .powerLaw]
        for method in methods {
            var tie: String?, count: Int?, weight: Double?
            switch method {
            case .mode(let t): tie = t.rawValue
            case .mostRecentMean(let n), .nTimes(let n): count = n
            case .weightedAverage(let w), .decayingAverage(let w): weight = w
            default: break
            }
            #expect(try MasteryMethod(formKey: method.formKey, tieBreak: tie, count: count, weight: weight) == method)
        }
    }

    @Test func missingOrImpossibleParametersAreRefused() {
        #expect(throws: LodestarError.self) { try MasteryMethod(formKey: "decaying", tieBreak: nil, count: nil, weight: 1.5) }
        #expect(throws: LodestarError.self) { try MasteryMethod(formKey: "n_times", tieBreak: nil, count: 0, weight: nil) }
        #expect(throws: LodestarError.self) { try MasteryMethod(formKey: "mode", tieBreak: "coin", count: nil, weight: nil) }
        #expect(throws: LodestarError.self) { try MasteryMethod(formKey: "magic", tieBreak: nil, count: nil, weight: nil) }
    }
}

@Suite("Scale form")
struct ScaleFormTests {
    @Test func aScaleIsReadFromTheForm() throws {
        let scale = try ProficiencyScale(formName: "Three levels", levels: "1 Not yet\n2 Developing\n3 Proficient\n", masteryValue: "3", cuts: "60, 80")
        #expect(scale.levels.map(\.name) == ["Not yet", "Developing", "Proficient"])
        #expect(scale.level(points: 7, outOf: 10)?.name == "Developing")
    }

    @Test func badScalesAreRefusedWithAReason() {
        #expect(throws: LodestarError.self) { try ProficiencyScale(formName: "", levels: "1 A\n2 B", masteryValue: "2", cuts: "50") }
        #expect(throws: LodestarError.self) { try ProficiencyScale(formName: "X", levels: "one A\n2 B", masteryValue: "2", cuts: "50") }
        #expect(throws: LodestarError.self) { try ProficiencyScale(formName: "X", levels: "1 A\n2 B", masteryValue: "5", cuts: "50") }
        #expect(throws: LodestarError.self) { try ProficiencyScale(formName: "X", levels: "1 A\n2 B\n3 C", masteryValue: "2", cuts: "50") }
    }
}

@Suite("Mastery timelines")
struct MasteryTimelineTests {
    let scale = ProficiencyScale.fourLevel

    @Test func countsAsOfEachMonthTakeEachStudentsLatestStanding() {
        let timelines: [[MasteryTimeline.Entry]] = [
            [("2026-09", .below), ("2026-10", .atOrAbove)],
            [("2026-10", .notYet)],
            [("2026-11", .atOrAbove)],
        ]
        let counts = MasteryTimeline.counts(asOf: ["2026-08", "2026-09", "2026-10", "2026-11"], timelines: timelines)
        #expect(counts["2026-08"] == nil)
        #expect(counts["2026-09"]! == (1, 0))
        #expect(counts["2026-10"]! == (1, 1))
        #expect(counts["2026-11"]! == (2, 2))
    }

    func score(_ day: String, _ value: Double) -> MasteryTimeline.Score { .init(day: day, value: value, scale: scale) }

    @Test func eachMonthWithScoresTakesItsStandingAfterItsLastScore() {
        // Most recent: Sept ends at 3 (2 then 3), October at 2, December at 4.
        let timeline = MasteryTimeline.months([score("2026-09-03", 2), score("2026-09-20", 3), score("2026-10-02", 2), score("2026-12-01", 4)], method: .mostRecent)
        #expect(timeline.map(\.month) == ["2026-09", "2026-10", "2026-12"])
        #expect(timeline.map(\.standing) == [.atOrAbove, .below, .atOrAbove])
        // Counts change: September +1 with a result and +1 at mastery; October −1 at mastery; December +1.
        let deltas = MasteryTimeline.deltas(timeline)
        #expect(deltas["2026-09"]! == (1, 1))
        #expect(deltas["2026-10"]! == (0, -1))
        #expect(deltas["2026-12"]! == (0, 1))
        #expect(MasteryTimeline.decode(MasteryTimeline.encode(timeline)).map(\.standing) == timeline.map(\.standing))
    }

    @Test func aMethodThatCannotSayYetAddsNoResultUntilItCan() {
        // Two times at 3 or above before mastery counts (n-times, n = 2).
        let timeline = MasteryTimeline.months([score("2026-09-03", 3), score("2026-10-03", 4)], method: .nTimes(count: 2))
        #expect(timeline.map(\.standing) == [.notYet, .atOrAbove])
        let deltas = MasteryTimeline.deltas(timeline)
        #expect(deltas["2026-09"] == nil)
        #expect(deltas["2026-10"]! == (1, 1))
    }
}
