/// The roles Lodestar grants. District roles apply to every school; the others to one school.
public enum StaffRole: String, Sendable, CaseIterable, Codable, Hashable {
    case districtAdmin = "district_admin"
    case districtLeader = "district_leader"
    case principal
    case assistantPrincipal = "assistant_principal"
    case coach
    case teacherLeader = "teacher_leader"
    case teacher

    public var isDistrictWide: Bool { self == .districtAdmin || self == .districtLeader }

    /// Principals and assistant principals: responsible for every student in the school.
    public var isSchoolAdministrator: Bool { self == .principal || self == .assistantPrincipal }

    /// Teachers have a teacher page (visits, coaching, growth goal) and come first in a school's staff list.
    public var isTeacher: Bool { self == .teacher }

    /// The role to show beside someone holding `roles` at one school: a leadership role before teacher.
    public static func leading(of roles: Set<StaffRole>) -> StaffRole { allCases.first { roles.contains($0) && $0 != .teacher } ?? .teacher }

    /// Principals and assistant principals, whose time on instruction the district watches.
    public static let schoolAdministrators = allCases.filter(\.isSchoolAdministrator)

    /// Who may own a district goal or step: district roles and school administrators.
    public static let districtPlanOwners = allCases.filter { $0.isDistrictWide || $0.isSchoolAdministrator }
    /// Who plans a school's professional learning (`AccessPolicy.canPlanLearning`): its administrators and coaches.
    public static let learningPlanners = allCases.filter { $0.isSchoolAdministrator || $0 == .coach }
    /// Who keeps track of their time (`AccessPolicy.tracksOwnTime`), and so receives the district's calendar.
    public static let timeKeepers = allCases.filter { $0.isSchoolAdministrator || $0 == .coach }
    /// The district-wide roles.
    public static let districtWide = allCases.filter(\.isDistrictWide)
    /// Who may sit on a school's leadership team (the principal names them): its principal, assistant principals,
    /// coaches and teacher leaders.
    public static let leadershipTeam: [StaffRole] = [.principal, .assistantPrincipal, .coach, .teacherLeader]

    public var label: String {
        switch self {
        case .districtAdmin: "District admin"
        case .districtLeader: "District leader"
        case .principal: "Principal"
        case .assistantPrincipal: "Assistant principal"
        case .coach: "Instructional coach"
        case .teacherLeader: "Teacher leader"
        case .teacher: "Teacher"
        }
    }
}

/// One role held by a person: at the district (`schoolId == nil`) or at one school.
public struct RoleGrant: Sendable, Hashable, Codable {
    public var role: StaffRole
    public var schoolId: String?

    public init(role: StaffRole, schoolId: String?) {
        self.role = role
        self.schoolId = role.isDistrictWide ? nil : schoolId
    }
}

/// Who may see what, from the roles a person holds. This is the one authorization check:
/// every controller asks it, and the rules are tested here without a server.
///
/// - District admins and leaders see every school.
/// - Principals, assistant principals, coaches and teacher leaders see their school's roster
///   (teachers, classes, students list).
/// - A student's profile is open to district roles, the principal and assistant principals of the
///   student's school, and the student's own teachers — those with a legitimate educational interest.
///   Coaches and teacher leaders work with teachers, so they see student detail only for their own classes.
/// - Teachers see their own classes and the students in them.
public struct AccessPolicy: Sendable {
    /// Only the policy reads roles: everywhere else asks it a named question.
    private let grants: Set<RoleGrant>

    public init(grants: some Sequence<RoleGrant>) {
        self.grants = Set(grants)
    }

    public var isDistrictAdmin: Bool { grants.contains { $0.role == .districtAdmin } }
    public var seesWholeDistrict: Bool { grants.contains { $0.role.isDistrictWide } }

    /// Holds any role at all (an account without one sees only Today).
    public var hasAnyRole: Bool { !grants.isEmpty }
    /// Teaches somewhere: their classes, assessments and the feedback shared with them.
    public var isTeacher: Bool { grants.contains { $0.role == .teacher } }
    /// Coaches somewhere: a caseload.
    public var isCoach: Bool { grants.contains { $0.role == .coach } }

    /// Schools where the person holds a school role, any role.
    public var schoolIds: Set<String> { Set(grants.compactMap(\.schoolId)) }

    /// Schools where the person holds a role other than teacher: those they help lead.
    public var schoolsLed: Set<String> { Set(grants.filter { $0.role != .teacher }.compactMap(\.schoolId)) }

    /// Schools where the person is principal or assistant principal.
    public var administeredSchools: Set<String> { Set(grants.filter { $0.role.isSchoolAdministrator }.compactMap(\.schoolId)) }

    public func administers(school schoolId: String) -> Bool { administeredSchools.contains(schoolId) }

    /// "Principal, Instructional coach": the roles held, in the order of `StaffRole`.
    public var roleSummary: String {
        let roles = Set(grants.map(\.role))
        return StaffRole.allCases.filter(roles.contains).map(\.label).joined(separator: ", ")
    }

    /// The pages of the top bar, in order: each shown to those who may open it.
    public var navigation: [(label: String, href: String)] {
        var links = [("Today", "/")]
        if hasAnyRole { links += [("Vision", "/vision"), ("Goals", "/goals")] }
        if seesWholeDistrict || !schoolsLed.isEmpty { links.append(("Schools", "/schools")) }
        if isTeacher { links += [("My classes", "/classes"), ("Assessments", "/assessments"), ("Feedback", "/feedback")] }
        if hasAnyRole { links += [("Visits", "/walkthroughs"), ("Standards", "/standards")] }
        if canViewAnyTrends { links.append(("Insights", "/insights")) }
        if hasAnyRole { links.append(("Learning", "/learning")) }
        if reviewsSelfAssessments || grants.contains(where: { StaffRole.leadershipTeam.contains($0.role) }) { links.append(("Leadership", "/leadership")) }
        if canViewAnyResources { links.append(("Resources", "/resources")) }
        if usesCoaching { links.append(("Coaching", "/coaching")) }
        if tracksOwnTime {
            links.append(("My time", "/time"))
        } else if seesLeadersTime {
            links.append(("Leaders' time", "/time"))
        }
        if canAdministerDistrict { links.append(("Admin", "/admin")) }
        return links
    }

    public func holds(_ role: StaffRole, at schoolId: String) -> Bool {
        grants.contains(RoleGrant(role: role, schoolId: schoolId))
    }

    /// The school roster: its teachers, classes and list of students.
    public func canViewRoster(ofSchool schoolId: String) -> Bool {
        seesWholeDistrict || grants.contains { $0.schoolId == schoolId && $0.role != .teacher }
    }

    /// A class and its students.
    /// - Parameter teachesClass: the person is rostered as a teacher of this class.
    public func canViewClass(inSchool schoolId: String, teachesClass: Bool) -> Bool {
        teachesClass || canViewRoster(ofSchool: schoolId)
    }

    /// A student's profile.
    /// - Parameters:
    ///   - schoolIds: the schools the student attends.
    ///   - teachesStudent: the person teaches a class the student is enrolled in.
    public func canViewStudent(attending schoolIds: Set<String>, teachesStudent: Bool) -> Bool {
        seesWholeDistrict || teachesStudent
            || grants.contains { grant in grant.role.isSchoolAdministrator && grant.schoolId.map(schoolIds.contains) == true }
    }

    /// A class's student-level results (scores, mastery): its teachers, the school's principal and
    /// assistant principals, district roles — the same people who may open those students' profiles.
    public func canViewStudentResults(inSchool schoolId: String, teachesClass: Bool) -> Bool {
        teachesClass || canViewStudent(attending: [schoolId], teachesStudent: false)
    }

    /// Accounts, roles and imports.
    /// Whether this person may sign in with a password. When the district signs in through its own provider,
    /// only a break-glass administrator may: a district admin whose account was made in Lodestar, not by
    /// the roster, so the district is never locked out when the provider is down.
    public func maySignInWithPassword(passwordsForBreakGlassOnly: Bool, accountMadeInLodestar: Bool) -> Bool {
        !passwordsForBreakGlassOnly || (isDistrictAdmin && accountMadeInLodestar)
    }

    public var canAdministerDistrict: Bool { isDistrictAdmin }

    // MARK: Trust

    /// Searching and exporting the audit trail: district admins.
    public var canReadAuditTrail: Bool { isDistrictAdmin }

    /// Bulk exports of student-level data (a whole school's students): district roles only.
    public var canExportSchoolStudents: Bool { seesWholeDistrict }

    /// A student's records on a district's request: the full export for them and deletion. District admins.
    public var canManageStudentRecords: Bool { isDistrictAdmin }

    // MARK: Walkthroughs
    //
    // Principals and assistant principals visit every teacher in their school; coaches visit the
    // teachers on their caseload; teachers and teacher leaders make peer visits and instructional
    // rounds in their own school; district roles visit anywhere.

    /// Visiting a teacher who teaches at `teacherSchools`.
    public func canObserve(teacherAt teacherSchools: Set<String>, visitType: VisitType, onCaseload: Bool) -> Bool {
        if seesWholeDistrict { return true }
        return grants.contains { grant in
            guard let school = grant.schoolId, teacherSchools.contains(school) else { return false }
            switch grant.role {
            case .principal, .assistantPrincipal: return true
            case .coach: return onCaseload || visitType == .peer || visitType == .rounds
            case .teacherLeader, .teacher: return visitType == .peer || visitType == .rounds
            case .districtAdmin, .districtLeader: return true
            }
        }
    }

    /// Teachers the capture page offers at a school: everyone there for a school role other than coach
    /// (peer visits and rounds included), a coach's caseload, every teacher for district roles.
    public func offersToVisit(teacherAt schoolId: String, onCaseload: Bool) -> Bool {
        seesWholeDistrict || grants.contains { $0.schoolId == schoolId && ($0.role != .coach || onCaseload) }
    }

    /// How far a person sees visit coverage at a school: every teacher (its administrators, district
    /// roles), their caseload (its coaches), or not at all.
    public enum CoverageReach: Sendable { case everyTeacher, caseload }

    public func coverageReach(atSchool schoolId: String) -> CoverageReach? {
        if seesWholeDistrict || administers(school: schoolId) { return .everyTeacher }
        return holds(.coach, at: schoolId) ? .caseload : nil
    }

    /// Observes teachers as part of the job somewhere (coverage, the observer's Today): administrators,
    /// coaches, district roles.
    public var observesTeachers: Bool { seesWholeDistrict || !administeredSchools.isEmpty || isCoach }

    /// Every walkthrough of a teacher (not only those the person made): the teacher's own shared
    /// feedback, their coach, their school's administrators, district roles.
    public func canSeeWalkthroughs(ofTeacherAt teacherSchools: Set<String>, isSelf: Bool, onCaseload: Bool) -> Bool {
        if isSelf || seesWholeDistrict { return true }
        return grants.contains { grant in
            guard let school = grant.schoolId, teacherSchools.contains(school) else { return false }
            return grant.role.isSchoolAdministrator || (grant.role == .coach && onCaseload)
        }
    }

    // MARK: A teacher's page

    /// A teacher's page (their schools and classes): the teacher, their coach, and those who may see
    /// the roster of a school they teach at. Each part of the page then asks its own rule: visits
    /// (`canSeeWalkthroughs`), coaching (`canSeeCoaching`), growth goal (`canSeeGrowthGoal`).
    public func canViewTeacher(at teacherSchools: Set<String>, isSelf: Bool, onCaseload: Bool) -> Bool {
        isSelf || onCaseload || teacherSchools.contains(where: canViewRoster(ofSchool:))
    }

    // MARK: Search

    /// Students the top-bar search may find: all for district roles; a school administrator's school;
    /// otherwise only the students in one's own classes (the same people `canViewStudent` admits).
    public var studentSearchSchools: Set<String>? {
        seesWholeDistrict ? nil : administeredSchools
    }

    /// Schools whose staff and classes the top-bar search may find: those whose roster one may see.
    public var rosterSchools: Set<String>? {
        seesWholeDistrict ? nil : schoolsLed
    }

    // MARK: Coaching

    /// The Coaching page: coaches (their caseload), administrators (caseloads), teachers (their own record),
    /// district admins.
    public var usesCoaching: Bool { isCoach || isTeacher || !administeredSchools.isEmpty || isDistrictAdmin }

    /// Recording coaching conversations with a teacher: the coach whose caseload they are on.
    public func canCoach(teacherAt teacherSchools: Set<String>, onCaseload: Bool) -> Bool {
        onCaseload && grants.contains { $0.role == .coach && $0.schoolId.map(teacherSchools.contains) == true }
    }

    /// A teacher's coaching record: the teacher, their coach, their school's administrators, district roles.
    public func canSeeCoaching(ofTeacherAt teacherSchools: Set<String>, isSelf: Bool, onCaseload: Bool) -> Bool {
        canSeeWalkthroughs(ofTeacherAt: teacherSchools, isSelf: isSelf, onCaseload: onCaseload)
    }

    /// Assigning teachers to coaches at a school: its principal or assistant principals, district admins.
    public func canManageCaseloads(atSchool schoolId: String) -> Bool {
        isDistrictAdmin || grants.contains { $0.schoolId == schoolId && $0.role.isSchoolAdministrator }
    }

    // MARK: Vision, goals and plans

    /// A school's vision, goals and action plan are for all its staff; the district's for everyone.
    public func canViewPlan(ofSchool schoolId: String?) -> Bool {
        guard let schoolId else { return !grants.isEmpty }
        return seesWholeDistrict || schoolIds.contains(schoolId)
    }

    /// The school's principal and assistant principals edit its vision, goals and plan; district admins and leaders the district's.
    public func canEditPlan(ofSchool schoolId: String?) -> Bool {
        guard let schoolId else { return seesWholeDistrict }
        return isDistrictAdmin || grants.contains { $0.schoolId == schoolId && $0.role.isSchoolAdministrator }
    }

    // MARK: Insights

    /// Trends of practice and of feedback across a school's walkthroughs (aggregates): the school's
    /// leaders, coaches and teacher leaders; district roles for every school.
    public func canViewTrends(ofSchool schoolId: String) -> Bool {
        canViewRoster(ofSchool: schoolId)
    }

    /// Insights at all: district roles, and anyone who may see a school's trends.
    public var canViewAnyTrends: Bool { seesWholeDistrict || !schoolsLed.isEmpty }

    /// The individual walkthroughs behind a trend: those who may read every walkthrough in the school.
    public func canOpenTrendVisits(ofSchool schoolId: String) -> Bool {
        seesWholeDistrict || grants.contains { $0.schoolId == schoolId && $0.role.isSchoolAdministrator }
    }

    // MARK: Professional learning

    /// Proposing needs from a school's evidence, accepting them, planning sessions, recording attendance
    /// and reading their impact: the school's principal, assistant principals and coaches; district roles
    /// for district sessions (`schoolId == nil`) and every school.
    public func canPlanLearning(forSchool schoolId: String?) -> Bool {
        guard let schoolId else { return seesWholeDistrict }
        return seesWholeDistrict || grants.contains { $0.schoolId == schoolId && StaffRole.learningPlanners.contains($0.role) }
    }

    /// Confirming or ending a mentor pairing: those who assign coaching caseloads.
    public func canPairMentors(atSchool schoolId: String) -> Bool {
        canManageCaseloads(atSchool: schoolId)
    }

    /// Starting a PLC at a school: its principal, assistant principals and teacher leaders; district admins.
    public func canStartPLC(atSchool schoolId: String) -> Bool {
        isDistrictAdmin || grants.contains { $0.schoolId == schoolId && ($0.role.isSchoolAdministrator || $0.role == .teacherLeader) }
    }

    /// A PLC's notes and cycles of inquiry: its members, and the school's leaders, coaches and teacher
    /// leaders (who may see the school's roster); district roles.
    public func canSeePLC(atSchool schoolId: String, isMember: Bool) -> Bool {
        isMember || canViewRoster(ofSchool: schoolId)
    }

    /// Writing in a PLC (notes, cycles, members): its members, and those who may start one at the school.
    public func canWorkInPLC(atSchool schoolId: String, isMember: Bool) -> Bool {
        isMember || canStartPLC(atSchool: schoolId)
    }

    /// A teacher's growth goal and reflections: the teacher, their coach, and their school's principal
    /// and assistant principals — no one else, not even district roles.
    public func canSeeGrowthGoal(ofTeacherAt teacherSchools: Set<String>, isSelf: Bool, onCaseload: Bool) -> Bool {
        isSelf || grants.contains { grant in
            guard let school = grant.schoolId, teacherSchools.contains(school) else { return false }
            return grant.role.isSchoolAdministrator || (grant.role == .coach && onCaseload)
        }
    }

    // MARK: Leaders' time

    /// A leader's time is visible to that leader and to district leaders only.
    public func canViewTime(ofLeader leaderId: String, viewerId: String) -> Bool {
        leaderId == viewerId || seesLeadersTime
    }

    /// District leaders read every leader's time (the district's overview of it).
    public var seesLeadersTime: Bool { grants.contains { $0.role == .districtLeader } }

    /// The time pages at all: one's own, or the leaders' for district leaders.
    public var opensTimePages: Bool { tracksOwnTime || seesLeadersTime }

    /// Principals, assistant principals and coaches keep track of their time.
    public var tracksOwnTime: Bool {
        grants.contains { StaffRole.timeKeepers.contains($0.role) }
    }

    /// A calendar connected for every leader who keeps their time (district meetings, the school year's
    /// days): district admins and leaders, who keep the district's categories too.
    public var canConnectDistrictCalendars: Bool { seesWholeDistrict }

    /// The district's list of time categories: district admins and leaders.
    public var canEditTimeCategories: Bool { seesWholeDistrict }

    /// Frameworks: only district admins create, import and edit them.
    public var canManageFrameworks: Bool { isDistrictAdmin }

    /// Marking an assessment common for a grade (every class of the grade gives it): its teachers, the school's
    /// principal and assistant principals, district roles.
    public func canMarkCommonAssessment(atSchool schoolId: String, teachesIt: Bool) -> Bool {
        teachesIt || seesWholeDistrict || administers(school: schoolId)
    }

    /// Priority standards (which standards, and why): district admins and leaders; everyone signed in reads them.
    public var canMarkPriorityStandards: Bool { seesWholeDistrict }

    // MARK: Resources

    /// A school's resource ledger and the equity of its distribution: those who may see its roster (its leaders,
    /// coaches and teacher leaders); district roles for every school.
    public func canViewResources(ofSchool schoolId: String) -> Bool { canViewRoster(ofSchool: schoolId) }

    /// The resource pages at all.
    public var canViewAnyResources: Bool { seesWholeDistrict || !schoolsLed.isEmpty }

    /// Recording and changing a school's allocations: its principal and assistant principals; district roles.
    public func canAllocateResources(atSchool schoolId: String) -> Bool { seesWholeDistrict || administers(school: schoolId) }

    /// The district's kinds of resources and whether budget figures are hidden: district admins and leaders.
    public var canDefineResourceKinds: Bool { seesWholeDistrict }

    /// Budget figures (amounts of a money kind): everyone who may view the ledger, unless the district hides them
    /// from coaches and teacher leaders — then only those who allocate.
    public func seesBudgetFigures(atSchool schoolId: String, hiddenFromCoaches: Bool) -> Bool {
        !hiddenFromCoaches || canAllocateResources(atSchool: schoolId)
    }

    // MARK: The practice library

    /// What someone adds to the library is open to others at once when they lead a school or the district; a
    /// teacher's addition waits for a leader of their school (`moderatesLibrary`).
    public var addsToLibraryWithoutReview: Bool { seesWholeDistrict || !schoolsLed.isEmpty }

    /// Approving or removing a school's resources (`schoolId` nil: the district's own): its principal and assistant
    /// principals; district roles everywhere.
    public func moderatesLibrary(ofSchool schoolId: String?) -> Bool {
        guard let schoolId else { return seesWholeDistrict }
        return seesWholeDistrict || administers(school: schoolId)
    }

    /// One resource: the district's and an approved school's are open to everyone with a role there; one waiting for
    /// approval to its author and those who moderate it.
    public func canSeeLibraryItem(ofSchool schoolId: String?, approved: Bool, isAuthor: Bool) -> Bool {
        if isAuthor || moderatesLibrary(ofSchool: schoolId) { return true }
        guard approved, hasAnyRole else { return false }
        return schoolId.map { seesWholeDistrict || schoolIds.contains($0) } ?? true
    }

    /// Removing a resource: those who moderate it, and its author while it still waits for approval.
    public func canRemoveLibraryItem(ofSchool schoolId: String?, approved: Bool, isAuthor: Bool) -> Bool {
        moderatesLibrary(ofSchool: schoolId) || (isAuthor && !approved)
    }

    /// Sharing a resource with a teacher: those who may visit them informally (their school's administrators, their
    /// coach, district roles) and their school's teacher leaders.
    public func canShareResource(withTeacherAt teacherSchools: Set<String>, onCaseload: Bool) -> Bool {
        canObserve(teacherAt: teacherSchools, visitType: .informal, onCaseload: onCaseload) || teacherSchools.contains { holds(.teacherLeader, at: $0) }
    }

    // MARK: The leadership team's self-assessment

    /// The leadership framework (edit, import, versions): district admins, as for the instructional framework.
    public var canManageLeadershipFrameworks: Bool { isDistrictAdmin }

    /// Whether this person could be named to a school's leadership team.
    public func mayJoinLeadershipTeam(atSchool schoolId: String) -> Bool {
        grants.contains { $0.schoolId == schoolId && StaffRole.leadershipTeam.contains($0.role) }
    }

    /// Starting the year's self-assessment, naming the team, recording the team's rating and publishing the
    /// summary to staff: the school's principal, the leader of its leaders.
    public func leadsSelfAssessment(atSchool schoolId: String) -> Bool { holds(.principal, at: schoolId) }

    /// A school's self-assessment with every rating: its team members (and its principal), district leaders.
    /// Teachers do not, unless the principal publishes the summary (`canReadPublishedLeadershipSummary`).
    public func canSeeSelfAssessment(ofSchool schoolId: String, isTeamMember: Bool) -> Bool {
        leadsSelfAssessment(atSchool: schoolId) || (isTeamMember && mayJoinLeadershipTeam(atSchool: schoolId)) || reviewsSelfAssessments
    }

    /// Rating an indicator on one's own: team members who still hold a leadership role at the school.
    public func canRateSelfAssessment(ofSchool schoolId: String, isTeamMember: Bool) -> Bool {
        isTeamMember && mayJoinLeadershipTeam(atSchool: schoolId)
    }

    /// The district's review of each school's team ratings (agree or differ, with a comment) and the heatmap of
    /// every school: district leaders.
    public var reviewsSelfAssessments: Bool { grants.contains { $0.role == .districtLeader } }

    /// A published summary (team ratings only, no one's own rating): everyone with a role at the school.
    public func canReadPublishedLeadershipSummary(ofSchool schoolId: String) -> Bool {
        schoolIds.contains(schoolId) || reviewsSelfAssessments
    }

    // MARK: Talent

    /// Opening a position, naming its committee, adding candidates, recording the decision, exporting or deleting a
    /// candidate's record: the school's principal; district admins and leaders for every school.
    public func runsHiring(atSchool schoolId: String) -> Bool { seesWholeDistrict || holds(.principal, at: schoolId) }

    /// An opening and its candidates: its committee, and those who run hiring at the school. No one else.
    public func canSeeOpening(atSchool schoolId: String, isCommittee: Bool) -> Bool { isCommittee || runsHiring(atSchool: schoolId) }

    /// Hiring at all (the list of openings): anyone who runs it somewhere; committee members reach theirs too.
    public var runsAnyHiring: Bool { seesWholeDistrict || grants.contains { $0.role == .principal } }

    /// The district's hiring profiles: district admins and leaders.
    public var canEditHiringProfiles: Bool { seesWholeDistrict }

    /// A school's succession bench (who could step into each leadership role, how ready, their development):
    /// its principal and district leaders only.
    public func canManageSuccession(atSchool schoolId: String) -> Bool { holds(.principal, at: schoolId) || reviewsSelfAssessments }

    /// Bench strength across every school: district leaders.
    public var seesDistrictBench: Bool { reviewsSelfAssessments }

    /// Induction plans at a school (starting one, its check-ins, the retention report): its principal and assistant
    /// principals; district admins and leaders.
    public func managesInduction(atSchool schoolId: String) -> Bool { seesWholeDistrict || administers(school: schoolId) }

    /// One induction plan: the new teacher, their mentor, and those who manage induction at the school.
    public func canSeeInductionPlan(atSchool schoolId: String, isTeacher: Bool, isMentor: Bool) -> Bool {
        isTeacher || isMentor || managesInduction(atSchool: schoolId)
    }
}
