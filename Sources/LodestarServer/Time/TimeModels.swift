import Fluent
import Foundation
import LodestarCore
import SQLKit

/// A category of leaders' time as the district has set it (see `TimeCategory`).
final class TimeCategoryRecord: Model, @unchecked Sendable {
    static let schema = "time_categories"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "instructional") var instructional: Bool
    /// One keyword or phrase per line.
    @Field(key: "keywords") var keywords: String
    @Field(key: "position") var position: Int
    init() {}

    var category: TimeCategory {
        TimeCategory(key: id!, name: name, instructional: instructional,
                     keywords: keywords.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
    }
}

/// A block of a leader's time entered by hand or imported from their calendar. Walkthroughs and
/// coaching conversations are not stored here: they are read from their own tables as automatic entries.
final class TimeEntry: Model, @unchecked Sendable {
    static let schema = "time_entries"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "leader_id") var leaderId: String
    /// Seconds since 1970.
    @Field(key: "starts_at") var startsAt: Int
    @Field(key: "ends_at") var endsAt: Int
    @Field(key: "title") var title: String
    @Field(key: "category") var category: String
    /// "manual" or "calendar".
    @Field(key: "source") var source: String
    /// No rule matched the calendar event's title: the category is a guess for the leader to check.
    @Field(key: "guessed") var guessed: Bool
    /// An all-day calendar event ("Staff development day"): shown on its day, not counted as hours.
    @Field(key: "all_day") var allDay: Bool
    @Field(key: "created_at") var createdAt: Int
    init() {}

    /// The longest time one entry counts: a day (seconds). Longer calendar events are shown, not counted.
    static let longest = 86_400.0

    /// A calendar occurrence's id: the same event imported twice updates one entry.
    static func calendarId(leader: String, uid: String, start: Date) -> String {
        "cal|\(leader)|\(uid)|\(Int(start.timeIntervalSince1970))"
    }

    /// The event UID inside a `calendarId`.
    static func calendarUID(fromId id: String, leader: String) -> String {
        let rest = id.dropFirst("cal|\(leader)|".count)
        return String(rest[..<(rest.lastIndex(of: "|") ?? rest.endIndex)])
    }
}

/// A leader's correction of a calendar title's category, applied to later imports of the same title.
final class TimeCorrection: Model, @unchecked Sendable {
    static let schema = "time_corrections"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "leader_id") var leaderId: String
    /// `TimeCategory.normalize` of the title.
    @Field(key: "title") var title: String
    @Field(key: "category") var category: String
    init() {}
}

/// A leader's target share of time on instruction (0…1).
final class TimeTarget: Model, @unchecked Sendable {
    static let schema = "time_targets"
    /// The leader's staff id.
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "share") var share: Double
    init() {}

    static let defaultShare = 0.5
}

/// A weekly block a leader keeps for instruction (classroom visits, PLCs): kept when no management time lands in it.
final class ProtectedBlock: Model, @unchecked Sendable {
    static let schema = "protected_blocks"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "leader_id") var leaderId: String
    /// 1 = Monday … 5 = Friday.
    @Field(key: "weekday") var weekday: Int
    /// Minutes after midnight, district time.
    @Field(key: "start_minute") var startMinute: Int
    @Field(key: "end_minute") var endMinute: Int
    @Field(key: "label") var label: String
    init() {}
}

/// A management task a leader handed to another staff member.
final class Delegation: Model, @unchecked Sendable {
    static let schema = "delegations"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "leader_id") var leaderId: String
    @Field(key: "task") var task: String
    @Field(key: "delegate_id") var delegateId: String
    /// "open", "in_progress" or "done".
    @Field(key: "status") var status: String
    @Field(key: "due_on") var dueOn: String
    @Field(key: "created_at") var createdAt: Int
    init() {}

    static let statuses: [(key: String, label: String)] = [("open", "Handed over"), ("in_progress", "In progress"), ("done", "Done")]
}
