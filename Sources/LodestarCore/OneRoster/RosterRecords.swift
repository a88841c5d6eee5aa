/// Roster records as Lodestar keeps them, independent of the OneRoster version they came from.
/// The OneRoster parser and the demo district generator both produce a `RosterBundle`,
/// and one writer stores it, so the demo exercises exactly the import path.

/// What an export says to do with a record.
public enum RecordStatus: String, Sendable {
    case active, inactive, toBeDeleted = "tobedeleted"
}

/// How a file in a bundle is meant: the whole set (bulk) or changes only (delta).
public enum FileMode: String, Sendable {
    case bulk, delta, absent
}

public struct RosterOrg: Sendable, Equatable {
    public var sourcedId: String
    public var status: RecordStatus
    public var name: String
    /// OneRoster org type: district, school, department, local, state, national.
    public var type: String
    public var identifier: String
    public var parentSourcedId: String?

    public init(sourcedId: String, status: RecordStatus = .active, name: String, type: String,
                identifier: String = "", parentSourcedId: String? = nil) {
        self.sourcedId = sourcedId; self.status = status; self.name = name; self.type = type
        self.identifier = identifier; self.parentSourcedId = parentSourcedId
    }
}

public struct RosterAcademicSession: Sendable, Equatable {
    public var sourcedId: String
    public var status: RecordStatus
    public var title: String
    /// gradingPeriod, semester, schoolYear, term.
    public var type: String
    /// ISO dates, `YYYY-MM-DD`.
    public var startDate: String
    public var endDate: String
    public var parentSourcedId: String?
    public var schoolYear: String

    public init(sourcedId: String, status: RecordStatus = .active, title: String, type: String,
                startDate: String, endDate: String, parentSourcedId: String? = nil, schoolYear: String) {
        self.sourcedId = sourcedId; self.status = status; self.title = title; self.type = type
        self.startDate = startDate; self.endDate = endDate; self.parentSourcedId = parentSourcedId
        self.schoolYear = schoolYear
    }
}

public struct RosterCourse: Sendable, Equatable {
    public var sourcedId: String
    public var status: RecordStatus
    public var title: String
    public var courseCode: String
    public var grades: [String]
    public var orgSourcedId: String?
    public var subjects: [String]

    public init(sourcedId: String, status: RecordStatus = .active, title: String, courseCode: String = "",
                grades: [String] = [], orgSourcedId: String?, subjects: [String] = []) {
        self.sourcedId = sourcedId; self.status = status; self.title = title; self.courseCode = courseCode
        self.grades = grades; self.orgSourcedId = orgSourcedId; self.subjects = subjects
    }
}

public struct RosterClass: Sendable, Equatable {
    public var sourcedId: String
    public var status: RecordStatus
    public var title: String
    public var grades: [String]
    public var courseSourcedId: String?
    public var classCode: String
    /// homeroom or scheduled.
    public var classType: String
    public var location: String
    public var schoolSourcedId: String
    public var termSourcedIds: [String]
    public var subjects: [String]
    /// Periods of the school day the class meets, e.g. ["1"] or ["2", "3"].
    public var periods: [String]

    public init(sourcedId: String, status: RecordStatus = .active, title: String, grades: [String] = [],
                courseSourcedId: String?, classCode: String = "", classType: String = "scheduled",
                location: String = "", schoolSourcedId: String, termSourcedIds: [String] = [],
                subjects: [String] = [], periods: [String] = []) {
        self.sourcedId = sourcedId; self.status = status; self.title = title; self.grades = grades
        self.courseSourcedId = courseSourcedId; self.classCode = classCode; self.classType = classType
        self.location = location; self.schoolSourcedId = schoolSourcedId; self.termSourcedIds = termSourcedIds
        self.subjects = subjects; self.periods = periods
    }
}

/// Program participation that drives disaggregation. OneRoster core has no columns for it,
/// so exports carry it as `metadata.*` columns (see `ProgramFlags.metadataColumns`).
public struct ProgramFlags: Sendable, Equatable, Hashable {
    public var englishLearner = false
    public var specialEducation = false
    public var section504 = false
    public var economicallyDisadvantaged = false
    public var gifted = false

    public init(englishLearner: Bool = false, specialEducation: Bool = false, section504: Bool = false,
                economicallyDisadvantaged: Bool = false, gifted: Bool = false) {
        self.englishLearner = englishLearner; self.specialEducation = specialEducation
        self.section504 = section504; self.economicallyDisadvantaged = economicallyDisadvantaged
        self.gifted = gifted
    }

    /// The `metadata.*` column names Lodestar reads, in users.csv or demographics.csv, each with its flag.
    /// Values: true/false, yes/no, y/n, 1/0 (any case); blank means not set.
    public static var metadataColumns: [(column: String, flag: WritableKeyPath<ProgramFlags, Bool>)] {
        [
        ("metadata.englishLearner", \.englishLearner),
        ("metadata.specialEducation", \.specialEducation),
        ("metadata.section504", \.section504),
        ("metadata.economicallyDisadvantaged", \.economicallyDisadvantaged),
        ("metadata.gifted", \.gifted),
        ]
    }
}

/// A person in the export: a student or a member of staff. Family members are not kept.
public struct RosterUser: Sendable, Equatable {
    public var sourcedId: String
    public var status: RecordStatus
    public var enabledUser: Bool
    public var orgSourcedIds: [String]
    /// OneRoster role, lower-cased: student, teacher, administrator, aide, …
    public var role: String
    public var username: String
    public var givenName: String
    public var familyName: String
    public var preferredGivenName: String
    public var identifier: String
    public var email: String
    /// Grade levels, OneRoster codes (KG, 01 … 12).
    public var grades: [String]
    /// Program flags from `metadata.*` columns of users.csv, when present.
    public var programs: ProgramFlags?
    /// The line of users.csv it was read from, for messages about it.
    public var line: Int?

    public init(sourcedId: String, status: RecordStatus = .active, enabledUser: Bool = true,
                orgSourcedIds: [String], role: String, username: String = "", givenName: String,
                familyName: String, preferredGivenName: String = "", identifier: String = "",
                email: String = "", grades: [String] = [], programs: ProgramFlags? = nil, line: Int? = nil) {
        self.line = line
        self.sourcedId = sourcedId; self.status = status; self.enabledUser = enabledUser
        self.orgSourcedIds = orgSourcedIds; self.role = role; self.username = username
        self.givenName = givenName; self.familyName = familyName; self.preferredGivenName = preferredGivenName
        self.identifier = identifier; self.email = email; self.grades = grades; self.programs = programs
    }

    public var isStudent: Bool { role == "student" }
    /// Guardians, parents and relatives do not use Lodestar and are not stored.
    public var isFamily: Bool { ["guardian", "parent", "relative"].contains(role) }
}

public struct RosterEnrollment: Sendable, Equatable {
    public var sourcedId: String
    public var status: RecordStatus
    public var classSourcedId: String
    public var schoolSourcedId: String
    public var userSourcedId: String
    /// student, teacher, administrator, aide, proctor.
    public var role: String
    public var primary: Bool
    public var beginDate: String?
    public var endDate: String?

    public init(sourcedId: String, status: RecordStatus = .active, classSourcedId: String,
                schoolSourcedId: String, userSourcedId: String, role: String, primary: Bool = false,
                beginDate: String? = nil, endDate: String? = nil) {
        self.sourcedId = sourcedId; self.status = status; self.classSourcedId = classSourcedId
        self.schoolSourcedId = schoolSourcedId; self.userSourcedId = userSourcedId; self.role = role
        self.primary = primary; self.beginDate = beginDate; self.endDate = endDate
    }
}

/// Federal race and ethnicity reporting categories (the seven-category standard).
public enum RaceEthnicity: String, Sendable, CaseIterable {
    case hispanicOrLatino = "Hispanic or Latino"
    case americanIndianOrAlaskaNative = "American Indian or Alaska Native"
    case asian = "Asian"
    case blackOrAfricanAmerican = "Black or African American"
    case nativeHawaiianOrOtherPacificIslander = "Native Hawaiian or Other Pacific Islander"
    case white = "White"
    case twoOrMoreRaces = "Two or more races"
    case notReported = "Not reported"

    /// The reporting category from OneRoster's demographic flags: Hispanic or Latino first,
    /// then two or more races, then the single race marked.
    public static func from(hispanicOrLatino: Bool, races: [RaceEthnicity], twoOrMore: Bool) -> RaceEthnicity {
        if hispanicOrLatino { return .hispanicOrLatino }
        if twoOrMore || races.count > 1 { return .twoOrMoreRaces }
        return races.first ?? .notReported
    }
}

public struct RosterDemographics: Sendable, Equatable {
    public var userSourcedId: String
    public var status: RecordStatus
    public var birthDate: String?
    /// male, female, other, unspecified, or empty.
    public var sex: String
    public var raceEthnicity: RaceEthnicity
    public var programs: ProgramFlags?

    public init(userSourcedId: String, status: RecordStatus = .active, birthDate: String? = nil,
                sex: String = "", raceEthnicity: RaceEthnicity = .notReported, programs: ProgramFlags? = nil) {
        self.userSourcedId = userSourcedId; self.status = status; self.birthDate = birthDate; self.sex = sex
        self.raceEthnicity = raceEthnicity; self.programs = programs
    }
}

/// Everything one import brings: records per entity, with the manifest's mode for each file.
public struct RosterBundle: Sendable {
    public var oneRosterVersion: String
    public var modes: [RosterEntity: FileMode]
    public var orgs: [RosterOrg] = []
    public var academicSessions: [RosterAcademicSession] = []
    public var courses: [RosterCourse] = []
    public var classes: [RosterClass] = []
    public var users: [RosterUser] = []
    public var enrollments: [RosterEnrollment] = []
    public var demographics: [RosterDemographics] = []
    /// Things worth telling the person importing that did not stop the import.
    public var warnings: [String] = []

    public init(oneRosterVersion: String, modes: [RosterEntity: FileMode]) {
        self.oneRosterVersion = oneRosterVersion
        self.modes = modes
    }

    public func mode(of entity: RosterEntity) -> FileMode { modes[entity] ?? .absent }
}

/// The roster files Lodestar reads, in the order they are applied.
public enum RosterEntity: String, Sendable, CaseIterable, Hashable {
    case orgs, academicSessions, courses, classes, users, enrollments, demographics

    public var fileName: String { rawValue + ".csv" }
}
