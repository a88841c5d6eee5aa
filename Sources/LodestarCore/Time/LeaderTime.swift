import Foundation

/// A kind of work a school leader's time goes to. The district edits the list; each category is
/// instructional or management, and carries the words that sort calendar events into it.
public struct TimeCategory: Sendable, Equatable, Codable {
    public var key: String
    public var name: String
    public var instructional: Bool
    /// Lower-case words or phrases; an event whose title contains one falls in this category.
    public var keywords: [String]

    public init(key: String, name: String, instructional: Bool, keywords: [String]) {
        self.key = key; self.name = name; self.instructional = instructional; self.keywords = keywords
    }

    /// The list a district starts with: the instructional work the research counts, and the management that crowds it out.
    public static let defaults: [TimeCategory] = [
        TimeCategory(key: "walkthroughs", name: "Walkthroughs and observation", instructional: true,
                     keywords: ["walkthrough", "walk-through", "observation", "observe", "classroom visit", "learning walk", "rounds"]),
        TimeCategory(key: "coaching", name: "Feedback and coaching", instructional: true,
                     keywords: ["feedback", "coaching", "debrief", "post-conference", "pre-conference", "1:1 with teacher"]),
        TimeCategory(key: "plc", name: "PLC and data meetings", instructional: true,
                     keywords: ["plc", "data meeting", "data team", "data dive", "grade level team", "department meeting", "mtss", "intervention"]),
        TimeCategory(key: "planning", name: "Planning with teachers", instructional: true,
                     keywords: ["lesson planning", "co-plan", "planning with", "unit planning", "curriculum"]),
        TimeCategory(key: "learning", name: "Professional learning", instructional: true,
                     keywords: ["professional development", "professional learning", "pd ", "workshop", "training", "book study"]),
        TimeCategory(key: "operations", name: "Operations", instructional: false,
                     keywords: ["budget", "facilities", "schedule", "bus", "lunch duty", "arrival", "dismissal", "duty", "maintenance", "hiring", "interview"]),
        TimeCategory(key: "behavior", name: "Student behavior", instructional: false,
                     keywords: ["discipline", "behavior", "suspension", "referral", "incident", "restorative"]),
        TimeCategory(key: "compliance", name: "Compliance", instructional: false,
                     keywords: ["compliance", "iep", "504", "audit", "report", "testing coordination", "safety drill", "fire drill"]),
        TimeCategory(key: "family", name: "Family and community", instructional: false,
                     keywords: ["parent", "family", "pta", "pto", "community", "open house", "conference night"]),
        TimeCategory(key: "meetings", name: "Meetings", instructional: false,
                     keywords: ["meeting", "cabinet", "leadership team", "district", "principals meeting", "call"]),
        TimeCategory(key: "email", name: "Email and paperwork", instructional: false,
                     keywords: ["email", "inbox", "paperwork", "admin time"]),
    ]

    /// The category an event title falls in: the leader's own correction for that exact title first,
    /// then the first category (in list order) with a keyword in the title; nil when nothing matches.
    public static func categorize(_ title: String, categories: [TimeCategory], corrections: [String: String]) -> String? {
        let normalized = normalize(title)
        if let corrected = corrections[normalized], categories.contains(where: { $0.key == corrected }) { return corrected }
        let padded = " \(normalized) "
        return categories.first { category in
            category.keywords.contains { keyword in
                let word = keyword.lowercased()
                // Short words match whole words only ("pd" must not match "updates").
                return word.count <= 4 ? padded.contains(" \(word.trimmingCharacters(in: .whitespaces)) ") : normalized.contains(word)
            }
        }?.key
    }

    /// How titles are compared: lower case, punctuation as spaces, single spaces.
    public static func normalize(_ title: String) -> String {
        let cleaned = title.lowercased().map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == ":" ? $0 : " " }
        return String(cleaned).split(separator: " ").joined(separator: " ")
    }
}

/// A leader's time over a period: minutes per category and the share on instruction.
///
/// Nothing is counted twice. Where recorded entries overlap, the shared time counts once, for the entry
/// that began first (of two that began together, the longer; then by category and id). Entries created
/// automatically from walkthroughs and coaching are counted only where they do not fall inside time the
/// leader already recorded (a calendar block "Walkthroughs 9–10" already holds the visits made in it).
public struct TimeLedger: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var category: String
        public var automatic: Bool
        public var id: String
        public init(start: Double, end: Double, category: String, automatic: Bool, id: String = "") {
            self.start = start; self.end = end; self.category = category; self.automatic = automatic; self.id = id
        }
    }

    /// The minutes each of `entries` counts for, in the order given (see the rule above).
    public static func countedMinutes(_ entries: [Entry]) -> [Double] {
        // Byte order for the text, as the database sorts it (`TimeQueries.ledgers`).
        func precedes(_ x: Entry, _ y: Entry) -> Bool {
            if x.start != y.start { return x.start < y.start }
            if x.end != y.end { return x.end > y.end }
            if x.category != y.category { return x.category.utf8.lexicographicallyPrecedes(y.category.utf8) }
            return x.id.utf8.lexicographicallyPrecedes(y.id.utf8)
        }
        let recorded = entries.indices.filter { !entries[$0].automatic && entries[$0].end > entries[$0].start }
            .sorted { precedes(entries[$0], entries[$1]) }
        var counted = [Double](repeating: 0, count: entries.count)
        var covered = -Double.infinity
        for index in recorded {
            let entry = entries[index]
            counted[index] = max(0, entry.end - max(entry.start, covered)) / 60
            covered = max(covered, entry.end)
        }
        // Automatic time is measured against every recorded entry, a moment without an end too (as the database does).
        for (index, entry) in entries.enumerated() where entry.automatic && entry.end > entry.start {
            let inside = entries.contains { !$0.automatic && $0.start < entry.end && entry.start < $0.end }
            counted[index] = inside ? 0 : (entry.end - entry.start) / 60
        }
        return counted
    }

    public var minutesByCategory: [String: Double]
    public var instructionalMinutes: Double
    public var totalMinutes: Double
    /// Instructional minutes over all minutes (0…1), nil with no time recorded.
    public var instructionalShare: Double? { totalMinutes > 0 ? instructionalMinutes / totalMinutes : nil }

    public init(_ entries: [Entry], instructional: Set<String>) {
        var minutes: [String: Double] = [:]
        for (entry, counted) in zip(entries, Self.countedMinutes(entries)) where counted > 0 {
            minutes[entry.category, default: 0] += counted
        }
        minutesByCategory = minutes
        totalMinutes = minutes.values.reduce(0, +)
        instructionalMinutes = minutes.filter { instructional.contains($0.key) }.values.reduce(0, +)
    }

    /// A ledger from minutes already summed by category (as the database sums them, by the same rule).
    public init(minutesByCategory: [String: Double], instructional: Set<String>) {
        self.minutesByCategory = minutesByCategory.filter { $0.value > 0 }
        totalMinutes = self.minutesByCategory.values.reduce(0, +)
        instructionalMinutes = self.minutesByCategory.filter { instructional.contains($0.key) }.values.reduce(0, +)
    }

    /// Whether a protected block was kept: no management time overlaps it.
    public static func kept(block: Range<Double>, entries: [Entry], instructional: Set<String>) -> Bool {
        !entries.contains { !instructional.contains($0.category) && $0.start < block.upperBound && block.lowerBound < $0.end && $0.end > $0.start }
    }
}
