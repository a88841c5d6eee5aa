import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// How Lodestar sends email, from the environment; nil (email off) without `LODESTAR_SMTP_URL`.
struct MailSettings: Sendable {
    var smtp: SMTPSettings
    var from: EmailAddress
    /// Where the links in an email lead (`LODESTAR_PUBLIC_URL`, without a trailing slash).
    var publicURL: String
    /// `LODESTAR_EMAIL_FEEDBACK_TEXT=include`: the district allows feedback's words in email; otherwise an email
    /// says only that feedback arrived, and from whom.
    var includesFeedbackText = false
    var trustedCertificates: String?
    /// Seconds between the delivery worker's rounds.
    var interval: Double = 5

    static func fromEnvironment(_ environment: [String: String]) throws -> MailSettings? {
        guard let url = environment["LODESTAR_SMTP_URL"], !url.isEmpty else { return nil }
        let smtp = try SMTPSettings.parse(url)
        guard let fromText = environment["LODESTAR_EMAIL_FROM"], let from = EmailAddress(fromText, name: "Lodestar") else {
            throw SMTPSettingsError("LODESTAR_EMAIL_FROM must be the address Lodestar's email comes from, like lodestar@district.example.org")
        }
        guard let publicURL = environment["LODESTAR_PUBLIC_URL"], let components = URLComponents(string: publicURL),
              ["http", "https"].contains(components.scheme ?? ""), components.host != nil else {
            throw SMTPSettingsError("LODESTAR_PUBLIC_URL must be the address people open Lodestar at, like https://lodestar.district.example.org: every email links back to it")
        }
        var settings = MailSettings(smtp: smtp, from: from, publicURL: publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL)
        switch environment["LODESTAR_EMAIL_FEEDBACK_TEXT"] ?? "" {
        case "", "leave-out": break
        case "include": settings.includesFeedbackText = true
        case let other: throw SMTPSettingsError("LODESTAR_EMAIL_FEEDBACK_TEXT is include or leave-out, not \(other)")
        }
        settings.trustedCertificates = environment["LODESTAR_SMTP_CA_FILE"]
        return settings
    }
}

private struct MailSettingsKey: StorageKey { typealias Value = MailSettings }

extension Application {
    /// Email settings; nil when email is off.
    var mail: MailSettings? {
        get { storage[MailSettingsKey.self] }
        set { storage[MailSettingsKey.self] = newValue }
    }
}

/// The email outbox's worker. Each round: writes the email of every notification due one, and the day's
/// digests once their hour has come; then sends what is due, each message claimed first so that several
/// Lodestar servers on one PostgreSQL never send one twice. A message the SMTP server accepted is recorded at
/// once; the one way it can go twice is a server stopped between the SMTP server's "250" and that record.
struct EmailDelivery: Sendable {
    let settings: MailSettings
    let db: any Database
    /// When the day's digest goes out, in the district's time zone.
    static let digestHour = 7
    /// Tries of a message refused for now (4xx, no answer) before it counts as failed.
    static let attempts = 8
    /// Notifications older than this when email comes on are not emailed (they stay on the page).
    static let oldest = 2 * 86_400
    /// How long a worker may hold a claimed message before another may take it.
    static let claim = 300

    var client: SMTPClient { SMTPClient(settings: settings.smtp, extraTrust: settings.trustedCertificates) }

    /// One round; returns the messages it tried to send.
    @discardableResult
    func round(now: Int = Int(Date().timeIntervalSince1970)) async throws -> Int {
        try await writeEmails(now: now)
        try await writeDigests(now: now)
        try await writeWeeklySummaries(now: now)
        return try await deliver(now: now)
    }

    // MARK: Writing

    func writeEmails(now: Int) async throws {
        try await db.writeTransaction { db in
            let due = try await NotificationRecord.query(on: db).filter(\.$emailed == NotificationRecord.EmailState.due.rawValue)
                .sort(\.$createdAt).limit(200).all()
            guard !due.isEmpty else { return }
            let people = try await people(due.map(\.recipientId), on: db)
            for notification in due {
                let person = people[notification.recipientId]
                if notification.createdAt >= now - Self.oldest, let person, person.isEnabled, let to = EmailAddress(person.email, name: person.displayName) {
                    var lines = [notification.title]
                    if settings.includesFeedbackText, notification.kind == NotificationKind.feedback.rawValue,
                       let feedback = try await WalkthroughQueries(db: db).sharedFeedback(of: notification.recordId) {
                        lines += feedback.map { "\($0.heading): \($0.text)" }
                    }
                    let kind = NotificationKind(rawValue: notification.kind)
                    try await queue(to: to, person: person.id!, subject: notification.title, lines: lines,
                                    links: [("Open it in Lodestar", notification.link)], unsubscribe: notification.kind,
                                    why: "You get this email because email at once is your choice for \(kind?.label ?? "this kind of notification").", now: now, on: db)
                    notification.emailed = NotificationRecord.EmailState.queued.rawValue
                } else {
                    notification.emailed = NotificationRecord.EmailState.no.rawValue
                }
                try await notification.save(on: db)
            }
        }
    }

    /// The digest goes out once its hour has come, with every digest notification made before that hour.
    func writeDigests(now: Int) async throws {
        let cutoff = DisplayTime.startOfDay(DisplayTime.isoDay(now)) + Self.digestHour * 3_600
        guard now >= cutoff else { return }
        try await writeDigests(before: cutoff, now: now)
    }

    /// Each person's digest of the notifications made before `cutoff` (`lodestar email digest` sends them at once).
    func writeDigests(before cutoff: Int, now: Int) async throws {
        try await db.writeTransaction { db in
            let waiting = try await NotificationRecord.query(on: db).filter(\.$emailed == NotificationRecord.EmailState.digest.rawValue)
                .filter(\.$createdAt < cutoff).sort(\.$createdAt).all()
            guard !waiting.isEmpty else { return }
            let people = try await people(waiting.map(\.recipientId), on: db)
            for (recipient, notifications) in Dictionary(grouping: waiting, by: \.recipientId) {
                let fresh = notifications.filter { $0.createdAt >= now - Self.oldest - 86_400 }
                if let person = people[recipient], person.isEnabled, !fresh.isEmpty, let to = EmailAddress(person.email, name: person.displayName) {
                    let subject = fresh.count == 1 ? "Lodestar: 1 update" : "Lodestar: \(fresh.count) updates"
                    try await queue(to: to, person: recipient, subject: subject, lines: ["Since the last digest:"],
                                    links: fresh.map { ($0.title, $0.link) }, unsubscribe: NotificationQueries.digestKind,
                                    why: "You get this daily email because it is your choice for some kinds of notification.", now: now, on: db)
                }
                for notification in notifications {
                    notification.emailed = NotificationRecord.EmailState.digested.rawValue
                    try await notification.save(on: db)
                }
            }
        }
    }

    /// School leaders' Monday summaries, from 7:00 on Monday, once a week each (`anyDay`: now, whatever the day,
    /// for `lodestar email weekly`). The numbers are read before the write, which only checks none went out meanwhile.
    func writeWeeklySummaries(now: Int, anyDay: Bool = false) async throws {
        let weekStart = DisplayTime.startOfDay(DisplayTime.monday(of: DisplayTime.isoDay(now)))
        guard anyDay || now >= weekStart + Self.digestHour * 3_600 else { return }
        let kind = NotificationKind.weeklySummary.rawValue
        let sent = Set(try await OutboxEmail.query(on: db).filter(\.$kind == kind).filter(\.$createdAt >= weekStart).all().map(\.recipientId))
        let summary = WeeklySummary(db: db)
        var due: [(person: Staff, lines: [WeeklySummary.Line])] = []
        for id in try await summary.recipients() where !sent.contains(id) {
            guard try await NotificationQueries(db: db).delivery(of: id, .weeklySummary) != .off,
                  let person = try await StaffDirectory(db: db).person(id), person.isEnabled else { continue }
            let lines = try await summary.lines(for: id, now: now)
            if !lines.isEmpty { due.append((person, lines)) }
        }
        guard !due.isEmpty else { return }
        try await db.writeTransaction { [due] db in
            let sentMeanwhile = Set(try await OutboxEmail.query(on: db).filter(\.$kind == kind).filter(\.$createdAt >= weekStart).all().map(\.recipientId))
            for (person, lines) in due where !sentMeanwhile.contains(person.id!) {
                guard let to = EmailAddress(person.email, name: person.displayName) else { continue }
                try await queue(to: to, person: person.id!, subject: "Your week in Lodestar: the week of \(DisplayTime.date(DisplayTime.isoDay(weekStart)))",
                                lines: ["Hello, \(person.givenName). Where things stand as this week begins:"],
                                links: lines.map { ($0.text, $0.link) }, unsubscribe: kind,
                                why: "You get this email on Mondays because you lead a school in Lodestar.", now: now, on: db)
            }
        }
    }

    /// The staff the messages are for, by id, in one query.
    private func people(_ ids: [String], on db: any Database) async throws -> [String: Staff] {
        Dictionary(try await StaffDirectory(db: db).people(ids: ids).map { ($0.id!, $0) }) { first, _ in first }
    }

    /// One message in the outbox, its text and HTML made from the same lines, with no student-level data:
    /// titles name staff and dates only.
    private func queue(to: EmailAddress, person: String, subject: String, lines: [String], links: [(String, String)],
                       unsubscribe kind: String, why: String, now: Int, on db: any Database) async throws {
        let token = PKCE.randomToken()
        let unsubscribe = settings.publicURL + NotificationsController.unsubscribePath + token
        let choices = settings.publicURL + "/notifications#email"
        var text = lines.joined(separator: "\n\n") + "\n\n"
        text += links.map { "\($0.0)\n\(settings.publicURL + $0.1)" }.joined(separator: "\n\n")
        text += "\n\n-- \n\(why)\nChoose what you receive: \(choices)\nUnsubscribe: \(unsubscribe)\n"
        var html = "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\">"
        html += lines.map { "<p>\(HTML.escape($0))</p>" }.joined()
        html += "<ul>" + links.map { "<li><a href=\"\(HTML.escape(settings.publicURL + $0.1))\">\(HTML.escape($0.0))</a></li>" }.joined() + "</ul>"
        html += "<hr><p style=\"color:#555;font-size:.9em\">\(HTML.escape(why)) <a href=\"\(HTML.escape(choices))\">Choose what you receive</a> · "
        html += "<a href=\"\(HTML.escape(unsubscribe))\">Unsubscribe</a></p></body></html>"
        let email = OutboxEmail()
        email.id = UUID().uuidString.lowercased()
        email.recipientId = person
        email.toAddress = to.address
        email.subject = String(subject.prefix(300))
        email.textBody = text
        email.htmlBody = html
        email.kind = kind
        email.unsubscribeToken = token
        email.state = OutboxEmail.State.pending.rawValue
        email.attempts = 0
        email.nextAttemptAt = now
        email.createdAt = now
        try await email.create(on: db)
    }

    /// Messages in the outbox not yet sent or failed.
    func waitingEmails() async throws -> Int {
        try await OutboxEmail.query(on: db).filter(\.$state == OutboxEmail.State.pending.rawValue).count()
    }

    // MARK: Sending

    func deliver(now: Int) async throws -> Int {
        let claimed = try await claim(now: now)
        let people = try await people(claimed.map(\.recipientId), on: db)
        for email in claimed {
            let to = EmailAddress(email.toAddress, name: people[email.recipientId]?.displayName ?? "") ?? EmailAddress(email.toAddress)!
            let message = EmailMessage(from: settings.from, to: to, subject: email.subject, text: email.textBody, html: email.htmlBody,
                                       unsubscribe: email.unsubscribeToken.map { settings.publicURL + NotificationsController.unsubscribePath + $0 },
                                       messageID: "\(email.id!)@lodestar", date: Date(timeIntervalSince1970: TimeInterval(now)))
            let outcome = await client.send(from: settings.from.address, to: email.toAddress,
                                            data: message.rendered(boundary: "lodestar-" + email.id!))
            try await record(outcome, of: email.id!, now: now)
        }
        return claimed.count
    }

    /// Takes up to ten messages due now that no worker holds: on PostgreSQL rows another server has locked are
    /// skipped (`FOR UPDATE SKIP LOCKED`); on SQLite the one writer at a time does the same.
    private func claim(now: Int) async throws -> [OutboxEmail] {
        let work: @Sendable (any Database) async throws -> [OutboxEmail] = { db in
            let lock: SQLQueryString = db.sql.dialect.name == "sqlite" ? "" : " FOR UPDATE SKIP LOCKED"
            let ids = try await db.sql.raw("""
                SELECT id FROM email_outbox WHERE state = 'pending' AND next_attempt_at <= \(bind: now)
                AND (claimed_until IS NULL OR claimed_until < \(bind: now)) ORDER BY next_attempt_at, id LIMIT 10\(lock)
                """).all().map { try $0.decode(column: "id", as: String.self) }
            guard !ids.isEmpty else { return [] }
            try await OutboxEmail.query(on: db).filter(\.$id ~~ ids).set(\.$claimedUntil, to: now + Self.claim).update()
            return try await OutboxEmail.query(on: db).filter(\.$id ~~ ids).sort(\.$nextAttemptAt).sort(\.$id).all()
        }
        return db.sql.dialect.name == "sqlite" ? try await db.writeTransaction(work) : try await db.transaction(work)
    }

    private func record(_ outcome: SMTPClient.Outcome, of id: String, now: Int) async throws {
        try await db.writeTransaction { db in
            guard let email = try await OutboxEmail.find(id, on: db) else { return }
            email.claimedUntil = nil
            email.attempts += 1
            switch outcome {
            case .accepted(let reply):
                email.state = OutboxEmail.State.sent.rawValue
                email.acceptedAt = now
                email.lastError = String(reply.prefix(500))
            case .transient(let reason):
                email.lastError = String(reason.prefix(500))
                if email.attempts >= Self.attempts {
                    email.state = OutboxEmail.State.failed.rawValue
                } else {
                    // 1, 2, 4 … minutes, at most an hour.
                    email.nextAttemptAt = now + min(3_600, 60 << (email.attempts - 1))
                }
            case .permanent(let reason):
                email.state = OutboxEmail.State.failed.rawValue
                email.lastError = String(reason.prefix(500))
            }
            try await email.save(on: db)
        }
    }
}

/// The server's background work for notifications: reminders that come with time (every ten minutes, and at
/// start), and, when email is on, `EmailDelivery` rounds every few seconds.
final class NotificationWorker: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?
    static let reminderInterval = 600

    func didBoot(_ application: Application) throws {
        guard application.servesRequests else { return }
        let delivery = application.mail.map { EmailDelivery(settings: $0, db: application.db) }
        let db = application.db, logger = application.logger
        task = Task {
            var lastReminders = 0
            while !Task.isCancelled {
                let now = Int(Date().timeIntervalSince1970)
                if now - lastReminders >= Self.reminderInterval {
                    lastReminders = now
                    do { try await db.writeTransaction { db in try await NotificationQueries(db: db).remind(now: now) } } catch {
                        logger.error("Reminders: \(String(reflecting: error))")
                    }
                }
                if let delivery {
                    do { try await delivery.round() } catch { logger.error("Email delivery: \(String(reflecting: error))") }
                }
                try? await Task.sleep(for: .seconds(delivery?.settings.interval ?? 60))
            }
        }
    }

    func shutdown(_ application: Application) {
        task?.cancel()
    }
}
