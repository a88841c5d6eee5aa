import Fluent
import Foundation
import LodestarCore
import SQLKit

/// A person's private calendar feed: what is theirs to see, from two months back to a year ahead —
/// announced visits (the teacher visited and the observer who plans them), coaching conversations and their
/// follow-up visits (coach and teacher), coaching next steps and action steps they own (due dates), and
/// professional-learning sessions they lead or attend or that are planned for their school. No notes or
/// feedback go in a feed: its link can be forwarded, so it says when, what kind and with whom.
struct CalendarFeedQueries {
    let db: any Database
    var sql: any SQLDatabase { db.sql }

    static let lookBack = 60 * 86_400
    static let lookAhead = 366 * 86_400
    /// How long an item that is gone is still sent, as cancelled.
    static let keepCancelled = 60 * 86_400

    // MARK: Tokens

    static func hash(_ token: String) -> String {
        SHA256Hex.of(token)
    }

    /// A new private link's token for `personId` (the old one stops working); only its hash is kept.
    func renew(for personId: String, now: Int) async throws -> String {
        let token = PKCE.randomToken()
        let hash = Self.hash(token)
        try await db.writeTransaction { db in
            try await db.sql.raw("DELETE FROM calendar_feeds WHERE id = \(bind: personId)").run()
            try await db.sql.raw("INSERT INTO calendar_feeds (id, token_hash, created_at) VALUES (\(bind: personId), \(bind: hash), \(bind: now))").run()
        }
        return token
    }

    func revoke(for personId: String) async throws {
        try await sql.raw("DELETE FROM calendar_feeds WHERE id = \(bind: personId)").run()
    }

    /// When the person's link was made, if they have one.
    func created(for personId: String) async throws -> Int? {
        try await sql.raw("SELECT created_at FROM calendar_feeds WHERE id = \(bind: personId)").first()?.decode(column: "created_at", as: Int.self)
    }

    /// Whose feed a token opens.
    func person(token: String) async throws -> String? {
        guard token.count == 43 else { return nil }
        return try await sql.raw("SELECT id FROM calendar_feeds WHERE token_hash = \(bind: Self.hash(token))").first()?.decode(column: "id", as: String.self)
    }

    // MARK: Items

    /// What the feed holds now, before sequences: the UID names the record, so it stays when the record changes.
    func items(for personId: String, base: String, now: Int) async throws -> [ICalendarWriter.Event] {
        let from = now - Self.lookBack, to = now + Self.lookAhead
        let fromDay = DisplayTime.isoDay(from), toDay = DisplayTime.isoDay(to)
        var names: [String: String] = [:]
        var events: [(ICalendarWriter.Event, [String])] = []
        let host = URL(string: base)?.host ?? "lodestar"
        func uid(_ kind: String, _ id: String) -> String { "\(kind)-\(id)@\(host)" }
        func event(_ kind: String, _ id: String, _ summary: String, _ when: ICalendarWriter.Event.When, people: [String] = [],
                   description: String = "", location: String = "", link: String? = nil) {
            events.append((ICalendarWriter.Event(uid: uid(kind, id), sequence: 0, summary: summary, description: description, location: location,
                                                 url: link.map { base + $0 }, when: when), people))
        }

        for visit in try await WalkthroughQueries(db: db).plannedVisits(involving: personId, from: from, to: to) {
            let other = visit.observerId == personId ? visit.teacherId : visit.observerId
            event("visit", visit.id!, visit.observerId == personId ? "Visit: {\(other)} (\(visit.visitType))" : "Announced visit from {\(other)}",
                  .time(visit.scheduledFor, visit.scheduledFor + 30 * 60), people: [other])
        }
        let coaching = CoachingQueries(db: db)
        for talk in try await coaching.conversations(involving: personId, from: from, to: to) {
            let other = talk.coachId == personId ? talk.teacherId : talk.coachId
            if talk.heldAt >= from && talk.heldAt < to {
                event("coaching", talk.id!, "Coaching conversation with {\(other)}", .time(talk.heldAt, talk.heldAt + 30 * 60), people: [other])
            }
            if let followUp = talk.followUpAt, followUp >= from && followUp < to {
                event("follow-up", talk.id!, "Coaching follow-up visit with {\(other)}", .time(followUp, followUp + 30 * 60), people: [other])
            }
        }
        for (step, talk) in try await coaching.openSteps(involving: personId, fromDay: fromDay, toDay: toDay) {
            let owner = step.owner == "coach" ? talk.coachId : talk.teacherId
            let text = String(step.text.prefix(120))
            event("next-step", step.id!, owner == personId ? "Next step due: \(text)" : "{\(owner)}'s next step due: \(text)", .day(step.dueOn), people: [owner])
        }
        for (step, scope) in try await GoalsQueries(db: db).openSteps(ownedBy: personId, fromDay: fromDay, toDay: toDay) {
            event("action-step", step.id!, "Action step due: \(String(step.text.prefix(120)))", .day(step.dueOn),
                  link: "/goals/\(scope.urlQueryEncoded)/\(step.goalId.urlQueryEncoded)")
        }
        let schools = try await StaffDirectory(db: db).schools(of: personId)
        for session in try await LearningQueries(db: db).sessions(for: personId, schools: schools, from: from, to: to, now: now) {
            let title = String(session.title.prefix(150))
            event("session", session.id!, session.facilitatorId == personId ? "Leading: \(title)" : "Professional learning: \(title)",
                  .time(session.startsAt, session.endsAt), location: String(session.location.prefix(200)),
                  link: "/learning/sessions/\(session.id!.urlQueryEncoded)")
        }

        for person in try await StaffDirectory(db: db).people(ids: Set(events.flatMap(\.1))) { names[person.id!] = person.displayName }
        return events.map { item, people in
            var event = item
            for person in people { event.summary = event.summary.replacingOccurrences(of: "{\(person)}", with: names[person] ?? "a colleague") }
            return event
        }
    }

    /// The feed as sent now: each item with its SEQUENCE (raised when it changed since the feed last said it),
    /// and items gone since (a visit called off, a session moved out of the feed) as cancelled, for a while.
    func feed(for personId: String, base: String, now: Int) async throws -> [ICalendarWriter.Event] {
        let current = try await items(for: personId, base: base, now: now)
        return try await db.writeTransaction { db in
            let sql = db.sql
            var ledger: [String: (fingerprint: String, sequence: Int, summary: String, start: Int?, end: Int?, day: String?, cancelledAt: Int?)] = [:]
            for row in try await sql.raw("""
                SELECT uid, fingerprint, sequence, summary, starts_at, ends_at, day, cancelled_at FROM calendar_feed_items WHERE person_id = \(bind: personId)
                """).all() {
                ledger[try row.decode(column: "uid", as: String.self)] = (
                    try row.decode(column: "fingerprint", as: String.self), try row.decode(column: "sequence", as: Int.self),
                    try row.decode(column: "summary", as: String.self), try row.decode(column: "starts_at", as: Int?.self),
                    try row.decode(column: "ends_at", as: Int?.self), try row.decode(column: "day", as: String?.self),
                    try row.decode(column: "cancelled_at", as: Int?.self))
            }
            var result: [ICalendarWriter.Event] = []
            func save(_ event: ICalendarWriter.Event, fingerprint: String, cancelledAt: Int?) async throws {
                var start: Int?, end: Int?, day: String?
                switch event.when {
                case .time(let a, let b): (start, end) = (a, b)
                case .day(let d): day = d
                }
                try await sql.raw("DELETE FROM calendar_feed_items WHERE id = \(bind: personId + "|" + event.uid)").run()
                try await sql.raw("""
                    INSERT INTO calendar_feed_items (id, person_id, uid, fingerprint, sequence, summary, starts_at, ends_at, day, cancelled_at)
                    VALUES (\(bind: personId + "|" + event.uid), \(bind: personId), \(bind: event.uid), \(bind: fingerprint), \(bind: event.sequence),
                            \(bind: String(event.summary.prefix(300))), \(bind: start), \(bind: end), \(bind: day), \(bind: cancelledAt))
                    """).run()
            }
            for var event in current {
                let fingerprint = Self.fingerprint(event)
                if let known = ledger[event.uid] {
                    event.sequence = known.fingerprint == fingerprint && known.cancelledAt == nil ? known.sequence : known.sequence + 1
                    if event.sequence != known.sequence { try await save(event, fingerprint: fingerprint, cancelledAt: nil) }
                } else {
                    try await save(event, fingerprint: fingerprint, cancelledAt: nil)
                }
                result.append(event)
            }
            let present = Set(current.map(\.uid))
            for (uid, known) in ledger where !present.contains(uid) {
                if let cancelled = known.cancelledAt, now - cancelled > Self.keepCancelled {
                    try await sql.raw("DELETE FROM calendar_feed_items WHERE id = \(bind: personId + "|" + uid)").run()
                    continue
                }
                let when: ICalendarWriter.Event.When = known.day.map { .day($0) } ?? .time(known.start ?? now, known.end ?? now)
                var event = ICalendarWriter.Event(uid: uid, sequence: known.sequence, summary: known.summary, when: when, cancelled: true)
                if known.cancelledAt == nil {
                    event.sequence += 1
                    try await save(event, fingerprint: known.fingerprint, cancelledAt: now)
                }
                result.append(event)
            }
            return result.sorted { $0.uid < $1.uid }
        }
    }

    static func fingerprint(_ event: ICalendarWriter.Event) -> String {
        let text = "\(event.summary)\n\(event.description)\n\(event.location)\n\(event.url ?? "")\n\(event.when)"
        return SHA256Hex.of(text, bytes: 16)
    }
}
