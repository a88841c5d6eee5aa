import Foundation

/// A school year of principals' and assistant principals' time for the demo district: duties,
/// meetings, email and behavior crowd the day; protected walkthrough blocks, PLCs and planning with
/// teachers grow as the year goes on. Walkthroughs and coaching add their own automatic entries.
public struct DemoLeaderTime: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var leaderId: String
        public var start: Int
        public var end: Int
        public var title: String
        public var category: String
        /// "calendar" for recurring events, "manual" for the rest.
        public var source: String
    }

    /// A leader's school and role, for the events they keep.
    public struct Leader: Sendable {
        public var id: String
        public var isPrincipal: Bool
        public init(id: String, isPrincipal: Bool) { self.id = id; self.isPrincipal = isPrincipal }
    }

    /// The principals and assistant principals of the demo district.
    public static func leaders(of district: DemoDistrict) -> [Leader] {
        district.accounts.compactMap { account in
            guard let id = account.sourcedId else { return nil }
            if account.grants.contains(where: { $0.role == .principal }) { return Leader(id: id, isPrincipal: true) }
            if account.grants.contains(where: { $0.role == .assistantPrincipal }) { return Leader(id: id, isPrincipal: false) }
            return nil
        }
    }

    /// The entries of `leaders` on school days from the start of the year through `through` (seconds).
    public static func entries(for leaders: [Leader], seed: UInt64, through: Double) -> [Entry] {
        let calendar = DemoCalendar.calendar
        let start = DemoCalendar.firstDay
        let days = DemoCalendar.schoolDays(from: start, through: min(Date(timeIntervalSince1970: through), DemoCalendar.lastDay)).map { day in
            (date: day, weekday: calendar.component(.weekday, from: day), week: calendar.dateComponents([.day], from: start, to: day).day! / 7,
             dayOfMonth: calendar.component(.day, from: day))
        }
        var result: [Entry] = []
        for leader in leaders {
            var random = SeededRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: leader.id.hashValueStable))
            for (date, weekday, week, dayOfMonth) in days {
                let midnight = Int(date.timeIntervalSince1970)
                let dayKey = midnight / 86_400
                // Leaders protect more of their time as the year goes on.
                let protect = min(1, Double(week) / 14)
                func add(_ slot: String, _ from: (Int, Int), _ to: (Int, Int), _ title: String, _ category: String, _ source: String = "calendar") {
                    result.append(Entry(id: "demo-time|\(leader.id)|\(dayKey)|\(slot)", leaderId: leader.id,
                                        start: midnight + (from.0 * 60 + from.1) * 60, end: midnight + (to.0 * 60 + to.1) * 60,
                                        title: title, category: category, source: source))
                }
                add("arrival", (7, 30), (8, 0), "Arrival duty", "operations")
                if random.chance(0.8) { add("email", (8, 0), (8, 30), "Email and paperwork", "email") }
                if weekday == 2 { add("team", (8, 30), (9, 30), "Leadership team meeting", "meetings") }
                if leader.isPrincipal && weekday == 4 && (8...14).contains(dayOfMonth) {
                    add("district", (8, 30), (11, 30), "Principals meeting at the district office", "meetings")
                } else if weekday == 3 || weekday == 5 {
                    if random.chance(0.35 + 0.45 * protect) {
                        add("visits", (9, 0), (10, 30), "Classroom walkthroughs", "walkthroughs")
                    } else {
                        add("visits", (9, 0), (10, 30), random.pick(["Facilities walk with the custodian", "Budget review", "Bus schedule problem"]), "operations", "manual")
                    }
                }
                if random.chance(0.55 - 0.25 * protect) {
                    add("behavior", (10, 45), (11, 30), "Student behavior follow-up", "behavior", "manual")
                } else if random.chance(0.25 + 0.25 * protect) {
                    add("planning", (10, 45), (11, 30), "Planning with teachers", "planning", "manual")
                }
                if random.chance(0.7) { add("lunch", (11, 30), (12, 15), "Lunch duty", "operations") }
                if random.chance(0.35) { add("family", (12, 30), (13, 0), "Parent call", "family", "manual") }
                if weekday == 4 { add("plc", (13, 15), (14, 15), "Grade-level PLC", "plc") }
                if weekday == 6 && week % 2 == 0 { add("data", (13, 15), (14, 0), "Data meeting", "plc") }
                if weekday == 6 && random.chance(0.15) { add("learning", (14, 0), (15, 0), "Professional learning session", "learning") }
                if random.chance(0.25) { add("iep", (14, 15), (15, 0), "IEP meeting", "compliance", "manual") }
                add("dismissal", (15, 0), (15, 30), "Dismissal duty", "operations")
                if random.chance(0.3 + 0.2 * protect) { add("feedback", (15, 30), (16, 0), "Feedback conversations with teachers", "coaching", "manual") }
            }
        }
        return result
    }
}

extension String {
    /// A hash that is the same in every run (Swift's `hashValue` is seeded per process).
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
