import Testing
@testable import LodestarCore

@Suite("Access policy")
struct AccessPolicyTests {
    let school = "north", other = "south"

    func policy(_ grants: RoleGrant...) -> AccessPolicy { AccessPolicy(grants: grants) }

    @Test func teacherSeesOnlyTheirOwnStudentsAndClasses() {
        let teacher = policy(RoleGrant(role: .teacher, schoolId: school))
        #expect(teacher.canViewStudent(attending: [school], teachesStudent: true))
        #expect(!teacher.canViewStudent(attending: [school], teachesStudent: false))
        #expect(teacher.canViewClass(inSchool: school, teachesClass: true))
        #expect(!teacher.canViewClass(inSchool: school, teachesClass: false))
        #expect(!teacher.canViewRoster(ofSchool: school))
    }

    @Test func principalSeesTheirSchoolOnly() {
        let principal = policy(RoleGrant(role: .principal, schoolId: school))
        #expect(principal.canViewRoster(ofSchool: school))
        #expect(principal.canViewStudent(attending: [school], teachesStudent: false))
        #expect(!principal.canViewRoster(ofSchool: other))
        #expect(!principal.canViewStudent(attending: [other], teachesStudent: false))
        #expect(!principal.canAdministerDistrict)
    }

    @Test func coachAndTeacherLeaderSeeTheRosterButNotStudentDetailWithoutARelationship() {
        for role in [StaffRole.coach, .teacherLeader] {
            let person = policy(RoleGrant(role: role, schoolId: school))
            #expect(person.canViewRoster(ofSchool: school))
            #expect(!person.canViewStudent(attending: [school], teachesStudent: false))
        }
    }

    @Test func districtRolesSeeEverySchoolAndOnlyAdminsAdminister() {
        let leader = policy(RoleGrant(role: .districtLeader, schoolId: nil))
        #expect(leader.canViewRoster(ofSchool: other))
        #expect(leader.canViewStudent(attending: [other], teachesStudent: false))
        #expect(!leader.canAdministerDistrict)
        #expect(policy(RoleGrant(role: .districtAdmin, schoolId: nil)).canAdministerDistrict)
    }

    @Test func studentResultsFollowStudentProfiles() {
        #expect(policy(RoleGrant(role: .teacher, schoolId: school)).canViewStudentResults(inSchool: school, teachesClass: true))
        #expect(!policy(RoleGrant(role: .teacherLeader, schoolId: school)).canViewStudentResults(inSchool: school, teachesClass: false))
        #expect(!policy(RoleGrant(role: .coach, schoolId: school)).canViewStudentResults(inSchool: school, teachesClass: false))
        #expect(policy(RoleGrant(role: .assistantPrincipal, schoolId: school)).canViewStudentResults(inSchool: school, teachesClass: false))
        #expect(!policy(RoleGrant(role: .principal, schoolId: other)).canViewStudentResults(inSchool: school, teachesClass: false))
    }

    @Test func districtGrantsIgnoreASchool() {
        #expect(RoleGrant(role: .districtLeader, schoolId: school).schoolId == nil)
    }

    @Test func nobodyWithoutRolesSeesAnything() {
        let nobody = policy()
        #expect(!nobody.canViewRoster(ofSchool: school))
        #expect(!nobody.canViewStudent(attending: [school], teachesStudent: false))
    }

    @Test func plansTimeAndTrendsFollowTheirRoles() {
        let principal = policy(RoleGrant(role: .principal, schoolId: school))
        let coach = policy(RoleGrant(role: .coach, schoolId: school))
        let teacher = policy(RoleGrant(role: .teacher, schoolId: school))
        let leader = policy(RoleGrant(role: .districtLeader, schoolId: nil))
        let admin = policy(RoleGrant(role: .districtAdmin, schoolId: nil))
        // Plans: the school's staff read, its administrators edit; the district's plan for district roles.
        #expect(teacher.canViewPlan(ofSchool: school) && !teacher.canEditPlan(ofSchool: school))
        #expect(principal.canEditPlan(ofSchool: school) && !principal.canEditPlan(ofSchool: other) && !principal.canViewPlan(ofSchool: other))
        #expect(!principal.canEditPlan(ofSchool: nil) && leader.canEditPlan(ofSchool: nil) && teacher.canViewPlan(ofSchool: nil))
        // Time: the leader and district leaders only — not district admins.
        #expect(principal.canViewTime(ofLeader: "p", viewerId: "p") && !principal.canViewTime(ofLeader: "q", viewerId: "p"))
        #expect(leader.canViewTime(ofLeader: "p", viewerId: "l") && !admin.canViewTime(ofLeader: "p", viewerId: "a"))
        #expect(principal.tracksOwnTime && coach.tracksOwnTime && !teacher.tracksOwnTime && !leader.tracksOwnTime)
        // Trends: aggregates for the school's non-teaching roles; the visits behind them for administrators.
        #expect(coach.canViewTrends(ofSchool: school) && !coach.canOpenTrendVisits(ofSchool: school))
        #expect(principal.canOpenTrendVisits(ofSchool: school) && !principal.canViewTrends(ofSchool: other))
        #expect(!teacher.canViewTrends(ofSchool: school) && leader.canOpenTrendVisits(ofSchool: other))
    }

    @Test func professionalLearningFollowsItsRoles() {
        let principal = policy(RoleGrant(role: .principal, schoolId: school))
        let coach = policy(RoleGrant(role: .coach, schoolId: school))
        let teacherLeader = policy(RoleGrant(role: .teacherLeader, schoolId: school))
        let teacher = policy(RoleGrant(role: .teacher, schoolId: school))
        let leader = policy(RoleGrant(role: .districtLeader, schoolId: nil))
        // Planning: school administrators and coaches for their school; district roles for the district too.
        #expect(principal.canPlanLearning(forSchool: school) && coach.canPlanLearning(forSchool: school) && !principal.canPlanLearning(forSchool: nil))
        #expect(!teacher.canPlanLearning(forSchool: school) && !teacherLeader.canPlanLearning(forSchool: school) && !coach.canPlanLearning(forSchool: other))
        #expect(leader.canPlanLearning(forSchool: nil) && leader.canPlanLearning(forSchool: other))
        // Mentor pairings: those who assign caseloads.
        #expect(principal.canPairMentors(atSchool: school) && !coach.canPairMentors(atSchool: school) && !teacher.canPairMentors(atSchool: school))
        // PLCs: teacher leaders start them; members and the school's non-teaching roles see them.
        #expect(teacherLeader.canStartPLC(atSchool: school) && !teacher.canStartPLC(atSchool: school) && !teacherLeader.canStartPLC(atSchool: other))
        #expect(teacher.canSeePLC(atSchool: school, isMember: true) && !teacher.canSeePLC(atSchool: school, isMember: false))
        #expect(coach.canSeePLC(atSchool: school, isMember: false) && !coach.canWorkInPLC(atSchool: school, isMember: false))
        // A growth goal: the teacher, their coach (caseload) and the school's administrators; not district roles.
        #expect(teacher.canSeeGrowthGoal(ofTeacherAt: [school], isSelf: true, onCaseload: false))
        #expect(!teacher.canSeeGrowthGoal(ofTeacherAt: [school], isSelf: false, onCaseload: false))
        #expect(coach.canSeeGrowthGoal(ofTeacherAt: [school], isSelf: false, onCaseload: true) && !coach.canSeeGrowthGoal(ofTeacherAt: [school], isSelf: false, onCaseload: false))
        #expect(principal.canSeeGrowthGoal(ofTeacherAt: [school], isSelf: false, onCaseload: false) && !principal.canSeeGrowthGoal(ofTeacherAt: [other], isSelf: false, onCaseload: false))
        #expect(!leader.canSeeGrowthGoal(ofTeacherAt: [school], isSelf: false, onCaseload: false) && !teacherLeader.canSeeGrowthGoal(ofTeacherAt: [school], isSelf: false, onCaseload: false))
    }
}
