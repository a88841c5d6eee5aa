/// The district's induction for a teacher new to the district or the school: non-evaluative visits at a cadence in
/// the first days, check-ins at set days, and the sessions to attend. Lodestar's default is below.
public struct InductionTemplate: Sendable, Equatable {
    /// A visit every `visitEveryDays` days, up to day `visitsForDays`.
    public var visitEveryDays: Int
    public var visitsForDays: Int
    /// Check-ins with the principal, on these days after the start.
    public var checkInDays: [Int]
    /// Sessions to attend, each due by a day after the start.
    public var sessions: [(title: String, byDay: Int)]

    public static let lodestarDefault = InductionTemplate(
        visitEveryDays: 14, visitsForDays: 90, checkInDays: [30, 60, 90],
        sessions: [("New-teacher orientation", 7), ("Our instructional framework, practice by practice", 30), ("Formative assessment in Lodestar", 45)])

    public static func == (a: InductionTemplate, b: InductionTemplate) -> Bool {
        a.visitEveryDays == b.visitEveryDays && a.visitsForDays == b.visitsForDays && a.checkInDays == b.checkInDays
            && a.sessions.map(\.title) == b.sessions.map(\.title) && a.sessions.map(\.byDay) == b.sessions.map(\.byDay)
    }

    /// The days after the start on which visits fall: 14, 28, … up to 90.
    public var visitDays: [Int] { Array(stride(from: visitEveryDays, through: visitsForDays, by: max(1, visitEveryDays))) }
}
