import Testing
@testable import LodestarCore

@Suite("Access policy")
struct AccessPolicyTests {
    let school = "north", other = "south"

    func policy(_ grants: RoleGrant...) -> AccessPolicy { AccessPolicy(grants: grants) }

    /// With passwords kept for the break-glass administrator, only a district admin made in Lodestar may use one.
    @Test func passwordsOffLeaveOnlyADistrictAdminMadeInLodestar() {
        let admin = policy(RoleGrant(role: .districtAdmin, schoolId: nil)), leader = policy(RoleGrant(role: .districtLeader, schoolId: nil))
        let principal = policy(RoleGrant(role: .principal, schoolId: "s1"))
        #expect(admin.maySignInWithPassword(passwordsForBreakGlassOnly: true, accountMadeInLodestar: true))
        #expect(!admin.maySignInWithPassword(passwordsForBreakGlassOnly: true, accountMadeInLodestar: false))
        #expect(!leader.maySignInWithPassword(passwordsForBreakGlassOnly: true, accountMadeInLodestar: true))
        #expect(!principal.maySignInWithPassword(passwordsForBreakGlassOnly: true, accountMadeInLodestar: true))
        #expect(principal.maySignInWithPassword(passwordsForBreakGlassOnly: false, accountMadeInLodestar: false))
    }

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

    /// The top bar for each role, written out by hand: it changes only when someone means it to.
    @Test func theTopBarShowsEachRoleThePagesItMayOpen() {
        func pages(_ grants: RoleGrant...) -> String { AccessPolicy(grants: grants).navigation.map(\.label).joined(separator: " ") }
        #expect(pages() == "Today")
        #expect(pages(RoleGrant(role: .teacher, schoolId: school))
                == "Today Vision Goals My classes Assessments Feedback Visits Standards Learning Coaching")
        #expect(pages(RoleGrant(role: .teacherLeader, schoolId: school), RoleGrant(role: .teacher, schoolId: school))
                == "Today Vision Goals Schools My classes Assessments Feedback Visits Standards Insights Learning Leadership Resources Coaching")
        #expect(pages(RoleGrant(role: .coach, schoolId: school))
                == "Today Vision Goals Schools Visits Standards Insights Learning Leadership Resources Coaching My time")
        #expect(pages(RoleGrant(role: .principal, schoolId: school))
                == "Today Vision Goals Schools Visits Standards Insights Learning Leadership Resources Coaching My time")
        #expect(pages(RoleGrant(role: .districtLeader, schoolId: nil))
                == "Today Vision Goals Schools Visits Standards Insights Learning Leadership Resources Leaders' time")
        #expect(pages(RoleGrant(role: .districtAdmin, schoolId: nil))
                == "Today Vision Goals Schools Visits Standards Insights Learning Resources Coaching Admin")
    }

    @Test func aTeachersPageIsForThemTheirCoachAndTheirSchoolsLeaders() {
        let teacherAt: Set<String> = [school]
        #expect(policy(RoleGrant(role: .teacher, schoolId: school)).canViewTeacher(at: teacherAt, isSelf: true, onCaseload: false))
        #expect(!policy(RoleGrant(role: .teacher, schoolId: school)).canViewTeacher(at: teacherAt, isSelf: false, onCaseload: false))
        #expect(policy(RoleGrant(role: .teacherLeader, schoolId: school)).canViewTeacher(at: teacherAt, isSelf: false, onCaseload: false))
        #expect(!policy(RoleGrant(role: .principal, schoolId: other)).canViewTeacher(at: teacherAt, isSelf: false, onCaseload: false))
        #expect(policy(RoleGrant(role: .districtLeader, schoolId: nil)).canViewTeacher(at: teacherAt, isSelf: false, onCaseload: false))
    }

    @Test func coverageAndTheCapturePageReachWhatEachRoleObserves() {
        let coach = policy(RoleGrant(role: .coach, schoolId: school))
        #expect(coach.coverageReach(atSchool: school) == .caseload && coach.coverageReach(atSchool: other) == nil)
        #expect(coach.offersToVisit(teacherAt: school, onCaseload: true) && !coach.offersToVisit(teacherAt: school, onCaseload: false))
        let principal = policy(RoleGrant(role: .principal, schoolId: school))
        #expect(principal.coverageReach(atSchool: school) == .everyTeacher && principal.coverageReach(atSchool: other) == nil)
        let teacher = policy(RoleGrant(role: .teacher, schoolId: school))
        #expect(teacher.coverageReach(atSchool: school) == nil && !teacher.observesTeachers)
        #expect(teacher.offersToVisit(teacherAt: school, onCaseload: false) && !teacher.offersToVisit(teacherAt: other, onCaseload: false))
        #expect(policy(RoleGrant(role: .districtLeader, schoolId: nil)).coverageReach(atSchool: other) == .everyTeacher)
    }

    @Test func theRoleShownBesideAPersonIsTheirLeadershipRole() {
        #expect(StaffRole.leading(of: [.teacher]) == .teacher)
        #expect(StaffRole.leading(of: [.teacher, .coach]) == .coach)
        #expect(StaffRole.leading(of: [.teacherLeader, .teacher, .assistantPrincipal]) == .assistantPrincipal)
        #expect(StaffRole.schoolAdministrators == [.principal, .assistantPrincipal])
        #expect(StaffRole.districtPlanOwners == [.districtAdmin, .districtLeader, .principal, .assistantPrincipal])
    }
}
