import Fluent
import LodestarCore
import Vapor

/// Whether a viewer may open what an action step's evidence links to. A plan is read by all of a
/// school's staff, but a walkthrough, an assessment's scores or an intervention group are not: those
/// links are shown as names only to everyone else, so nobody follows a link to a refusal.
struct EvidenceAccess {
    let viewer: Viewer
    let db: any Database

    func mayOpen(_ href: String) async throws -> Bool {
        let parts = href.split(separator: "/").map(String.init)
        guard href.hasPrefix("/"), parts.count == 2 || (parts.count == 3 && parts[0] == "coaching") else { return true }
        let policy = viewer.policy
        let roster = RosterQueries(db)
        let walkthroughs = WalkthroughQueries(db: db)
        switch parts[0] {
        case "assessments":
            guard let assessment = try await AssessmentQueries(db: db).assessment(parts[1]) else { return false }
            var teaches = false
            for classId in try await AssessmentQueries(db: db).classIds(of: parts[1]) where try await roster.teaches(staffId: viewer.id, classId: classId) {
                teaches = true
            }
            return policy.canViewStudentResults(inSchool: assessment.schoolId, teachesClass: teaches)
        case "interventions":
            guard let group = try await AssessmentQueries(db: db).interventionGroup(parts[1]) else { return false }
            return policy.canViewStudentResults(inSchool: group.schoolId, teachesClass: try await roster.teaches(staffId: viewer.id, classId: group.classId))
        case "walkthroughs":
            guard let walkthrough = try await walkthroughs.walkthrough(parts[1]) else { return false }
            return try await walkthroughs.mayOpen(walkthrough, viewer: viewer)
        case "coaching" where parts[1] == "teachers":
            let teacher = parts[2]
            return policy.canSeeCoaching(ofTeacherAt: try await StaffDirectory(db: db).teachingSchools(of: teacher), isSelf: teacher == viewer.id,
                                         onCaseload: try await CoachingQueries(db: db).isOnCaseload(coach: viewer.id, teacher: teacher))
        default:
            return true
        }
    }
}
