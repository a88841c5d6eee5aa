import Foundation
import Testing
@testable import LodestarCore

/// A hiring profile as the district writes it on its page: one step and one criterion per line.
@Suite("Hiring profiles")
struct HiringProfileTests {
    @Test func aProfileIsReadFromItsLinesAndEachBadLineIsNamed() throws {
        let profile = try HiringProfile.fromForm(role: "coach", name: "  Instructional coach ", steps: "Screening\r\n\r\nCoaching demonstration\n",
                                                 criteria: "Coaches adults: Has led cycles that changed practice: with evidence.\n\nReads data: Uses results to choose a focus.")
        #expect(profile == HiringProfile(name: "Instructional coach", role: "coach", criteria: [
            .init(key: "coaches-adults", name: "Coaches adults", descriptor: "Has led cycles that changed practice: with evidence."),
            .init(key: "reads-data", name: "Reads data", descriptor: "Uses results to choose a focus."),
        ], steps: ["Screening", "Coaching demonstration"]))

        func refusal(name: String = "Coach", steps: String = "Interview", criteria: String = "Listens: Asks before telling.") -> String? {
            do { _ = try HiringProfile.fromForm(role: "coach", name: name, steps: steps, criteria: criteria); return nil } catch { return "\(error)" }
        }
        #expect(refusal(name: " ") == "Name the profile (up to 120 characters).")
        #expect(refusal(steps: "Interview\ninterview") == "Steps, line 2: “interview” is already a step.")
        #expect(refusal(steps: "\n") == "Steps: write one to 8 steps, one per line.")
        #expect(refusal(steps: (1...9).map { "Step \($0)" }.joined(separator: "\n")) == "Steps: write one to 8 steps, one per line.")
        #expect(refusal(criteria: "Listens: Asks.\nListens!: Again.") == "Criteria, line 2: “Listens!” is already a criterion.")
        #expect(refusal(criteria: "Listens: Asks.\n\nNo colon here") == "Criteria, line 3: write the criterion's name, a colon, then what strong looks like.")
        #expect(refusal(criteria: "Listens: " + String(repeating: "a", count: 401)) == "Criteria, line 1: a name of up to 80 characters and a description of up to 400, both needed.")
        #expect(refusal(criteria: ": Asks.") == "Criteria, line 1: a name of up to 80 characters and a description of up to 400, both needed.")
    }

    @Test func aProfileStoredBeforeStepsTakesTheDefaultSteps() throws {
        let old = #"{"name":"Teacher","role":"teacher","criteria":[{"key":"a","name":"A","descriptor":"B"}]}"#
        #expect(try JSONDecoder().decode(HiringProfile.self, from: Data(old.utf8)).steps == HiringProfile.defaultSteps)
    }
}
