import Foundation
import Testing
@testable import LodestarCore

@Suite("Leaders' time")
struct LeaderTimeTests {
    let categories = TimeCategory.defaults

    @Test func calendarTitlesFallInTheirCategoriesByKeyword() {
        let expected = [
            "Classroom walkthroughs": "walkthroughs", "Post-conference with Ms. Lee": "coaching", "Grade 3 PLC": "plc",
            "Data meeting (math)": "plc", "Co-plan unit 4 with ELA team": "planning", "PD: writing workshop": "learning",
            "Bus duty": "operations", "Behavior referral follow-up": "behavior", "IEP annual review": "compliance",
            "PTA meeting": "family", "Cabinet": "meetings", "Email": "email",
        ]
        for (title, category) in expected {
            #expect(TimeCategory.categorize(title, categories: categories, corrections: [:]) == category, "\(title)")
        }
        // Short keywords match whole words only: "updates" holds "pd" but is not professional development.
        #expect(TimeCategory.categorize("Weekly updates", categories: categories, corrections: [:]) == nil)
        #expect(TimeCategory.categorize("Lunch", categories: categories, corrections: [:]) == nil)
    }

    @Test func aLeadersCorrectionWinsForThatExactTitle() {
        let corrections = [TimeCategory.normalize("  Bus duty!! "): "behavior"]
        #expect(TimeCategory.categorize("bus duty", categories: categories, corrections: corrections) == "behavior")
        #expect(TimeCategory.categorize("Bus duty rotation", categories: categories, corrections: corrections) == "operations")
        // A correction to a category the district removed is ignored.
        #expect(TimeCategory.categorize("Bus duty", categories: categories, corrections: ["bus duty": "gone"]) == "operations")
    }

    @Test func theLedgerCountsMinutesOnceAndSharesInstruction() {
        typealias E = TimeLedger.Entry
        let hour = 3_600.0
        let entries = [
            E(start: 9 * hour, end: 10 * hour, category: "walkthroughs", automatic: false),
            E(start: 9.25 * hour, end: 9.5 * hour, category: "walkthroughs", automatic: true),  // inside the block: not counted
            E(start: 11 * hour, end: 11.25 * hour, category: "walkthroughs", automatic: true),
            E(start: 7 * hour, end: 9 * hour, category: "operations", automatic: false),
            E(start: 12 * hour, end: 12 * hour, category: "meetings", automatic: false),       // a moment: no time
        ]
        let ledger = TimeLedger(entries, instructional: ["walkthroughs"])
        #expect(ledger.instructionalMinutes == 75)
        #expect(ledger.totalMinutes == 195)
        #expect(ledger.minutesByCategory == ["walkthroughs": 75, "operations": 120])
        #expect(abs(ledger.instructionalShare! - 75.0 / 195) < 1e-12)
        #expect(TimeLedger([], instructional: []).instructionalShare == nil)
        // Overlapping recorded time counts once, for the entry that began first (then the longer): by hand,
        // 9:00–10:00 walkthroughs, 9:30–10:30 and 10:15–10:45 operations, the same 9:00–10:00 walkthroughs
        // entered twice: 60 instructional minutes, operations 30 (10:00–10:30) + 15 (10:30–10:45), 105 in all.
        let overlapping = [
            E(start: 9 * hour, end: 10 * hour, category: "walkthroughs", automatic: false, id: "a"),
            E(start: 9.5 * hour, end: 10.5 * hour, category: "operations", automatic: false, id: "b"),
            E(start: 10.25 * hour, end: 10.75 * hour, category: "operations", automatic: false, id: "c"),
            E(start: 9 * hour, end: 10 * hour, category: "walkthroughs", automatic: false, id: "d"),
        ]
        #expect(TimeLedger.countedMinutes(overlapping) == [60, 30, 15, 0])
        let merged = TimeLedger(overlapping, instructional: ["walkthroughs"])
        #expect(merged.minutesByCategory == ["walkthroughs": 60, "operations": 45] && merged.totalMinutes == 105)
        #expect(abs(merged.instructionalShare! - 60.0 / 105) < 1e-12)
        // Two that begin together: the longer holds the shared time, whichever was entered first.
        let together = [E(start: 9 * hour, end: 9.5 * hour, category: "walkthroughs", automatic: false, id: "a"),
                        E(start: 9 * hour, end: 10 * hour, category: "operations", automatic: false, id: "b")]
        #expect(TimeLedger.countedMinutes(together) == [0, 60])
        // A walkthrough around a recorded moment (an entry without an end) is inside recorded time, as the database counts it.
        #expect(TimeLedger.countedMinutes([E(start: 9 * hour, end: 9 * hour, category: "meetings", automatic: false),
                                           E(start: 8.75 * hour, end: 9.25 * hour, category: "walkthroughs", automatic: true)]) == [0, 0])
        // A protected block is kept unless management time overlaps it.
        #expect(TimeLedger.kept(block: (9 * hour)..<(10 * hour), entries: entries, instructional: ["walkthroughs"]))
        #expect(!TimeLedger.kept(block: (8.5 * hour)..<(10 * hour), entries: entries, instructional: ["walkthroughs"]))
    }

    @Test func theDemoYearIsTheSameEveryRunAndCategoriesMatchTheKeywords() {
        let leaders = [DemoLeaderTime.Leader(id: "p1", isPrincipal: true), DemoLeaderTime.Leader(id: "ap1", isPrincipal: false)]
        let through = ISO8601DateFormatter().date(from: "2026-10-30T23:00:00Z")!.timeIntervalSince1970
        let first = DemoLeaderTime.entries(for: leaders, seed: 5, through: through)
        #expect(first == DemoLeaderTime.entries(for: leaders, seed: 5, through: through))
        #expect(first.count > 500)
        #expect(Set(first.map(\.id)).count == first.count)
        for entry in first {
            #expect(TimeCategory.categorize(entry.title, categories: categories, corrections: [:]) == entry.category, "\(entry.title)")
        }
    }
}

@Suite("Charts and goal measures")
struct ChartTests {
    @Test func lineChartsAreLabelledEscapedAndReadableWithoutColour() {
        let chart = LineChart(id: "c1", title: "Mastery <grade 3> & more", description: "Baseline 40%", series: [
            LineChart.Series(name: "Measured", style: .measured, points: [(0, 40), (1, 45)]),
            LineChart.Series(name: "Target", style: .reference, points: [(0, 60), (2, 60)]),
        ], xTicks: [(0, "Sep"), (1, "Oct")], xRange: 0...2, yRange: LineChart.range(containing: [40, 45, 60], cap: 100), yUnit: "%").svg()
        #expect(chart.hasPrefix("<svg class=\"chart\""))
        #expect(chart.contains("role=\"img\" aria-labelledby=\"c1-title c1-desc\""))
        #expect(chart.contains("<title id=\"c1-title\">Mastery &lt;grade 3&gt; &amp; more</title>"))
        #expect(chart.contains("class=\"chart-reference\""))
        #expect(chart.contains(">Target</text>"))
        #expect(chart.contains(">60%</text>"))
        #expect(LineChart.range(containing: [40, 45, 60], cap: 100) == 0...80)
        #expect(LineChart.niceStep(17) == 20 && LineChart.niceStep(0.3) == 0.5)
    }

    @Test func goalMeasuresSayWhatIsMissing() {
        #expect(throws: LodestarError.self) { try GoalMetric(kind: .mastery).validate() }
        #expect(throws: LodestarError.self) { try GoalMetric(kind: .mastery, standardIds: ["s"], group: "martians").validate() }
        #expect(throws: LodestarError.self) { try GoalMetric(kind: .indicatorObserved).validate() }
        #expect(throws: Never.self) { try GoalMetric(kind: .manual, unit: "%").validate() }
        for group in StudentGroup.all { #expect(StudentGroup(key: group.key) == group) }
        #expect(MasteryShare.isAtOrAbove([]) == nil)
        #expect(MasteryShare.isAtOrAbove([(2, 3), (4, 3)]) == true)
        #expect(MasteryShare.isAtOrAbove([(2, 3), (3.9, 3)]) == false)
    }
}

@Suite("ISO days")
struct ISODayTests {
    @Test func daysCountAcrossMonthsYearsAndLeapDays() {
        #expect(ISODay.number("1970-01-01") == 0)
        #expect(ISODay.number("2026-11-26") == 20_783)
        #expect(ISODay.string(20_783) == "2026-11-26")
        #expect(ISODay.adding(14, to: "2026-12-25") == "2027-01-08")
        #expect(ISODay.adding(1, to: "2028-02-28") == "2028-02-29")
        #expect(ISODay.adding(-1, to: "2027-03-01") == "2027-02-28")
        #expect(ISODay.weekday("2026-11-26") == 4)  // a Thursday
        #expect(ISODay.weekday("2026-11-23") == 1)
        #expect(ISODay.number("1000-01-01") == -354_285)
        #expect(ISODay.number("2400-02-29") == 157_113)
        // Years before 1000 are refused here (`string` could not write them back), though `ISODate.isValid` takes them.
        #expect(ISODay.number("0999-12-31") == nil && ISODate.isValid("0999-12-31"))
        for bad in ["2026-02-30", "2026-13-01", "26-11-26", "2026-1-5", "", "yesterday", "+026-11-26", "2026-11-2x", "2100-02-29"] {
            #expect(ISODay.number(bad) == nil, "\(bad)")
        }
        for day in stride(from: -300_000, to: 2_900_000, by: 997) { #expect(ISODay.number(ISODay.string(day)) == day) }
    }
}

@Suite("Problems of learning")
struct ProblemsOfLearningTests {
    typealias S = ProblemsOfLearning.Series

    @Test func lowestNowAndSteepestFallsAreFlaggedOverAllowedCountsOnly() {
        let series = [
            S(standard: "A", points: [("2026-09", 20, 12), ("2026-10", 20, 6)]),   // 60% → 30%: fell 30 points; lowest
            S(standard: "B", points: [("2026-09", 20, 10), ("2026-10", 20, 9)]),   // 50% → 45%: fell 5, not a decline
            S(standard: "C", points: [("2026-09", 30, 27), ("2026-10", 30, 21)]),  // 90% → 70%: fell 20
            S(standard: "D", points: [("2026-09", 5, 0), ("2026-10", 9, 0)]),      // too few students ever: ignored
            S(standard: "E", points: [("2026-09", 4, 4), ("2026-10", 12, 6)]),     // September too small; 50% now
        ]
        let flags = ProblemsOfLearning.flags(series, rule: SmallGroupRule(minimum: 10), count: 2)
        #expect(flags.map(\.standard) == ["A", "B", "A", "C"])
        #expect(flags.map(\.reason) == [.lowest, .lowest, .decline, .decline])
        #expect(flags[2].from == 0.6 && flags[2].latest == 0.3 && flags[2].students == 20)
        #expect(!SmallGroupRule(minimum: 10).allows(9) && SmallGroupRule(minimum: 10).allows(10) && SmallGroupRule(minimum: 0).minimum == 1)
    }
}

@Suite("Equity gaps and suppression")
struct EquityGapTests {
    typealias C = EquityGaps.Count
    let rule = SmallGroupRule(minimum: 10)

    @Test func aLoneSmallGroupInAPartitionTakesTheNextSmallestWithIt() {
        // 12 + 30 + 6 = 48: Asian (6) alone would be all minus the others; Black (12) is hidden too.
        let hidden = rule.hidden([(key: "white", students: 30), (key: "black", students: 12), (key: "asian", students: 6)])
        #expect(hidden == ["asian", "black"])
        // Two small groups already cover each other; nothing small, nothing hidden.
        #expect(rule.hidden([(key: "a", students: 5), (key: "b", students: 7), (key: "c", students: 40)]) == ["a", "b"])
        #expect(rule.hidden([(key: "a", students: 15), (key: "b", students: 0), (key: "c", students: 40)]).isEmpty)
    }

    @Test func gapsAreInPointsAndHiddenGroupsShowNothing() {
        let all = C(group: "all", students: 60, atOrAbove: 30)   // 50%
        let groups = [
            C(group: "sex:female", students: 32, atOrAbove: 20),   // 62.5%
            C(group: "sex:male", students: 28, atOrAbove: 10),     // 35.7%
            C(group: "english_learner", students: 12, atOrAbove: 3), // 25%
            C(group: "gifted", students: 4, atOrAbove: 4),         // too few
            C(group: "race:White", students: 51, atOrAbove: 27),
            C(group: "race:Asian", students: 9, atOrAbove: 3),     // too few, so White is hidden too
        ]
        let partitions = [["sex:female", "sex:male"], ["race:White", "race:Asian"]]
        let rows = Dictionary(uniqueKeysWithValues: EquityGaps.rows(all: all, groups: groups, partitions: partitions, comparison: "sex:female", rule: rule).map { ($0.group, $0) })
        #expect(rows["sex:female"]!.gapToAll! == 12.5)
        #expect(abs(rows["english_learner"]!.gapToAll! - -25) < 1e-9)
        #expect(abs(rows["english_learner"]!.gapToComparison! - -37.5) < 1e-9)
        #expect(rows["gifted"]!.hidden && rows["gifted"]!.students == nil && rows["gifted"]!.share == nil)
        #expect(rows["race:Asian"]!.hidden && rows["race:White"]!.hidden)
        #expect(!rows["sex:male"]!.hidden)
        // Fewer than ten students in all: nothing is shown.
        let tiny = EquityGaps.rows(all: C(group: "all", students: 8, atOrAbove: 4), groups: [C(group: "sex:female", students: 8, atOrAbove: 4)],
                                   partitions: partitions, comparison: nil, rule: rule)
        #expect(tiny.allSatisfy { $0.hidden })
    }
}

@Suite("Practice and growth")
struct PracticeAndGrowthTests {
    typealias P = PracticeCount
    typealias G = PracticeAndGrowth.ClassGrowth

    @Test func classesOfTeachersOftenSeenPracticingAreComparedWithThoseRarelySeen() {
        let practice: [String: [String: P]] = [
            "ana": ["discourse": P(seen: 3, notSeen: 1)],                  // 75%: often
            "ben": ["discourse": P(seen: 2, notSeen: 2, notLookedFor: 4)], // 2 of the 4 that looked, 50%: often (2 of 8 would be rarely)
            "cal": ["discourse": P(seen: 1, notSeen: 3)],                  // 25%: rarely
            "dee": ["discourse": P(seen: 0, notSeen: 2, notLookedFor: 6)], // only 2 looked: too few, neither
            "eve": ["discourse": P(seen: 2, notSeen: 3)],                  // 40%: neither
        ]
        let classes = [G(teacher: "ana", growth: 12), G(teacher: "ana", growth: 8), G(teacher: "ben", growth: 4),
                       G(teacher: "cal", growth: 2), G(teacher: "dee", growth: 30), G(teacher: "eve", growth: -5)]
        let row = PracticeAndGrowth.rows(indicators: ["discourse", "rigor"], practice: practice, classes: classes)
        #expect(row[0].often == .init(classes: 3, teachers: 2, growth: 8))
        #expect(row[0].rarely == .init(classes: 1, teachers: 1, growth: 2))
        #expect(row[0].difference == 6)
        #expect(row[1].often.classes == 0 && row[1].difference == nil)
    }
}
