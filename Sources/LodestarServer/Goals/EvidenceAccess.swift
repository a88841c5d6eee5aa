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
        let roster = RosterQueries(db: db.sql)
        let walkthroughs = WalkthroughQueries(db: db)
        switch parts[0] {
        case "assessments":
            guard let assessment = try await Assessment.find(parts[1], on: db) else { return false }
            var teaches = false
            for classId in try await AssessmentQueries(db: db).classIds(of: parts[1]) where try await roster.teaches(staffId: viewer.id, classId: classId) {
                teaches = true
            }
            return policy.canViewStudentResults(inSchool: assessment.schoolId, teachesClass: teaches)
        case "interventions":
            guard let group = try await InterventionGroup.find(parts[1], on: db) else { return false }
            return policy.canViewStudentResults(inSchool: group.schoolId, teachesClass: try await roster.teaches(staffId: viewer.id, classId: group.classId))
        case "walkthroughs":
            guard let walkthrough = try await Walkthrough.find(parts[1], on: db) else { return false }
            if walkthrough.observerId == viewer.id { return true }
            if walkthrough.teacherId == viewer.id { return walkthrough.sharedAt != nil }
            return policy.canSeeWalkthroughs(ofTeacherAt: try await walkthroughs.teachingSchools(of: walkthrough.teacherId).union([walkthrough.schoolId]),
                                             isSelf: false, onCaseload: try await walkthroughs.isOnCaseload(coach: viewer.id, teacher: walkthrough.teacherId))
        case "coaching" where parts[1] == "teachers":
            let teacher = parts[2]
            return policy.canSeeCoaching(ofTeacherAt: try await walkthroughs.teachingSchools(of: teacher), isSelf: teacher == viewer.id,
                                         onCaseload: try await walkthroughs.isOnCaseload(coach: viewer.id, teacher: teacher))
        default:
            return true
        }
    }
}
