import Foundation

/// Resources Lodestar counts from what it already records, rather than a leader typing them.
public enum CountedResource: String, Sendable, CaseIterable {
    case coaching
    case interventions
    case interventionMinutes = "intervention_minutes"
    case professionalLearning = "professional_learning"
    case leaderTime = "leader_time"

    public var name: String {
        switch self {
        case .coaching: "Coaching"
        case .interventions: "Intervention seats"
        case .interventionMinutes: "Intervention minutes"
        case .professionalLearning: "Professional learning"
        case .leaderTime: "Leaders' instructional time"
        }
    }

    public var unit: String {
        switch self {
        case .interventions: "seats"
        case .interventionMinutes: "minutes"
        case .coaching, .professionalLearning, .leaderTime: "hours"
        }
    }

    /// How it is counted, said on the ledger beside it.
    public func rule(coachingMinutes: Int) -> String {
        switch self {
        case .coaching: "Coaching conversations held with the school's teachers, \(coachingMinutes) minutes each (as the time ledger counts them); each reaches the teacher's students."
        case .interventions: "One seat for each student placed in an intervention group formed at the school this year."
        case .interventionMinutes: "Each intervention group's scheduled minutes a week, for each of its students, over the days from the day it was formed to its reassessment day (or today, if sooner) within the year; a group without minutes counts none."
        case .professionalLearning: "Hours of professional-learning sessions the school's staff attended (each session's length for each attendee); each reaches the attendee's students."
        case .leaderTime: "Hours the school's principals, assistant principals and coaches spent on instruction, by their time ledgers; reaches the whole school."
        }
    }
}

/// What a leader writes when recording an allocation, checked before anything is stored.
public struct AllocationDraft: Sendable, Equatable {
    public var amount: Double
    public var startsOn: String
    public var endsOn: String
    public var funding: String
    public var decidedBy: String
    public var evidence: [String]
    public var reason: String

    public init(amount: Double, startsOn: String, endsOn: String, funding: String, decidedBy: String, evidence: [String], reason: String) {
        self.amount = amount; self.startsOn = startsOn; self.endsOn = endsOn; self.funding = funding
        self.decidedBy = decidedBy; self.evidence = evidence; self.reason = reason
    }

    public static let limits = (funding: 80, decidedBy: 120, reason: 2_000, evidenceLines: 10, evidenceLine: 500, amount: 1_000_000_000.0)

    public struct FormError: Error, Sendable, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Checks the form's text: a positive amount, a period of real days that does not end before it starts,
    /// who decided, the reason, and evidence as links (https, or a page of Lodestar starting with "/").
    public static func fromForm(amount: String, startsOn: String, endsOn: String, funding: String, decidedBy: String, evidence: String, reason: String) throws -> AllocationDraft {
        let l = limits
        let trimmedAmount = amount.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
        guard let value = Double(trimmedAmount), value.isFinite, value > 0, value <= l.amount else {
            throw FormError(description: "The amount must be a number above 0 (up to a billion).")
        }
        guard let start = Self.day(startsOn), let end = Self.day(endsOn) else { throw FormError(description: "The period needs a first and a last day (YYYY-MM-DD).") }
        guard start <= end else { throw FormError(description: "The period ends before it begins.") }
        let funding = funding.trimmingCharacters(in: .whitespacesAndNewlines)
        let decidedBy = decidedBy.trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard funding.count <= l.funding else { throw FormError(description: "The funding source is up to \(l.funding) characters.") }
        guard !decidedBy.isEmpty, decidedBy.count <= l.decidedBy else { throw FormError(description: "Say who decided (up to \(l.decidedBy) characters): a person, the leadership team, a committee.") }
        guard !reason.isEmpty, reason.count <= l.reason else { throw FormError(description: "Give the reason for the decision (up to \(l.reason) characters).") }
        let links = evidence.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard links.count <= l.evidenceLines else { throw FormError(description: "Up to \(l.evidenceLines) links of evidence.") }
        for (index, link) in links.enumerated() where !Self.isLink(link) {
            throw FormError(description: "Evidence line \(index + 1) is not a link: use an https:// address or a Lodestar page starting with “/” (up to \(l.evidenceLine) characters).")
        }
        return AllocationDraft(amount: value, startsOn: start, endsOn: end, funding: funding, decidedBy: decidedBy, evidence: links, reason: reason)
    }

    /// An https address (`WebLink`), or a path of this site (not "//host", which leaves it).
    public static func isLink(_ text: String) -> Bool {
        guard text.hasPrefix("/") else { return WebLink.isHTTPS(text, maxLength: limits.evidenceLine) }
        return text.count <= limits.evidenceLine && !text.hasPrefix("//") && !text.contains(where: { $0.isWhitespace || $0 == "\\" })
    }

    /// "2026-09-01" when it is a real day (`ISODay`) of a year Lodestar plans for.
    static func day(_ text: String) -> String? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard ISODay.number(text) != nil, let year = Int(text.prefix(4)), (1900...2200).contains(year) else { return nil }
        return text
    }

    /// The lines of the change log: what differs from `old`, in words ("Amount 20 → 30").
    public func changes(from old: AllocationDraft) -> [String] {
        var lines: [String] = []
        if amount != old.amount { lines.append("Amount \(Self.number(old.amount)) → \(Self.number(amount))") }
        if startsOn != old.startsOn || endsOn != old.endsOn { lines.append("Period \(old.startsOn)–\(old.endsOn) → \(startsOn)–\(endsOn)") }
        if funding != old.funding { lines.append("Funding “\(old.funding)” → “\(funding)”") }
        if decidedBy != old.decidedBy { lines.append("Decided by “\(old.decidedBy)” → “\(decidedBy)”") }
        if evidence != old.evidence { lines.append("Evidence changed") }
        if reason != old.reason { lines.append("Reason for the decision rewritten") }
        return lines
    }

    /// 12, 12.5, 1,250 — an amount as a leader writes it.
    public static func number(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 2
        formatter.locale = Locale(identifier: "en_US")
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }
}

/// A kind of resource the district allocates, and its unit.
public enum ResourceKindForm {
    public static let limits = (name: 80, unit: 30)

    public static func check(name: String, unit: String) throws -> (name: String, unit: String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines), unit = unit.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= limits.name else { throw AllocationDraft.FormError(description: "A kind needs a name (up to \(limits.name) characters).") }
        guard !unit.isEmpty, unit.count <= limits.unit else { throw AllocationDraft.FormError(description: "A kind needs a unit (up to \(limits.unit) characters): hours, minutes a week, seats, FTE, dollars.") }
        return (name, unit)
    }
}
