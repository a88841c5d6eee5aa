import Fluent
import LodestarCore

/// One thing a person should know of, shown on their notifications page until they open it.
final class NotificationRecord: Model, @unchecked Sendable {
    init() {}
    static let schema = "notifications"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "recipient_id") var recipientId: String
    @Field(key: "kind") var kind: String
    /// One line in the school's words, with no student's name: "Jada Green shared feedback on your visit of …".
    @Field(key: "title") var title: String
    /// The record's page, as a path ("/walkthroughs/…").
    @Field(key: "link") var link: String
    /// The record it is about (a walkthrough's id for feedback and replies), for what an email may add.
    @Field(key: "record_id") var recordId: String
    @Field(key: "created_at") var createdAt: Int
    @OptionalField(key: "read_at") var readAt: Int?
    /// How it went out by email: `EmailState`.
    @Field(key: "emailed") var emailed: String

    /// `due`: to be emailed at once (the delivery worker writes the email); `queued`: in the outbox; `digest`:
    /// waiting for the day's digest; `digested`: in one; `no`: its person turned email off for the kind, or it
    /// waited too long for email to be set up.
    enum EmailState: String { case due, queued, digest, digested, no }
}

/// A person's choice of email for one kind; without a row, the kind's default holds.
final class NotificationPreference: Model, @unchecked Sendable {
    static let schema = "notification_preferences"
    final class IDValue: Fields, Hashable, @unchecked Sendable {
        @Field(key: "staff_id") var staffId: String
        @Field(key: "kind") var kind: String
        init() {}
        init(staffId: String, kind: String) { self.staffId = staffId; self.kind = kind }
        static func == (lhs: IDValue, rhs: IDValue) -> Bool { lhs.staffId == rhs.staffId && lhs.kind == rhs.kind }
        func hash(into hasher: inout Hasher) { hasher.combine(staffId); hasher.combine(kind) }
    }
    @CompositeID var id: IDValue?
    @Field(key: "delivery") var delivery: String

    init() {}
    init(staffId: String, kind: NotificationKind, delivery: Delivery) {
        id = IDValue(staffId: staffId, kind: kind.rawValue)
        self.delivery = delivery.rawValue
    }
}

/// An email waiting to be sent, being sent, sent, or refused for good. Written in the transaction of the
/// event it tells of; the delivery worker takes it from here.
final class OutboxEmail: Model, @unchecked Sendable {
    init() {}
    static let schema = "email_outbox"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "recipient_id") var recipientId: String
    @Field(key: "to_address") var toAddress: String
    @Field(key: "subject") var subject: String
    @Field(key: "text_body") var textBody: String
    @Field(key: "html_body") var htmlBody: String
    /// What its unsubscribe turns off: a `NotificationKind`, or `digest` (every kind that comes in the digest).
    @OptionalField(key: "kind") var kind: String?
    /// The secret in its unsubscribe address, which works without signing in.
    @OptionalField(key: "unsubscribe_token") var unsubscribeToken: String?
    /// `State`.
    @Field(key: "state") var state: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Int
    /// While a worker is sending it, until when no other worker may take it.
    @OptionalField(key: "claimed_until") var claimedUntil: Int?
    /// When the SMTP server accepted it (its reply to the end of DATA).
    @OptionalField(key: "accepted_at") var acceptedAt: Int?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Int

    /// `pending` until accepted (`sent`) or refused for good, or tried too often (`failed`).
    enum State: String { case pending, sent, failed }
}
