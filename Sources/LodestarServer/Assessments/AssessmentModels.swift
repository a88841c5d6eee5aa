import Fluent
import Foundation
import LodestarCore
import SQLKit

/// A formative assessment: given to one or more classes on a day, assessing one or more standards,
/// scored on a proficiency scale.
final class Assessment: Model, @unchecked Sendable {
    static let schema = "assessments"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "title") var title: String
    /// ISO date the assessment was given: the order of attempts for mastery.
    @Field(key: "assessed_on") var assessedOn: String
    @Field(key: "scale_id") var scaleId: String
    @Field(key: "school_id") var schoolId: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Int
    init() {}
}

/// One student's score on one standard of an assessment, as a value on the assessment's scale.
final class Score: Model, @unchecked Sendable {
    static let schema = "scores"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "assessment_id") var assessmentId: String
    @Field(key: "student_id") var studentId: String
    @Field(key: "standard_id") var standardId: String
    @Field(key: "value") var value: Double
    /// When the score was entered: the tie-break for attempts on the same day.
    @Field(key: "entered_at") var enteredAt: Int
    @Field(key: "entered_by") var enteredBy: String
    init() {}

    static func id(assessment: String, student: String, standard: String) -> String { "\(assessment)|\(student)|\(standard)" }
}

/// How a mastery result reads in a cell: the value as precise as its level needs (`value(_:on:)`), the level's
/// name, and its colour class — colour plus text, so it reads without colour. The one rendering of mastery for
/// trackers, profiles and intervention groups.
struct MasteryDisplay: Encodable, Sendable {
    let text: String
    let level: String
    let css: String

    init(_ result: MasteryMethod.Result, on scale: ProficiencyScale) {
        switch result {
        case .value(let value):
            let level = scale.level(for: value)
            text = Self.value(value, on: scale)
            self.level = level?.name ?? ""
            css = Self.css(levelIndex: level.flatMap { scale.levels.firstIndex(of: $0) }, of: scale.levels.count)
        case .notYet:
            text = "…"; level = "Not yet"; css = "level-none"
        case .noEvidence:
            text = "—"; level = "No evidence"; css = "level-none"
        }
    }

    /// A value rounded to a tenth, without trailing zeros: "2.5", "3".
    static func tenths(_ value: Double) -> String { ScaleValue.text((value * 10).rounded() / 10) }

    /// A mastery value to a tenth, or to a hundredth rounded down where a tenth would carry it into another
    /// level: 2.96 reads "2.96" beside Approaching, never "3" (which is Meets).
    static func value(_ value: Double, on scale: ProficiencyScale) -> String {
        let tenth = (value * 10).rounded() / 10
        if scale.level(for: tenth) == scale.level(for: value) { return ScaleValue.text(tenth) }
        return ScaleValue.text((value * 100 + 1e-9).rounded(.down) / 100)
    }

    /// CSS class for a level index, spread over four colours.
    static func css(levelIndex: Int?, of count: Int) -> String {
        guard let index = levelIndex else { return "level-none" }
        return "level-\(min(3, max(0, index * 4 / max(count, 1))))"
    }
}
