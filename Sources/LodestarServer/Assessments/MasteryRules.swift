import Fluent
import Foundation
import LodestarCore
import SQLKit

// The one home of the mastery rules — the district's proficiency scales and its mastery methods. Assessments
// show them and change them; Insights reads them to compute standings and follows their changes through
// `Change.masteryRulesChanged`.

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
            try await db.announce(.masteryRulesChanged)
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
