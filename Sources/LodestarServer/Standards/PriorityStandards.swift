import Fluent
import Foundation
import SQLKit
import LodestarCore

/// A standard the district made a priority (its id is the standard's), with the reasons and a note.
final class PriorityStandard: Model, @unchecked Sendable {
    static let schema = "priority_standards"
    @ID(custom: "id", generatedBy: .user) var id: String?
    /// `PriorityReason` raw values, comma-separated.
    @Field(key: "reasons") var reasonList: String
    @Field(key: "note") var note: String
    @Field(key: "marked_by") var markedBy: String
    @Field(key: "marked_at") var markedAt: Int
    init() {}

    /// A priority as stored, from a row read by position in the columns' order above.
    convenience init(stored row: [Cell]) {
        self.init()
        id = row[0].text
        $id.exists = true
        reasonList = row[1].text ?? ""
        note = row[2].text ?? ""
        markedBy = row[3].text ?? ""
        markedAt = row[4].integer ?? 0
    }

    var reasons: [PriorityReason] { reasonList.split(separator: ",").compactMap { PriorityReason(rawValue: String($0)) } }
}

extension StandardsQueries {
    /// Every priority standard, by standard id.
    func priorities() async throws -> [String: PriorityStandard] {
        // Read by position: the tracker and the insight pages read them all, and Fluent reads a model's fields by reflection.
        Dictionary(uniqueKeysWithValues: try await db.sql.rowsByPosition("SELECT id, reasons, note, marked_by, marked_at FROM priority_standards", [],
                                                                         kinds: [.text, .text, .text, .text, .int]).map { ($0[0].text ?? "", PriorityStandard(stored: $0)) })
    }

    /// The priority standards of each grade they name, by code: what "the priority standards of grade X" means for a
    /// goal, a need or a PLC cycle, read as they are today.
    func prioritiesByGrade() async throws -> [String: [Standard]] {
        var byGrade: [String: [Standard]] = [:]
        for standard in try await standards(ids: Array(try await priorities().keys)).sorted(by: { $0.code < $1.code }) {
            for grade in standard.grades.split(separator: ",").map(String.init) { byGrade[grade, default: []].append(standard) }
        }
        return byGrade
    }

    /// One standard's priority, if it is one.
    func priority(of standardId: String) async throws -> PriorityStandard? { try await PriorityStandard.find(standardId, on: db) }

    /// Makes a standard a priority with its reasons and note, or changes them.
    func setPriority(_ standardId: String, reasons: [PriorityReason], note: String, by staffId: String) async throws {
        try await db.writeTransaction { db in
            let row = try await PriorityStandard.find(standardId, on: db) ?? { let made = PriorityStandard(); made.id = standardId; return made }()
            row.reasonList = reasons.map(\.rawValue).joined(separator: ",")
            row.note = note
            row.markedBy = staffId
            row.markedAt = Int(Date().timeIntervalSince1970)
            try await row.save(on: db)
        }
    }

    func removePriority(_ standardId: String) async throws {
        try await db.writeTransaction { db in try await PriorityStandard.query(on: db).filter(\.$id == standardId).delete() }
    }

    /// The standards of a document that name a grade, other than the grade headings, in the document's order: what
    /// priorities are chosen from.
    func gradedStandards(ofDocument documentId: String) async throws -> [Standard] {
        try await Standard.query(on: db).filter(\.$documentId == documentId).filter(\.$grades != "").filter(\.$itemType != "Grade")
            .sort(\.$position).sort(\.$code).all()
    }

    /// The standards documents as a page's choice ("Subject: Title"), and the one asked for (the first otherwise).
    func documentChoice(_ requested: String?) async throws -> (options: [SelectOption], chosen: StandardDocument?) {
        let documents = try await StandardDocument.query(on: db).sort(\.$subject).sort(\.$title).all()
        let chosen = requested.flatMap { id in documents.first { $0.id == id } } ?? documents.first
        return (documents.map { SelectOption(value: $0.id!, label: "\($0.subject.isEmpty ? "" : $0.subject + ": ")\($0.title)", selected: $0.id == chosen?.id) }, chosen)
    }
}

extension StandardsQueries {
    /// Links with either end among `ids`.
    func links(touching ids: [String]) async throws -> [StandardLink] {
        guard !ids.isEmpty else { return [] }
        return try await StandardLink.query(on: db).group(.or) { $0.filter(\.$originId ~~ ids).filter(\.$destinationId ~~ ids) }.all()
    }

    /// The district's own link: `origin` leads to `destination`.
    func addLink(from origin: String, to destination: String, by staffId: String) async throws {
        try await db.writeTransaction { db in
            let link = StandardLink()
            link.id = UUID().uuidString.lowercased()
            link.originId = origin
            link.destinationId = destination
            link.kind = CASEPackage.LinkKind.precedes.rawValue
            link.createdBy = staffId
            link.createdAt = Int(Date().timeIntervalSince1970)
            try await link.create(on: db)
        }
    }

    /// Removes one of the district's own links (a package's links change only with the package).
    func removeDistrictLink(_ id: String) async throws {
        try await db.writeTransaction { db in try await StandardLink.query(on: db).filter(\.$id == id).filter(\.$documentId == nil).delete() }
    }
}

/// The district's cadence for assessing priority standards (`PriorityCadence`); one row, "district".
final class PriorityCadenceSetting: Model, @unchecked Sendable {
    static let schema = "priority_cadence"
    static let district = "district"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "weeks") var weeks: Int
    @Field(key: "set_by") var setBy: String
    @Field(key: "set_at") var setAt: Int
    init() {}
}

extension StandardsQueries {
    /// How often the district expects each priority standard assessed in every class.
    func cadence() async throws -> PriorityCadence {
        try await PriorityCadenceSetting.find(PriorityCadenceSetting.district, on: db).map { PriorityCadence(weeks: $0.weeks) } ?? .standard
    }

    func setCadence(_ cadence: PriorityCadence, by staffId: String) async throws {
        try await db.writeTransaction { db in
            let row = try await PriorityCadenceSetting.find(PriorityCadenceSetting.district, on: db) ?? { let made = PriorityCadenceSetting(); made.id = PriorityCadenceSetting.district; return made }()
            row.weeks = cadence.weeks
            row.setBy = staffId
            row.setAt = Int(Date().timeIntervalSince1970)
            try await row.save(on: db)
        }
    }
}
