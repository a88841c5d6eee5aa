import Testing
@testable import LodestarCore

@Suite("Goal projection")
struct GoalProjectionTests {
    typealias P = GoalProjection.Point

    @Test func steadyGrowthThatReachesTheTargetIsOnTrack() {
        // 40% → 50% in 5 months, target 60% at month 10: the line reaches exactly 60%.
        let goal = GoalProjection(baseline: 40, target: 60, deadline: 10, points: [P(time: 0, value: 40), P(time: 5, value: 50)])
        #expect(goal.projected == 60)
        #expect(goal.status == .onTrack)
    }

    @Test func slowerGrowthIsAtRiskThenOffTrack() {
        // Line through (0,40),(5,48): 40 + 1.6·10 = 56 → 80% of the way → at risk.
        let atRisk = GoalProjection(baseline: 40, target: 60, deadline: 10, points: [P(time: 0, value: 40), P(time: 5, value: 48)])
        #expect(atRisk.projected == 56)
        #expect(atRisk.status == .atRisk)
        // 40 + 1.0·10 = 50 → 50% of the way → off track.
        let off = GoalProjection(baseline: 40, target: 60, deadline: 10, points: [P(time: 0, value: 40), P(time: 5, value: 45)])
        #expect(off.status == .offTrack)
        #expect(off.progressShare == 0.5)
    }

    @Test func leastSquaresUsesEveryMeasurement() {
        // Points (0,10),(1,12),(2,17): slope 3.5, mean (1, 13) → value at 4 = 13 + 3.5·3 = 23.5.
        let goal = GoalProjection(baseline: 10, target: 30, deadline: 4, points: [P(time: 0, value: 10), P(time: 1, value: 12), P(time: 2, value: 17)])
        #expect(goal.projected == 23.5)
        #expect(goal.status == .offTrack)
        // The chart draws the same line: 13 at the mean time, 6 at the start.
        #expect(goal.trend(at: 1) == 13 && goal.trend(at: -1) == 6)
    }

    @Test func goalsThatShouldFallWork() {
        // Hours to feedback: 48 → 24 target; measured 48 then 36 at half time → projected 24.
        let goal = GoalProjection(baseline: 48, target: 24, deadline: 10, points: [P(time: 0, value: 48), P(time: 5, value: 36)])
        #expect(goal.status == .onTrack)
    }

    @Test func oneMeasurementIsNotATrend() {
        #expect(GoalProjection(baseline: 40, target: 60, deadline: 10, points: [P(time: 0, value: 40)]).status == .notEnoughData)
        #expect(GoalProjection(baseline: 40, target: 60, deadline: 10, points: [P(time: 3, value: 40), P(time: 3, value: 45)]).status == .notEnoughData)
    }
}
