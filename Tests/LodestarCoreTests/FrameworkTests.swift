import Foundation
import Testing
@testable import LodestarCore

@Suite("Frameworks")
struct FrameworkTests {
    @Test func defaultFrameworkIsValidWithFourteenIndicatorsInFiveDomains() throws {
        let framework = Framework.lodestarDefault
        try FrameworkJSON.validate(framework, fileName: "default")
        #expect(framework.domains.count == 5)
        #expect(framework.indicators.count == 14)
    }

    @Test func frameworkRoundTripsThroughJSONUnchanged() throws {
        let rated = Framework(key: "district-rubric", name: "District rubric", description: "", scale: .rating(levels: ["Beginning", "Developing", "Established"]),
                              domains: Framework.lodestarDefault.domains)
        for framework in [Framework.lodestarDefault, rated] {
            let bytes = FrameworkJSON.encode(framework)
            #expect(try FrameworkJSON.decode(bytes, fileName: "f.json") == framework)
            #expect(FrameworkJSON.encode(try FrameworkJSON.decode(bytes, fileName: "f.json")) == bytes)
        }
    }

    func decodeError(_ text: String) -> LodestarError? {
        #expect(throws: LodestarError.self) { try FrameworkJSON.decode(Array(text.utf8), fileName: "mine.json") }
    }

    func json(_ edit: (inout [String: Any]) -> Void) -> String {
        var object = try! JSONSerialization.jsonObject(with: Data(FrameworkJSON.encode(.lodestarDefault))) as! [String: Any]
        edit(&object)
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func editFramework(_ edit: @escaping (inout [String: Any]) -> Void) -> String {
        json { file in
            var framework = file["framework"] as! [String: Any]
            edit(&framework)
            file["framework"] = framework
        }
    }

    @Test func malformedFilesAreRefusedNamingTheField() {
        #expect(decodeError("{ not json")?.location == FileLocation(file: "mine.json"))
        #expect(decodeError(json { $0["format"] = "something-else" })?.location?.field == "format")
        #expect(decodeError(editFramework { $0["name"] = nil })?.location?.field == "framework.name")
        #expect(decodeError(editFramework { $0["key"] = "Has Spaces" })?.location?.field == "framework.key")
        #expect(decodeError(editFramework { $0["scale"] = ["type": "stars"] })?.location?.field == "framework.scale.type")
        #expect(decodeError(editFramework { $0["scale"] = ["type": "rating", "levels": ["Only one"]] })?.location?.field == "framework.scale.levels")
        #expect(decodeError(editFramework { $0["domains"] = [] })?.location?.field == "framework.domains")
        #expect(decodeError(editFramework { f in
            var domains = f["domains"] as! [[String: Any]]
            var indicators = domains[1]["indicators"] as! [[String: Any]]
            indicators[0]["questions"] = []
            domains[1]["indicators"] = indicators
            f["domains"] = domains
        })?.location?.field == "framework.domains[1].indicators[0].questions")
        #expect(decodeError(editFramework { f in
            var domains = f["domains"] as! [[String: Any]]
            var indicators = domains[0]["indicators"] as! [[String: Any]]
            indicators[1]["key"] = indicators[0]["key"]
            domains[0]["indicators"] = indicators
            f["domains"] = domains
        })?.message.contains("used twice") == true)
        #expect(decodeError(editFramework { f in
            var domains = f["domains"] as! [[String: Any]]
            domains[2]["indicators"] = "none"
            f["domains"] = domains
        })?.location?.field == "framework.domains[2].indicators")
    }

    @Test func editorFormRoundTripsAndSkipsBlankOrRemovedItems() {
        let framework = Framework.lodestarDefault
        #expect(FrameworkForm.framework(key: framework.key, from: FrameworkForm.fields(of: framework)) == framework)
        var fields = FrameworkForm.fields(of: framework)
        fields["d0_i1_remove"] = "1"
        fields["d5_name"] = "Family partnership"
        fields["d5_key"] = ""
        fields["d5_i0_shortName"] = "Family communication"
        fields["d5_i0_lookFors"] = "Weekly note home\n\n"
        fields["d5_i0_questions"] = "How do families hear about learning?"
        fields["d5_i1_shortName"] = ""
        let edited = FrameworkForm.framework(key: framework.key, from: fields)
        #expect(edited.domains[0].indicators.map(\.key) == ["learning-target"])
        #expect(edited.domains.last?.key == "family-partnership")
        #expect(edited.domains.last?.indicators.map(\.key) == ["family-communication"])
        #expect(edited.domains.last?.indicators.first?.lookFors == ["Weekly note home"])
    }

    @Test func suggestedQuestionComesFromTheFirstIndicatorSeen() {
        let framework = Framework.lodestarDefault
        let marks = [WalkthroughSubmission.Mark(indicator: "discourse", mark: "observed"),
                     WalkthroughSubmission.Mark(indicator: "learning-target", mark: "not_observed")]
        #expect(framework.suggestedQuestion(for: marks) == framework.indicator("discourse")!.questions[0])
        #expect(framework.suggestedQuestion(for: [.init(indicator: "rigor", mark: "not_observed")]) == framework.indicator("rigor")!.questions[0])
        #expect(framework.suggestedQuestion(for: [.init(indicator: "rigor", mark: "not_applicable")]) == nil)
    }
}

@Suite("Walkthrough submissions")
struct WalkthroughSubmissionTests {
    let now = 1_790_000_000.0
    func submission(_ edit: (inout WalkthroughSubmission) -> Void = { _ in }) -> WalkthroughSubmission {
        var s = WalkthroughSubmission(id: "0b6f2f7e-9a51-4d3e-8a0e-2f7c1d9e4b11", teacherId: "staff-9", observedAt: now - 600,
                                      studentsOnTask: 20, studentsPresent: 24,
                                      marks: [.init(indicator: "learning-target", mark: "observed", lookFors: ["Target stated or posted in student-friendly words"])],
                                      glow: "Students could name the target.")
        edit(&s)
        return s
    }

    func field(_ edit: (inout WalkthroughSubmission) -> Void) -> String? {
        let error = #expect(throws: LodestarError.self) { try submission(edit).validate(against: .lodestarDefault, now: now) }
        return error?.location?.field
    }

    @Test func aCompleteSubmissionIsAccepted() throws {
        try submission().validate(against: .lodestarDefault, now: now)
    }

    @Test func badSubmissionsNameTheField() {
        #expect(field { $0.id = "not-a-uuid" } == "id")
        #expect(field { $0.marks = [] } == "marks")
        #expect(field { $0.marks[0].indicator = "charisma" } == "marks[0].indicator")
        #expect(field { $0.marks[0].mark = "excellent" } == "marks[0].mark")
        #expect(field { $0.marks[0].lookFors = ["Invented"] } == "marks[0].lookFors")
        #expect(field { $0.marks.append($0.marks[0]) } == "marks[1].indicator")
        #expect(field { $0.studentsOnTask = 30 } == "studentsOnTask")
        #expect(field { $0.studentsPresent = nil } == "studentsPresent")
        #expect(field { $0.observedAt = now + 3 * 86_400 } == "observedAt")
        #expect(field { $0.glow = "" } == "glow")
    }

    @Test func feedbackWithoutTextCanBeSavedUnshared() throws {
        try submission { $0.glow = ""; $0.share = false }.validate(against: .lodestarDefault, now: now)
    }
}

@Suite("Feedback loop")
struct FeedbackLoopTests {
    @Test func medianHoursWithinADayAndReplyRate() {
        let loop = FeedbackLoop([
            .init(observedAt: 0, sharedAt: 3_600, replied: true),        // 1 h
            .init(observedAt: 0, sharedAt: 10 * 3_600, replied: false),  // 10 h
            .init(observedAt: 0, sharedAt: 30 * 3_600, replied: true),   // 30 h
            .init(observedAt: 0, sharedAt: 50 * 3_600, replied: false),  // 50 h
            .init(observedAt: 0, sharedAt: nil, replied: false),
        ])
        #expect(loop.visits == 5)
        #expect(loop.shared == 4)
        #expect(loop.medianHoursToFeedback == 20)
        #expect(loop.sharedWithinADay == 0.5)
        #expect(loop.replyRate == 0.5)
        #expect(FeedbackLoop([]).medianHoursToFeedback == nil)
    }

    @Test func bellScheduleFindsThePeriod() {
        let schedule = BellSchedule.standard
        #expect(schedule.period(atMinute: 8 * 60 + 10) == "1")
        #expect(schedule.period(atMinute: 8 * 60 + 52) == "2")
        #expect(schedule.period(atMinute: 11 * 60 + 50) == nil)
        #expect(schedule.period(atMinute: 13 * 60 + 30) == "6")
    }
}
