import Testing
@testable import LodestarCore

/// Needs proposed from evidence, a session's before/after numbers and mentor suggestions, on small
/// fixtures whose expected numbers are worked out by hand in the comments.
@Suite("Professional learning")
struct ProfessionalLearningTests {
    @Test func rarelySeenPracticesAreProposedRarestFirstWithEnoughVisits() {
        let proposals = LearningNeeds.practices([
            "feedback": PracticeCount(seen: 6, notSeen: 14),                    // 30%: seen often enough
            "checks": PracticeCount(seen: 3, notSeen: 9, notLookedFor: 8),      // 3 of the 12 that looked, 25%: exactly the line, proposed
            "discourse": PracticeCount(seen: 4, notSeen: 16),                   // 20%: proposed first
            "goals": PracticeCount(seen: 0, notSeen: 9, notLookedFor: 30),      // 9 looked: too few to say
            "rigor": PracticeCount(seen: 4, notSeen: 6, notLookedFor: 30),      // 4 of 10 looked, 40%: not rare (4 of 40 would be)
        ])
        #expect(proposals.map(\.key) == ["discourse", "checks"])
        #expect(proposals[0] == LearningNeeds.Proposal(kind: .practice, key: "discourse", count: 4, outOf: 20))
    }

    @Test func lowAndFallingStandardsAreProposedOnce() {
        let flags: [ProblemsOfLearning.Flag] = [
            .init(standard: "S1", reason: .lowest, latest: 0.4, from: nil, students: 20),
            .init(standard: "S2", reason: .lowest, latest: 0.55, from: nil, students: 30),  // lowest of the school, but above half
            .init(standard: "S3", reason: .decline, latest: 0.6, from: 0.8, students: 25),
            .init(standard: "S1", reason: .decline, latest: 0.4, from: 0.7, students: 20),  // already proposed
        ]
        #expect(LearningNeeds.mastery(flags) == [
            .init(kind: .mastery, key: "S1", count: 8, outOf: 20),                      // 0.4 × 20
            .init(kind: .mastery, key: "S3", count: 15, outOf: 25, comparedWith: 0.8),  // 0.6 × 25
        ])
    }

    @Test func onlyShownGapsOfFifteenPointsOrMoreAreProposedWidestFirst() {
        let gaps: [(standard: String, row: EquityGaps.Row)] = [
            ("B", .init(group: "el", hidden: false, students: 20, share: 0.5, gapToAll: -15, gapToComparison: -15)),
            ("A", .init(group: "el", hidden: false, students: 20, share: 0.3, gapToAll: -25, gapToComparison: -25)),
            ("A", .init(group: "sped", hidden: true, students: nil, share: nil, gapToAll: nil, gapToComparison: nil)),
            ("B", .init(group: "frl", hidden: false, students: 40, share: 0.5, gapToAll: -14, gapToComparison: -14)),
        ]
        let proposals = LearningNeeds.equity(gaps)
        #expect(proposals.map(\.key) == ["A|el", "B|el"])
        // 30% of 20 students is 6; all students were at 30 + 25 = 55%.
        #expect(proposals[0].count == 6 && proposals[0].outOf == 20)
        #expect(abs(proposals[0].comparedWith! - 0.55) < 1e-9)
    }

    @Test func practiceBeforeAndAfterCountsAttendeesVisitsInTheWindows() {
        let day = 86_400, start = 100 * day, end = start + 3_600
        func v(_ teacher: String, _ at: Int, seen: Int, notSeen: Int, notLookedFor: Int = 0) -> SessionImpact.Visit {
            .init(teacher: teacher, observedAt: at, practice: PracticeCount(seen: seen, notSeen: notSeen, notLookedFor: notLookedFor))
        }
        let visits: [SessionImpact.Visit] = [
            v("T1", start - 10 * day, seen: 0, notSeen: 2),
            v("T1", start - 70 * day, seen: 2, notSeen: 0),                 // before the 60-day window
            v("T2", start - day, seen: 1, notSeen: 0, notLookedFor: 1),
            v("T3", start - 5 * day, seen: 2, notSeen: 0),                  // did not attend
            v("T1", end + 5 * day, seen: 2, notSeen: 0),
            v("T2", end + 59 * day, seen: 0, notSeen: 1),
            v("T2", end + 61 * day, seen: 1, notSeen: 0),                   // after the window
            v("T1", end + 6 * day, seen: 0, notSeen: 0, notLookedFor: 2),   // looked for none: counted only as not looked for
            v("T1", start + 600, seen: 2, notSeen: 0),                      // during the session
        ]
        let impact = SessionImpact.practice(visits, attendees: ["T1", "T2"], start: start, end: end)
        // Before: T1 0 of 2, T2 1 of 1 (one practice not looked for) → 1 of 3. After: T1 2 of 2, T2 0 of 1 → 2 of 3,
        // and T1's visit that looked for neither adds 2 not looked for but no visit.
        #expect(impact.before == .init(visits: 2, teachers: 2, practice: PracticeCount(seen: 1, notSeen: 2, notLookedFor: 1)))
        #expect(impact.after == .init(visits: 2, teachers: 2, practice: PracticeCount(seen: 2, notSeen: 1, notLookedFor: 2)))
        #expect(impact.after.share == 2.0 / 3.0)
    }

    @Test func masteryBeforeAndNowCountsEachStudentsStandingOnEachStandard() {
        let timelines: [(student: String, entries: [MasteryTimeline.Entry])] = [
            ("s1", [("2026-09", .below), ("2026-11", .atOrAbove)]),
            ("s1", [("2026-09", .atOrAbove)]),
            ("s2", [("2026-10", .notYet), ("2026-11", .below)]),
            ("s3", [("2026-11", .atOrAbove)]),
        ]
        let impact = SessionImpact.mastery(timelines, beforeMonth: "2026-10", nowMonth: "2026-11")
        // End of October: s1 below on one standard, at or above on the other; s2 not yet; s3 nothing.
        #expect(impact.before == .init(students: 1, results: 2, atOrAbove: 1))
        // End of November: s1 two of two, s2 below, s3 at or above → 3 of 4 results, 3 students.
        #expect(impact.now == .init(students: 3, results: 4, atOrAbove: 3))
    }

    @Test func strongGrowthIsPositiveAndAtLeastTheMedian() {
        #expect(MentorMatch.strongGrowth(["a": -2, "b": 0, "c": 3, "d": 12, "e": 20]) == ["c", "d", "e"])
        // Even count: the median of 1, 4, 6, 9 is 5.
        #expect(MentorMatch.strongGrowth(["a": 1, "b": 4, "c": 6, "d": 9]) == ["c", "d"])
        #expect(MentorMatch.strongGrowth(["a": -5, "b": -1]).isEmpty)
    }

    @Test func mentorsOftenSeenWithStrongGrowthAreSuggestedToTeachersGrowingInThePractice() {
        let practice: [String: PracticeCount] = [
            "M1": .init(seen: 5, notSeen: 1),                   // 83%, growth 12
            "M2": .init(seen: 4, notSeen: 0, notLookedFor: 6),  // 4 of the 4 that looked: 100%, growth 3
            "M3": .init(seen: 4, notSeen: 1),                   // 80%, but growth below zero
            "N1": .init(seen: 2, notSeen: 3),                   // 40%: strong growth, not often seen
            "G1": .init(seen: 1, notSeen: 7),                   // 12.5%: growing
            "G2": .init(seen: 1, notSeen: 3, notLookedFor: 2),  // 25%: growing
            "G3": .init(seen: 0, notSeen: 2),                   // too few visits, but it is G3's growth goal
        ]
        // Median growth of -2, 0, 3, 12, 20 is 3: M1, M2 and N1 grow strongly.
        let growth = ["M1": 12.0, "M2": 3, "M3": -2, "N1": 20, "G1": 0]
        let suggestions = MentorMatch.suggestions(practice: practice, growth: growth, goals: ["G3"])
        // Mentors by share: M2 then M1; each takes two. Mentees by share: G3 (0%), G1, G2.
        #expect(suggestions.map { [$0.mentee, $0.mentor] } == [["G3", "M2"], ["G1", "M2"], ["G2", "M1"]])
        #expect(suggestions[0].menteeGoal && !suggestions[1].menteeGoal)
        #expect(suggestions[2].mentorGrowth == 12)
        // A mentee already paired is not suggested again.
        #expect(MentorMatch.suggestions(practice: practice, growth: growth, goals: ["G3"], paired: ["G1"]).map { [$0.mentee, $0.mentor] } == [["G3", "M2"], ["G2", "M2"]])
        // Nobody to learn from: no suggestions.
        #expect(MentorMatch.suggestions(practice: ["G1": .init(seen: 1, notSeen: 7)], growth: [:], goals: []).isEmpty)
    }

    @Test func aSessionFormIsCheckedBeforeTheDatabaseIsAsked() throws {
        var form = SessionForm(scope: "school-1", title: "  Talk moves lab  ", facilitatorId: "staff-1", day: "2026-12-08", startTime: "15:30", endTime: "16:30")
        form.standards = "6.RP.A.1, 6.RP.A.1;7.NS.A.1  6.RP.A.1"
        form.materials = "https://example.org/slides\n\n  http://example.org/notes  "
        form.lookFors = "Students build on each other\n\nTeacher waits"
        form.series = String(repeating: "s", count: 250)
        form.needId = "  "
        let checked = try form.checked()
        #expect(checked.title == "Talk moves lab")
        #expect(checked.standardCodes == ["6.RP.A.1", "7.NS.A.1"])          // split on comma, semicolon and space; each once
        #expect(checked.materials == ["https://example.org/slides", "http://example.org/notes"])
        #expect(checked.lookFors == ["Students build on each other", "Teacher waits"])
        #expect(checked.series.count == 200)                                   // cut to what is stored
        #expect(checked.needId == nil)                                         // a blank need is no need

        func refusal(_ change: (inout SessionForm) -> Void) -> String? {
            var copy = form
            change(&copy)
            do { _ = try copy.checked(); return nil } catch { return "\(error)" }
        }
        #expect(refusal { $0.title = " \n" } == "Give the session a title.")
        #expect(refusal { $0.endTime = "15:30" } == "The session must end after it starts.")
        #expect(refusal { $0.endTime = "14:00" } == "The session must end after it starts.")
        #expect(refusal { $0.startTime = "25:00" } == "Give the day and the start and end times.")
        #expect(refusal { $0.startTime = "9:30" } == "Give the day and the start and end times.")
        #expect(refusal { $0.day = "8 December" } == "Give the day and the start and end times.")
        #expect(refusal { $0.materials = "slides.pdf" }?.hasPrefix("Materials are links, one per line") == true)
    }
}
