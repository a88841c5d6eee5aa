import Fluent
import Foundation
import LodestarCore

/// Talent's front door and store for hiring: profiles, openings, committees, candidates and their ratings. Every
/// write runs in one write transaction; a candidate's data goes when the retention period ends.
struct HiringQueries {
    let db: any Database

    /// The district's profiles; Lodestar's own are stored on first use.
    func profiles() async throws -> [HiringProfileRecord] {
        let stored = try await HiringProfileRecord.query(on: db).sort(\.$name).all()
        if !stored.isEmpty { return stored }
        return try await db.writeTransaction { db in
            let again = try await HiringProfileRecord.query(on: db).sort(\.$name).all()
            if !again.isEmpty { return again }
            var made: [HiringProfileRecord] = []
            for profile in HiringProfile.lodestarDefaults {
                let record = HiringProfileRecord()
                record.id = profile.role
                record.name = profile.name
                record.role = profile.role
                record.definition = String(decoding: try JSONEncoder().encode(profile), as: UTF8.self)
                record.updatedAt = Int(Date().timeIntervalSince1970)
                try await record.create(on: db)
                made.append(record)
            }
            return made
        }
    }

    /// Saves the district's profile for a role (one per role). Openings keep the copy they were opened with.
    func saveProfile(_ profile: HiringProfile) async throws {
        // Lodestar's own are stored first: they are stored only while the table is empty.
        _ = try await profiles()
        let definition = String(decoding: try JSONEncoder().encode(profile), as: UTF8.self)
        try await db.writeTransaction { db in
            let record = try await HiringProfileRecord.find(profile.role, on: db) ?? { let made = HiringProfileRecord(); made.id = profile.role; return made }()
            record.name = profile.name
            record.role = profile.role
            record.definition = definition
            record.updatedAt = Int(Date().timeIntervalSince1970)
            try await record.save(on: db)
        }
    }

    func opening(_ id: String) async throws -> Opening? { try await Opening.find(id, on: db) }

    func openings(atSchools schools: [String]?) async throws -> [Opening] {
        var query = Opening.query(on: db)
        if let schools { query = query.filter(\.$schoolId ~~ schools) }
        return try await query.sort(\.$createdAt, .descending).all()
    }

    /// Openings whose committee `staffId` sits on.
    func openingIds(withMember staffId: String) async throws -> Set<String> {
        Set(try await CommitteeMember.query(on: db).filter(\.$staffId == staffId).all().map(\.openingId))
    }

    func committee(of openingId: String) async throws -> [String] {
        try await CommitteeMember.query(on: db).filter(\.$openingId == openingId).all().map(\.staffId)
    }

    func open(school: String, title: String, profile: HiringProfile, by staffId: String) async throws -> Opening {
        let opening = Opening()
        opening.id = UUID().uuidString.lowercased()
        opening.schoolId = school
        opening.title = title
        opening.role = profile.role
        opening.profileJSON = String(decoding: try JSONEncoder().encode(profile), as: UTF8.self)
        opening.stepsJSON = String(decoding: try JSONEncoder().encode(profile.steps), as: UTF8.self)
        opening.status = "open"
        opening.createdBy = staffId
        opening.createdAt = Int(Date().timeIntervalSince1970)
        try await db.writeTransaction { db in
            try await opening.create(on: db)
            try await HiringQueries(db: db).addMembers([staffId], to: opening.id!)
        }
        return opening
    }

    private func addMembers(_ staffIds: some Collection<String>, to openingId: String) async throws {
        for staffId in staffIds {
            let member = CommitteeMember()
            member.id = UUID().uuidString.lowercased()
            member.openingId = openingId
            member.staffId = staffId
            try await member.create(on: db)
        }
    }

    func setCommittee(_ staffIds: Set<String>, of openingId: String) async throws {
        try await db.writeTransaction { db in
            let current = Set(try await HiringQueries(db: db).committee(of: openingId))
            try await CommitteeMember.query(on: db).filter(\.$openingId == openingId).filter(\.$staffId ~~ Array(current.subtracting(staffIds))).delete()
            try await HiringQueries(db: db).addMembers(staffIds.subtracting(current).sorted(), to: openingId)
        }
    }

    /// How many candidates each opening has, in one query.
    func candidateCounts(of openingIds: [String]) async throws -> [String: Int] {
        try await db.sql.rowCounts(in: Candidate.schema, by: "opening_id", values: openingIds)
    }

    func candidates(of openingId: String) async throws -> [Candidate] {
        try await Candidate.query(on: db).filter(\.$openingId == openingId).sort(\.$addedAt).all()
    }

    func candidate(_ id: String, of openingId: String) async throws -> Candidate? {
        try await Candidate.query(on: db).filter(\.$id == id).filter(\.$openingId == openingId).first()
    }

    func ratings(of candidateIds: [String]) async throws -> [CandidateRating] {
        guard !candidateIds.isEmpty else { return [] }
        return try await CandidateRating.query(on: db).filter(\.$candidateId ~~ candidateIds).sort(\.$ratedAt).all()
    }

    /// A member's ratings of every criterion of one step, made or changed together.
    func rate(_ candidateId: String, step: Int, by memberId: String, levels: [String: (level: Int, evidence: String)]) async throws {
        try await db.writeTransaction { db in
            let existing = try await CandidateRating.query(on: db).filter(\.$candidateId == candidateId).filter(\.$step == step)
                .filter(\.$memberId == memberId).all()
            let now = Int(Date().timeIntervalSince1970)
            for (criterion, rating) in levels {
                let row = existing.first { $0.criterionKey == criterion } ?? CandidateRating()
                if row.id == nil {
                    row.id = UUID().uuidString.lowercased()
                    row.candidateId = candidateId
                    row.step = step
                    row.criterionKey = criterion
                    row.memberId = memberId
                }
                row.level = rating.level
                row.evidence = rating.evidence
                row.ratedAt = now
                try await row.save(on: db)
            }
        }
    }

    /// A school's hiring since `since`: positions opened and filled, their candidates, and how many of those every
    /// current committee member rated at the first step.
    func summary(atSchool school: String, since: Int) async throws -> (openings: Int, filled: Int, candidates: Int, ratedByAll: Int) {
        let openings = try await Opening.query(on: db).filter(\.$schoolId == school).filter(\.$createdAt >= since).all()
        var candidates = 0, ratedByAll = 0
        for opening in openings {
            let committee = Set(try await committee(of: opening.id!))
            let people = try await self.candidates(of: opening.id!)
            let raters = Dictionary(grouping: try await ratings(of: people.compactMap(\.id)).filter { $0.step == 0 }, by: \.candidateId)
            candidates += people.count
            ratedByAll += people.filter { committee.isSubset(of: Set((raters[$0.id!] ?? []).map(\.memberId))) }.count
        }
        return (openings.count, openings.filter { $0.status == "filled" }.count, candidates, ratedByAll)
    }

    /// For Today: the open positions whose committee `staffId` sits on, and their undecided candidates the person
    /// has not rated at all yet.
    func waiting(forMember staffId: String) async throws -> (openings: Int, candidates: Int) {
        let openings = try await Opening.query(on: db).filter(\.$id ~~ Array(try await openingIds(withMember: staffId))).filter(\.$status == "open").all().compactMap(\.id)
        guard !openings.isEmpty else { return (0, 0) }
        let candidates = try await Candidate.query(on: db).filter(\.$openingId ~~ openings).filter(\.$decision == nil).all().compactMap(\.id)
        let rated = Set(try await ratings(of: candidates).filter { $0.memberId == staffId }.map(\.candidateId))
        return (openings.count, candidates.filter { !rated.contains($0) }.count)
    }

    /// Deletes a candidate and their ratings (on request, or when the retention period ends). Call in a transaction.
    func delete(candidate id: String) async throws {
        try await CandidateRating.query(on: db).filter(\.$candidateId == id).delete()
        try await Candidate.query(on: db).filter(\.$id == id).delete()
    }

    /// Deletes every candidate whose retention period has ended, and says how many.
    @discardableResult
    func deleteExpired(now: Int) async throws -> Int {
        try await db.writeTransaction { db in
            let expired = try await Candidate.query(on: db).filter(\.$deleteAfter <= now).all().compactMap(\.id)
            for id in expired { try await HiringQueries(db: db).delete(candidate: id) }
            return expired.count
        }
    }
}
