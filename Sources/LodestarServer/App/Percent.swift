/// Shares (0…1) as people read them: whole percentages, "—" when there is none.
enum Percent {
    static func whole(_ share: Double) -> Int { Int((share * 100).rounded()) }
    static func text(_ share: Double?) -> String { share.map { "\(whole($0))%" } ?? "—" }
}
