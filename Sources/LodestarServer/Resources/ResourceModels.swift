import Fluent
import Foundation
import LodestarCore

/// A kind of resource the district allocates (coaching hours, tutoring seats, Title I dollars…) and its unit.
/// `budget`: money, whose figures the district may hide from coaches and teacher leaders.
final class ResourceKind: Model, @unchecked Sendable {
    static let schema = "resource_kinds"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "unit") var unit: String
    @Field(key: "budget") var budget: Bool
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Int
    init() {}
}

/// An amount of a resource given to a school for a period, the priority it serves, whom it reaches, and the decision
/// behind it: who decided, the evidence considered (links) and the reason.
final class ResourceAllocation: Model, @unchecked Sendable {
    static let schema = "resource_allocations"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "school_id") var schoolId: String
    @Field(key: "kind_id") var kindId: String
    @Field(key: "amount") var amount: Double
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "ends_on") var endsOn: String
    @Field(key: "funding") var funding: String
    /// `Priority.value`: "goal:ID", "need:ID", "intervention:ID", or "" for none.
    @Field(key: "priority") var priority: String
    /// `Reach.value`: "school", "grade:5", "class:ID", "group:KEY", "intervention:ID", "teacher:ID".
    @Field(key: "reaches") var reaches: String
    @Field(key: "decided_by") var decidedBy: String
    /// One link per line.
    @Field(key: "evidence") var evidence: String
    @Field(key: "reason") var reason: String
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "created_at") var createdAt: Int
    @Field(key: "updated_at") var updatedAt: Int
    init() {}

    var draft: AllocationDraft {
        AllocationDraft(amount: amount, startsOn: startsOn, endsOn: endsOn, funding: funding, decidedBy: decidedBy,
                        evidence: evidence.split(separator: "\n").map(String.init), reason: reason)
    }
}

/// One change to an allocation: what changed, who changed it and why — the monitor-and-adjust log of a decision.
final class AllocationChange: Model, @unchecked Sendable {
    static let schema = "allocation_changes"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "allocation_id") var allocationId: String
    @Field(key: "changed_by") var changedBy: String
    @Field(key: "changed_at") var changedAt: Int
    /// Lines of `AllocationDraft.changes`.
    @Field(key: "what") var what: String
    @Field(key: "reason") var reason: String
    init() {}
}

/// The district's one ledger setting: whether budget figures are hidden from coaches and teacher leaders.
final class LedgerSetting: Model, @unchecked Sendable {
    static let schema = "ledger_settings"
    static let district = "district"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "hide_budget") var hideBudget: Bool
    init() {}
}
