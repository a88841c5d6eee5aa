import Fluent
import Foundation
import LodestarCore

/// One opening at the first school — a Grade 3 teacher, against the teacher profile — with its committee (the
/// principal, assistant principal, teacher leader and the featured teacher) and three candidates: two rated by
/// everyone at screening and by some at the interview, one just added.
enum DemoTalentLoader {
    static let openingId = "demo-opening-grade-3"

    static func load(_ district: DemoDistrict, through: Date, on db: any Database) async throws {
        guard try await HiringQueries(db: db).opening(openingId) == nil else { return }
        let school = "school-1"
        let featured = district.accounts.filter(\.isFeatured)
        func featuredId(_ role: StaffRole?) -> String? {
            featured.first { role == nil ? $0.grants.isEmpty : $0.grants.first?.role == role }?.sourcedId
        }
        guard let principal = featuredId(.principal), let assistant = featuredId(.assistantPrincipal),
              let teacherLeader = featuredId(.teacherLeader), let teacher = featuredId(nil),
              let profile = try await HiringQueries(db: db).profiles().first(where: { $0.role == "teacher" })?.profile else { return }
        let committee = [principal, assistant, teacherLeader, teacher]
        let now = Int(through.timeIntervalSince1970)
        let retention = DistrictSettings.candidateRetentionDays * 86_400
        try await db.writeTransaction { db in
            let opening = Opening()
            opening.id = openingId
            opening.schoolId = school
            opening.title = "Grade 3 teacher"
            opening.role = profile.role
            opening.profileJSON = String(decoding: try JSONEncoder().encode(profile), as: UTF8.self)
            opening.stepsJSON = String(decoding: try JSONEncoder().encode(HiringProfile.defaultSteps), as: UTF8.self)
            opening.status = "open"
            opening.createdBy = principal
            opening.createdAt = now - 21 * 86_400
            try await opening.create(on: db)
            for member in committee {
                let row = CommitteeMember()
                row.id = "\(openingId)-\(member)"
                row.openingId = openingId
                row.staffId = member
                try await row.create(on: db)
            }
            // Levels per criterion for each candidate, screening then interview; who rated the interview so far.
            let candidates: [(name: String, source: String, levels: [Int], interviewedBy: [String])] = [
                ("Maya Ortiz", "Referral from a Grade 3 teacher", [4, 3, 3, 4, 3], [principal, assistant, teacherLeader]),
                ("Daniel Kim", "District job board", [3, 2, 4, 2, 3], [principal]),
                ("Priya Raman", "University partnership", [], []),
            ]
            let notes = ["Planned from the standard and named where students slip.", "Checked understanding twice and changed course once.",
                         "Most students talked; a few were not drawn in.", "Used the feedback from screening straight away.", "Described co-planning with a team."]
            for (n, candidate) in candidates.enumerated() {
                let row = Candidate()
                row.id = "\(openingId)-candidate-\(n + 1)"
                row.openingId = openingId
                row.name = candidate.name
                row.email = candidate.name.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.com"
                row.phone = ""
                row.source = candidate.source
                row.addedBy = principal
                row.addedAt = now - (14 - n * 4) * 86_400
                row.deleteAfter = row.addedAt + retention
                try await row.create(on: db)
                guard !candidate.levels.isEmpty else { continue }
                for (step, raters) in [(0, committee), (1, candidate.interviewedBy)] {
                    for (m, member) in raters.enumerated() {
                        for (c, criterion) in profile.criteria.enumerated() {
                            let rating = CandidateRating()
                            rating.id = "\(row.id!)-\(step)-\(criterion.key)-\(member)"
                            rating.candidateId = row.id!
                            rating.step = step
                            rating.criterionKey = criterion.key
                            rating.memberId = member
                            rating.level = max(1, min(4, candidate.levels[c] + (m + c + step) % 3 - 1))
                            rating.evidence = notes[c]
                            rating.ratedAt = row.addedAt + (step + 1) * 86_400 + m * 600
                            try await rating.create(on: db)
                        }
                    }
                }
            }
        }
    }
}
