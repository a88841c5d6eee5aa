/// A group of students a result can be narrowed to: a federal race/ethnicity category, a sex, or a
/// program (English learners, special education, 504, economically disadvantaged, gifted).
/// `key` is what forms and stored goal definitions use.
public enum StudentGroup: Sendable, Hashable {
    case raceEthnicity(RaceEthnicity)
    case sex(String)
    case englishLearner, specialEducation, section504, economicallyDisadvantaged, gifted

    public static let all: [StudentGroup] = RaceEthnicity.allCases.map(StudentGroup.raceEthnicity)
        + [.sex("female"), .sex("male"), .englishLearner, .specialEducation, .section504, .economicallyDisadvantaged, .gifted]

    /// Groups that together make up every student with a recorded value: within one, a hidden count could be
    /// worked out from the others and the total, so suppression covers it (see `SmallGroupRule.hidden`).
    public static let partitions: [[StudentGroup]] = [
        RaceEthnicity.allCases.map(StudentGroup.raceEthnicity), [.sex("female"), .sex("male")],
    ]

    /// The partitions by key, as stored rollups and forms name groups.
    public static let partitionKeys = partitions.map { $0.map(\.key) }

    /// A group's name from its key; "all" is every student.
    public static func label(ofKey key: String) -> String { key == "all" ? "All students" : StudentGroup(key: key)?.label ?? key }

    public var key: String {
        switch self {
        case .raceEthnicity(let race): "race:\(race.rawValue)"
        case .sex(let sex): "sex:\(sex)"
        case .englishLearner: "english_learner"
        case .specialEducation: "special_education"
        case .section504: "section_504"
        case .economicallyDisadvantaged: "economically_disadvantaged"
        case .gifted: "gifted"
        }
    }

    public init?(key: String) {
        guard let group = Self.all.first(where: { $0.key == key }) else { return nil }
        self = group
    }

    public var label: String {
        switch self {
        case .raceEthnicity(let race): race == .notReported ? "Race and ethnicity not reported" : race.rawValue
        case .sex(let sex): sex == "female" ? "Female" : sex == "male" ? "Male" : sex.capitalized
        case .englishLearner: "English learners"
        case .specialEducation: "Special education (IEP)"
        case .section504: "Section 504"
        case .economicallyDisadvantaged: "Economically disadvantaged"
        case .gifted: "Gifted"
        }
    }

    /// The `students` column that selects the group, and the text it must equal (nil: a program flag that must be true).
    public var column: (name: String, equals: String?) {
        switch self {
        case .raceEthnicity(let race): ("race_ethnicity", race.rawValue)
        case .sex(let sex): ("sex", sex)
        case .englishLearner: ("english_learner", nil)
        case .specialEducation: ("special_education", nil)
        case .section504: ("section_504", nil)
        case .economicallyDisadvantaged: ("economically_disadvantaged", nil)
        case .gifted: ("gifted", nil)
        }
    }
}
