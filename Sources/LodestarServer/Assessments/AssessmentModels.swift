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

/// A proficiency scale as stored; its definition is the Core `ProficiencyScale` as JSON.
final class ScaleRecord: Model, @unchecked Sendable {
    static let schema = "proficiency_scales"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "definition") var definition: String
    init() {}

    func scale() throws -> ProficiencyScale { try JSONDecoder().decode(ProficiencyScale.self, from: Data(definition.utf8)) }
}

/// The mastery method for the district (`id == "district"`) or one school (`id` is the school).
final class MasterySetting: Model, @unchecked Sendable {
    static let schema = "mastery_settings"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "method") var method: String
    init() {}
}

/// Scales and mastery methods, with the defaults stored on first use.
enum MasteryStore {
    static let defaultScaleId = "four-level"
    static let defaultMethod = MasteryMethod.decayingAverage(weight: MasteryMethod.defaultWeight)

    static func scale(_ id: String, on db: any Database) async throws -> ProficiencyScale {
        if let record = try await ScaleRecord.find(id, on: db) { return try record.scale() }
        guard id == defaultScaleId else { throw LodestarError(.notFound, "that proficiency scale no longer exists") }
        let record = ScaleRecord()
        record.id = defaultScaleId
        record.name = ProficiencyScale.fourLevel.name
        record.definition = String(decoding: try JSONEncoder().encode(ProficiencyScale.fourLevel), as: UTF8.self)
        try await db.writeTransaction { db in
            if try await ScaleRecord.find(defaultScaleId, on: db) == nil { try await record.create(on: db) }
        }
        return .fourLevel
    }

    /// The method for a school: its own setting, else the district's, else the default.
    static func method(forSchool schoolId: String, on db: any Database) async throws -> MasteryMethod {
        let settings = try await MasterySetting.query(on: db).filter(\.$id ~~ [schoolId, "district"]).all()
        let chosen = settings.first { $0.id == schoolId } ?? settings.first { $0.id == "district" }
        return try chosen.map { try JSONDecoder().decode(MasteryMethod.self, from: Data($0.method.utf8)) } ?? defaultMethod
    }

    static func setMethod(_ method: MasteryMethod?, for scope: String, on db: any Database) async throws {
        try await db.writeTransaction { db in
            try await MasterySetting.query(on: db).filter(\.$id == scope).delete()
            if let method {
                let setting = MasterySetting()
                setting.id = scope
                setting.method = String(decoding: try JSONEncoder().encode(method), as: UTF8.self)
                try await setting.create(on: db)
            }
            // Standings follow the method: trends are recomputed with it.
            try await MasteryRollup.recompute(on: db)
        }
    }
}

/// Every proficiency scale, loaded once per request. A standard's mastery is computed on the scale of
/// its most recent assessment (the last of the evidence, in attempt order).
struct ScaleBook: Sendable {
    let scales: [String: ProficiencyScale]
    let fallback: ProficiencyScale

    static func load(on db: any Database) async throws -> ScaleBook {
        let fallback = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: db)
        var scales: [String: ProficiencyScale] = [:]
        for record in try await ScaleRecord.query(on: db).all() { scales[record.id!] = try record.scale() }
        return ScaleBook(scales: scales, fallback: fallback)
    }

    func scale(lastAssessedOn scaleId: String?) -> ProficiencyScale {
        scaleId.flatMap { scales[$0] } ?? fallback
    }

    /// The method's result for scores in attempt order, with the scale it was computed on.
    func mastery(_ evidence: [AssessmentQueries.Evidence], by method: MasteryMethod) -> (result: MasteryMethod.Result, scale: ProficiencyScale) {
        let scale = scale(lastAssessedOn: evidence.last?.scaleId)
        return (method.calculate(evidence.map(\.value), on: scale), scale)
    }
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
    static func tenths(_ value: Double) -> String { AssessmentController.format((value * 10).rounded() / 10) }

    /// A mastery value to a tenth, or to a hundredth rounded down where a tenth would carry it into another
    /// level: 2.96 reads "2.96" beside Approaching, never "3" (which is Meets).
    static func value(_ value: Double, on scale: ProficiencyScale) -> String {
        let tenth = (value * 10).rounded() / 10
        if scale.level(for: tenth) == scale.level(for: value) { return AssessmentController.format(tenth) }
        return AssessmentController.format((value * 100 + 1e-9).rounded(.down) / 100)
    }

    /// CSS class for a level index, spread over four colours.
    static func css(levelIndex: Int?, of count: Int) -> String {
        guard let index = levelIndex else { return "level-none" }
        return "level-\(min(3, max(0, index * 4 / max(count, 1))))"
    }
}
