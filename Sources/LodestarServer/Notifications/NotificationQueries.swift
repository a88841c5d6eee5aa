import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Notifications' front door: what a change tells whom (written in the change's transaction), a person's
/// notifications and unread count, and their email choices.
struct NotificationQueries {
    let db: any Database

    /// Writes the notifications a change calls for. Each goes to the one person the event names, never to
    /// the person who caused it.
    func follow(_ change: Change) async throws {
        switch change {
        case .walkthroughsAdded(let added):
            try await feedback(on: added.map(\.walkthrough).filter { $0.sharedAt != nil }, edited: false)
        case .feedbackShared(let walkthrough, let edited):
            try await feedback(on: [walkthrough], edited: edited)
        case .replied(let reply, let walkthrough):
            let toTeacher = reply.authorId == walkthrough.observerId
            let author = try await name(reply.authorId)
            let title = toTeacher
                ? "\(author) replied on the visit to your class on \(DisplayTime.date(walkthrough.observedAt))"
                : "\(author) replied to your feedback on the visit of \(DisplayTime.date(walkthrough.observedAt))"
            try await notify(toTeacher ? walkthrough.teacherId : walkthrough.observerId, .reply, title,
                             link: "/walkthroughs/\(walkthrough.id!)#replies", record: walkthrough.id!, by: reply.authorId)
        case .visitPlanned(let visit):
            try await notify(visit.teacherId, .visitPlanned,
                             "\(try await name(visit.observerId)) plans an announced visit to your class on \(DisplayTime.dateTime(visit.scheduledFor))",
                             link: "/", record: visit.id!, by: visit.observerId)
        case .stepAssigned(let step, let link, let by):
            try await notify(step.ownerId, .stepAssigned,
                             "\(try await name(by)) gave you an action step, due \(DisplayTime.date(step.dueOn))",
                             link: link, record: step.id!, by: by)
        case .sessionPlanned(let session, let by):
            // A school's session: everyone at the school. A district session: those who plan learning in the schools.
            let school = LearningScope.schoolId(session.scope)
            let audience = try await StaffDirectory(db: db).people(holding: school == nil ? StaffRole.learningPlanners : StaffRole.allCases,
                                                                   atSchools: school.map { [$0] })
            let title = "\(try await name(by)) planned a professional-learning session, “\(session.title)”, on \(DisplayTime.dateTime(session.startsAt))"
            try await notify(audience.map { Notice($0.id, .sessionPlanned, title, link: "/learning/sessions/\(session.id!)", record: session.id!, by: by) })
        case .needAccepted(let need, let by):
            let school = LearningScope.schoolId(need.scope)
            let planners = try await StaffDirectory(db: db).people(holding: school == nil ? StaffRole.districtWide : StaffRole.learningPlanners,
                                                                   atSchools: school.map { [$0] }, includingDistrict: school != nil)
            let title = "\(try await name(by)) accepted a professional-learning need where you plan learning"
            try await notify(planners.map { Notice($0.id, .needAccepted, title, link: "/learning?scope=\(need.scope.urlQueryEncoded)", record: need.id!, by: by) })
        case .importFinished(_, let fileName, let by, let refused, let warnings, let link):
            // The file's name only: a refusal's reason may quote a cell, and is on the import page.
            let title = refused ? "Your import of \(fileName) was refused; nothing was imported. The reason is on the import page."
                : "Your import of \(fileName) finished" + (warnings == 0 ? "" : " with \(warnings) warning\(warnings == 1 ? "" : "s")")
            try await notify(by, .importResult, title, link: link, record: fileName, by: nil)
        default:
            break
        }
    }

    /// Reminders that come with time rather than with a write: action steps due within three days or overdue
    /// (to their owner) and coaching next steps due tomorrow (to the coach and the teacher), each once. Run in a
    /// write transaction, so two servers never write the same reminder.
    func remind(now: Int) async throws {
        let today = DisplayTime.isoDay(now), tomorrow = DisplayTime.isoDay(today, plus: 1)
        let sent = Set(try await NotificationRecord.query(on: db).filter(\.$kind ~~ [NotificationKind.stepDue.rawValue, NotificationKind.coachingStepDue.rawValue])
            .filter(\.$createdAt >= now - 90 * 86_400).all().map { "\($0.recipientId)|\($0.recordId)" })
        for (step, link) in try await GoalsQueries(db: db).openSteps(dueThrough: DisplayTime.isoDay(today, plus: 3)) {
            let overdue = step.dueOn < today
            let record = "\(overdue ? "overdue" : "due")|\(step.id!)|\(step.dueOn)"
            guard !sent.contains("\(step.ownerId)|\(record)") else { continue }
            let title = overdue ? "An action step of yours is overdue: it was due \(DisplayTime.date(step.dueOn))"
                : "An action step of yours is due \(step.dueOn == today ? "today" : DisplayTime.date(step.dueOn))"
            try await notify(step.ownerId, .stepDue, title, link: link, record: record, by: nil)
        }
        for step in try await CoachingQueries(db: db).openNextSteps(dueOn: tomorrow) {
            let record = "due|\(step.id)|\(step.dueOn)"
            for person in [step.coachId, step.teacherId] where !sent.contains("\(person)|\(record)") {
                try await notify(person, .coachingStepDue, "A coaching next step is due tomorrow, \(DisplayTime.date(step.dueOn))",
                                 link: "/coaching/teachers/\(step.teacherId)", record: record, by: nil)
            }
        }
    }

    /// Feedback shared on walkthroughs (those saved together come together): each observer's name read once.
    private func feedback(on walkthroughs: [Walkthrough], edited: Bool) async throws {
        var observers: [String: String] = [:]
        var notices: [Notice] = []
        for walkthrough in walkthroughs {
            let observer: String
            if let known = observers[walkthrough.observerId] { observer = known } else {
                observer = try await name(walkthrough.observerId)
                observers[walkthrough.observerId] = observer
            }
            let title = edited
                ? "\(observer) edited the feedback on the visit to your class on \(DisplayTime.date(walkthrough.observedAt))"
                : "\(observer) shared feedback on the visit to your class on \(DisplayTime.date(walkthrough.observedAt))"
            notices.append(Notice(walkthrough.teacherId, .feedback, title, link: "/walkthroughs/\(walkthrough.id!)", record: walkthrough.id!,
                                  by: walkthrough.observerId))
        }
        try await notify(notices)
    }

    private func name(_ staffId: String) async throws -> String {
        try await StaffDirectory(db: db).displayName(of: staffId) ?? "A colleague"
    }

    /// A notification to write: to whom, what, where it leads, and who caused it (who is never told of their own act).
    private struct Notice {
        let recipient: String, kind: NotificationKind, title: String, link: String, record: String, by: String?
        init(_ recipient: String, _ kind: NotificationKind, _ title: String, link: String, record: String, by: String?) {
            (self.recipient, self.kind, self.title, self.link, self.record, self.by) = (recipient, kind, title, link, record, by)
        }
    }

    private func notify(_ recipient: String, _ kind: NotificationKind, _ title: String, link: String, record: String, by actor: String?) async throws {
        try await notify([Notice(recipient, kind, title, link: link, record: record, by: actor)])
    }

    /// Notifications, each with how it will reach its person by email: a hundred per statement, each person's choice
    /// for the kind read inside it. This runs in every walkthrough's write, where a statement per walkthrough made
    /// the write lock's turn longer.
    private func notify(_ notices: [Notice]) async throws {
        let state: (Delivery) -> String = { delivery in
            switch delivery {
            case .immediately: NotificationRecord.EmailState.due.rawValue
            case .dailyDigest: NotificationRecord.EmailState.digest.rawValue
            case .off: NotificationRecord.EmailState.no.rawValue
            }
        }
        let now = Int(Date().timeIntervalSince1970)
        for chunk in notices.filter({ $0.recipient != $0.by }).chunks(of: 100) {
            var query: SQLQueryString = """
                INSERT INTO notifications (id, recipient_id, kind, title, link, record_id, created_at, emailed)
                SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7,
                       CASE COALESCE((SELECT delivery FROM notification_preferences p WHERE p.staff_id = v.column2 AND p.kind = v.column3), v.column8)
                       WHEN 'immediately' THEN \(bind: state(.immediately)) WHEN 'daily_digest' THEN \(bind: state(.dailyDigest)) ELSE \(bind: state(.off)) END
                FROM (VALUES 
                """
            for (index, notice) in chunk.enumerated() {
                query += "\(unsafeRaw: index > 0 ? ", " : "")(\(bind: UUID().uuidString.lowercased()), \(bind: notice.recipient), \(bind: notice.kind.rawValue), "
                query += "\(bind: String(notice.title.prefix(300))), \(bind: String(notice.link.prefix(500))), \(bind: String(notice.record.prefix(300))), "
                query += "\(bind: now), \(bind: notice.kind.defaultDelivery.rawValue))"
            }
            query += ") AS v"
            try await db.sql.raw(query).run()
        }
    }

    // MARK: - A person's notifications

    func unreadCount(of staffId: String) async throws -> Int {
        try await NotificationRecord.query(on: db).filter(\.$recipientId == staffId).filter(\.$readAt == nil).count()
    }

    /// Newest first.
    func recent(of staffId: String, limit: Int = 100) async throws -> [NotificationRecord] {
        try await NotificationRecord.query(on: db).filter(\.$recipientId == staffId)
            .sort(\.$createdAt, .descending).sort(\.$id).limit(limit).all()
    }

    /// Unread ones since `since`, newest first: what the Today page shows as new.
    func unread(of staffId: String, limit: Int = 5) async throws -> [NotificationRecord] {
        try await NotificationRecord.query(on: db).filter(\.$recipientId == staffId).filter(\.$readAt == nil)
            .sort(\.$createdAt, .descending).sort(\.$id).limit(limit).all()
    }

    /// The notification if it is `staffId`'s (nobody opens another's).
    func notification(_ id: String, of staffId: String) async throws -> NotificationRecord? {
        try await NotificationRecord.query(on: db).filter(\.$id == id).filter(\.$recipientId == staffId).first()
    }

    func markRead(_ ids: [String]? = nil, of staffId: String, at now: Int) async throws {
        var query = NotificationRecord.query(on: db).filter(\.$recipientId == staffId).filter(\.$readAt == nil)
        if let ids { query = query.filter(\.$id ~~ ids) }
        try await query.set(\.$readAt, to: now).update()
    }

    // MARK: - Email choices

    func delivery(of staffId: String, _ kind: NotificationKind) async throws -> Delivery {
        try await deliveries(of: staffId)[kind] ?? kind.defaultDelivery
    }

    /// Every kind's choice, defaults filled in.
    func deliveries(of staffId: String) async throws -> [NotificationKind: Delivery] {
        var choices = Dictionary(uniqueKeysWithValues: NotificationKind.allCases.map { ($0, $0.defaultDelivery) })
        for row in try await NotificationPreference.query(on: db).filter(\.$id.$staffId == staffId).all() {
            if let kind = NotificationKind(rawValue: row.id!.kind), let delivery = Delivery(rawValue: row.delivery) { choices[kind] = delivery }
        }
        return choices
    }

    /// Call inside a write transaction.
    func choose(_ delivery: Delivery, for kind: NotificationKind, of staffId: String) async throws {
        try await NotificationPreference.query(on: db).filter(\.$id.$staffId == staffId).filter(\.$id.$kind == kind.rawValue).delete()
        try await NotificationPreference(staffId: staffId, kind: kind, delivery: delivery).create(on: db)
    }
}

extension NotificationQueries {
    static let digestKind = "digest"

    /// What an unsubscribe token turns off, as the page names it; nil for an unknown token.
    func unsubscribeLabel(token: String) async throws -> String? {
        try await OutboxEmail.query(on: db).filter(\.$unsubscribeToken == token).first().flatMap(Self.label)
    }

    private static func label(of email: OutboxEmail) -> String? {
        email.kind == digestKind ? "the daily email" : email.kind.flatMap(NotificationKind.init(rawValue:))?.label
    }

    /// Turns off the email the token's message was (its kind, or every kind in the digest); call inside a write
    /// transaction. Nil for an unknown token.
    func unsubscribe(token: String) async throws -> String? {
        guard let email = try await OutboxEmail.query(on: db).filter(\.$unsubscribeToken == token).first(), let label = Self.label(of: email) else { return nil }
        let kinds: [NotificationKind] = email.kind == Self.digestKind
            ? try await deliveries(of: email.recipientId).filter { $0.value == .dailyDigest }.map(\.key)
            : [email.kind.flatMap(NotificationKind.init(rawValue:))].compactMap { $0 }
        for kind in kinds { try await choose(.off, for: kind, of: email.recipientId) }
        return label
    }
}

extension NotificationQueries {
    /// What the district admin sees of the outbox: what waits, what went in the last week, and every message
    /// refused for good (newest first), with the mail server's words.
    struct OutboxSummary: Encodable {
        struct Failed: Encodable { let to: String; let subject: String; let when: String; let reason: String }
        let waiting: Int
        let sentThisWeek: Int
        let failed: [Failed]
    }

    func outboxSummary(now: Int = Int(Date().timeIntervalSince1970)) async throws -> OutboxSummary {
        let failed = try await OutboxEmail.query(on: db).filter(\.$state == OutboxEmail.State.failed.rawValue)
            .sort(\.$createdAt, .descending).limit(20).all()
        return OutboxSummary(
            waiting: try await OutboxEmail.query(on: db).filter(\.$state == OutboxEmail.State.pending.rawValue).count(),
            sentThisWeek: try await OutboxEmail.query(on: db).filter(\.$state == OutboxEmail.State.sent.rawValue).filter(\.$acceptedAt >= now - 7 * 86_400).count(),
            failed: failed.map { .init(to: $0.toAddress, subject: $0.subject, when: DisplayTime.dateTime($0.createdAt), reason: $0.lastError ?? "") })
    }
}

extension NotificationQueries {
    /// The outbox's backlog for monitoring: messages still to send and how long the oldest has waited (nil when none waits).
    func outboxBacklog(now: Int = Int(Date().timeIntervalSince1970)) async throws -> (waiting: Int, oldestWaitSeconds: Int?) {
        let pending = OutboxEmail.query(on: db).filter(\.$state == OutboxEmail.State.pending.rawValue)
        let waiting = try await pending.count()
        let oldest = try await pending.copy().sort(\.$createdAt).first()?.createdAt
        return (waiting, oldest.map { max(0, now - $0) })
    }
}
