import Foundation
import Testing
@testable import LodestarCore

/// The equity of a resource's distribution, on a school of twenty written out by hand (numbers worked on paper).
@Suite("Resource equity")
struct ResourceEquityTests {
    /// s1–s10 White, s11–s18 Hispanic or Latino, s19–s20 Asian; s1–s12 female, s13–s20 male; s11–s16 English learners;
    /// s1–s3 gifted; in need: s4 and s11–s18 (9 of 20, 45%).
    static let students: [ResourceEquity.Student] = (1...20).map { n in
        var groups = [n <= 10 ? "race:White" : n <= 18 ? "race:Hispanic or Latino" : "race:Asian", n <= 12 ? "sex:female" : "sex:male"]
        if (11...16).contains(n) { groups.append("english_learner") }
        if n <= 3 { groups.append("gifted") }
        return .init(id: "s\(n)", groups: groups, inNeed: n == 4 || (11...18).contains(n))
    }

    @Test func eachGroupsShareReceivedIsWeighedAgainstItsShareOfNeed() {
        // 30 seats to the gifted (10 each to s1–s3), 20 to the whole school (1 each), 12 to English learners (2 each to s11–s16).
        let all = Self.students.map(\.id)
        let received = ResourceEquity.received([(30, ["s1", "s2", "s3"]), (20, all), (12, (11...16).map { "s\($0)" }), (5, [])])
        #expect(received["s1"] == 11 && received["s4"] == 1 && received["s11"] == 3 && received["s20"] == 1)
        #expect(received.values.reduce(0, +) == 62, "the allocation reaching no one adds nothing")

        let rows = Dictionary(uniqueKeysWithValues: ResourceEquity.rows(students: Self.students, received: received, rule: SmallGroupRule(minimum: 5)).map { ($0.group, $0) })
        #expect(rows["all"] == .init(group: "all", students: 20, inNeed: 9, received: 62, shareOfEnrollment: 1, shareOfNeed: 1, shareReceived: 1, gap: nil, flagged: false, hidden: false))
        // White: 10 students, 1 in need (s4); received 3 × 11 + 7 × 1 = 40; gap 10% − 45% = −35 points.
        let white = rows["race:White"]!
        #expect((white.students, white.inNeed, white.received, white.flagged, white.hidden) == (10, 1, 40, false, false))
        #expect(abs(white.shareOfNeed! - 1.0 / 9) < 1e-9 && abs(white.shareReceived! - 40.0 / 62) < 1e-9 && abs(white.gap! - -35) < 1e-9)
        // Asian (2) is under 5; Hispanic or Latino (8) is hidden too, or 20 − 10 − 8 would give the Asian count away.
        #expect(rows["race:Asian"]!.hidden && rows["race:Hispanic or Latino"]!.hidden && !rows["race:Hispanic or Latino"]!.flagged)
        // Male: s13–s20, 6 in need (s13–s18); received 4 × 3 + 4 × 1 = 16; gap 75% − 45% = +30; 16/62 = 26% < 6/9 = 67%: flagged.
        let male = rows["sex:male"]!
        #expect((male.students, male.inNeed, male.received, male.flagged) == (8, 6, 16, true))
        #expect(abs(male.gap! - 30) < 1e-9 && abs(male.shareOfNeed! - 6.0 / 9) < 1e-9)
        // Female: 3 in need of 12 (gap −20); received 33 + 7 + 6 = 46.
        #expect((rows["sex:female"]!.inNeed, rows["sex:female"]!.received, rows["sex:female"]!.flagged) == (3, 46, false))
        // English learners: all 6 in need (gap +55); 18 of 62 received (29%) against 6 of 9 needing (67%): flagged.
        let learners = rows["english_learner"]!
        #expect((learners.students, learners.inNeed, learners.received, learners.flagged) == (6, 6, 18, true))
        #expect(abs(learners.gap! - 55) < 1e-9)
        // Gifted: 3 students, hidden; no number of it may be shown, nor a flag.
        #expect(rows["gifted"]!.hidden && !rows["gifted"]!.flagged)
        #expect(rows["special_education"] == nil, "a group with no student is not a row")
    }

    @Test func aGapOfFivePointsIsFlaggedAndNothingReceivedFlagsNothingButTheNeedy() {
        // Two groups of ten: 5 girls and 6 boys in need (11 of 20, 55%).
        let students = (1...20).map { n in ResourceEquity.Student(id: "s\(n)", groups: [n <= 10 ? "sex:female" : "sex:male"], inNeed: n <= 5 || (11...16).contains(n)) }
        let even = Dictionary(uniqueKeysWithValues: ResourceEquity.rows(students: students, received: ResourceEquity.received([(20, students.map(\.id))]), rule: SmallGroupRule(minimum: 10)).map { ($0.group, $0) })
        // Shared evenly, boys receive 50% against 6 of the 11 in need (55%), with a gap of 60% − 55% = +5 points, exactly the
        // threshold: flagged. Girls are 5 points under all students: not flagged.
        #expect(even["sex:male"]!.flagged && !even["sex:female"]!.flagged)
        let onlyFemale = Dictionary(uniqueKeysWithValues: ResourceEquity.rows(students: students, received: ResourceEquity.received([(20, (1...10).map { "s\($0)" })]), rule: SmallGroupRule(minimum: 10)).map { ($0.group, $0) })
        #expect(onlyFemale["sex:male"]!.shareReceived == 0 && onlyFemale["sex:male"]!.flagged)
        // Girls have 5 of 11 in need (45%), gap −5: never flagged, whatever they receive.
        #expect(!onlyFemale["sex:female"]!.flagged)
        let none = ResourceEquity.rows(students: students, received: [:], rule: SmallGroupRule(minimum: 10))
        #expect(none.allSatisfy { $0.shareReceived == nil && !$0.flagged }, "nothing allocated: no share to compare")
    }

    @Test func needIsHalfOrMoreOfThePrioritiesBelowMastery() {
        #expect(ResourceEquity.inNeed(below: 1, measured: 2))
        #expect(!ResourceEquity.inNeed(below: 1, measured: 3))
        #expect(ResourceEquity.inNeed(below: 2, measured: 3))
        #expect(!ResourceEquity.inNeed(below: 0, measured: 0))
    }

    @Test func aSchoolNeedierThanTheDistrictWithLessPerStudentIsFlagged() {
        // District: 300 students, 135 in need (45%), 300 units (1 per student).
        let schools = [ResourceEquity.School(id: "a", students: 100, inNeed: 60, amount: 50),   // 60% in need, 0.5 each: flagged
                       ResourceEquity.School(id: "b", students: 100, inNeed: 30, amount: 150),  // 30%, 1.5 each
                       ResourceEquity.School(id: "c", students: 100, inNeed: 45, amount: 100)]  // 45% (not above), 1.0
        #expect(ResourceEquity.schoolsBelowNeed(schools) == ["a"])
        #expect(ResourceEquity.schoolsBelowNeed([]) == [])
    }

    @Test func anAllocationIsCheckedBeforeItIsStored() throws {
        func draft(amount: String = "40", startsOn: String = "2026-08-24", endsOn: String = "2027-06-30", decidedBy: String = "Leadership team",
                   evidence: String = "", reason: String = "EL students furthest behind.") throws -> AllocationDraft {
            try AllocationDraft.fromForm(amount: amount, startsOn: startsOn, endsOn: endsOn, funding: " Title I ", decidedBy: decidedBy, evidence: evidence, reason: reason)
        }
        let made = try draft(amount: "1,250.5", evidence: "https://example.org/plan\r\n\r\n/insights/equity?school=a\n")
        #expect(made == AllocationDraft(amount: 1_250.5, startsOn: "2026-08-24", endsOn: "2027-06-30", funding: "Title I", decidedBy: "Leadership team",
                                        evidence: ["https://example.org/plan", "/insights/equity?school=a"], reason: "EL students furthest behind."))
        func refusal(_ make: () throws -> AllocationDraft) -> String {
            do { _ = try make(); return "accepted" } catch { return "\(error)" }
        }
        #expect(refusal { try draft(amount: "0") }.hasPrefix("The amount must be a number above 0"))
        #expect(refusal { try draft(amount: "nan") }.hasPrefix("The amount must be a number above 0"))
        #expect(refusal { try draft(amount: "1e10") }.hasPrefix("The amount must be a number above 0"))
        #expect(refusal { try draft(startsOn: "2027-02-29") } == "The period needs a first and a last day (YYYY-MM-DD).")
        #expect(refusal { try draft(startsOn: "2027-07-01") } == "The period ends before it begins.")
        #expect(refusal { try draft(decidedBy: " ") }.hasPrefix("Say who decided"))
        #expect(refusal { try draft(reason: String(repeating: "r", count: 2_001)) }.hasPrefix("Give the reason"))
        for bad in ["javascript:alert(1)", "//evil.example/x", "http://example.org", "https://", "/a b", "https://example.org/\\x"] {
            #expect(refusal { try draft(evidence: "/goals\n\(bad)") }.hasPrefix("Evidence line 2 is not a link"), "\(bad)")
        }
        #expect(refusal { try draft(evidence: Array(repeating: "/goals", count: 11).joined(separator: "\n")) } == "Up to 10 links of evidence.")

        var changed = made
        changed.amount = 60
        changed.endsOn = "2027-05-31"
        #expect(changed.changes(from: made) == ["Amount 1,250.5 → 60", "Period 2026-08-24–2027-06-30 → 2026-08-24–2027-05-31"])
        #expect(made.changes(from: made).isEmpty)
    }
}
