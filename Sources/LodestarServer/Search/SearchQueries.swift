import LodestarCore

/// The top-bar search: people, classes, students and standards whose name or code contains the words, each
/// kind limited to what the viewer's roles let them open. Each kind is asked of its owner's front door
/// (`StaffDirectory`, `RosterQueries`, `StandardsQueries`) with the pattern made here.
enum SearchQueries {
    /// Results per kind; the page says when there are more.
    static let limit = 10

    /// `%words%` for LIKE, lower-cased, with LIKE's own wildcards taken out of what was typed.
    static func pattern(_ text: String) -> String {
        "%" + text.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
    }
}
