import Fluent
import Foundation
import LodestarCore
import Vapor

/// A person's notifications, newest first, and their choice of email for each kind; and the unsubscribe
/// address every email carries, which works without signing in.
struct NotificationsController: RouteCollection {
    static let unsubscribePath = "/unsubscribe/"

    func boot(routes: any RoutesBuilder) throws {
        routes.get("notifications", use: list)
        routes.post("notifications", "read", use: markAllRead)
        routes.get("notifications", ":id", use: open)
        routes.post("notifications", "email", use: chooseEmail)
    }

    func bootUnsubscribe(routes: any RoutesBuilder) throws {
        routes.get("unsubscribe", ":token", use: unsubscribePage)
        routes.post("unsubscribe", ":token", use: unsubscribe)
    }

    struct ListContext: Encodable {
        struct Item: Encodable { let id: String; let title: String; let when: String; let unread: Bool }
        struct Choice: Encodable { let kind: String; let label: String; let options: [SelectOption] }
        let page: PageContext
        let items: [Item]
        let unread: Int
        let choices: [Choice]
        let emailOn: Bool
        let feedbackInEmail: Bool
        let notice: String?
    }

    func list(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let queries = NotificationQueries(db: req.db)
        let items = try await queries.recent(of: viewer.id).map {
            ListContext.Item(id: $0.id!, title: $0.title, when: DisplayTime.dateTime($0.createdAt), unread: $0.readAt == nil)
        }
        let deliveries = try await queries.deliveries(of: viewer.id)
        // The Monday summary is offered to those it goes to: school leaders.
        let kinds = NotificationKind.allCases.filter { $0 != .weeklySummary || !viewer.policy.administeredSchools.isEmpty }
        let choices = kinds.map { kind in
            ListContext.Choice(kind: kind.rawValue, label: kind.label.prefix(1).uppercased() + kind.label.dropFirst(), options: Delivery.allCases.map {
                SelectOption(value: $0.rawValue, label: $0.label, selected: deliveries[kind] == $0)
            })
        }
        return try await req.view.render("notifications/list", ListContext(
            page: PageContext(request: req, title: "Notifications"), items: items, unread: items.filter(\.unread).count,
            choices: choices, emailOn: req.application.mail != nil, feedbackInEmail: req.application.mail?.includesFeedbackText == true, notice: req.takeNotice()))
    }

    func markAllRead(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try await req.db.writeTransaction { db in
            try await NotificationQueries(db: db).markRead(of: viewer.id, at: Int(Date().timeIntervalSince1970))
        }
        return req.redirect(to: "/notifications")
    }

    /// Marks the notification read and goes to its record.
    func open(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let id = try req.parameters.require("id")
        guard let notification = try await NotificationQueries(db: req.db).notification(id, of: viewer.id) else { throw LodestarError.notFound }
        if notification.readAt == nil {
            try await req.db.writeTransaction { db in
                try await NotificationQueries(db: db).markRead([id], of: viewer.id, at: Int(Date().timeIntervalSince1970))
            }
        }
        return req.redirect(to: notification.link)
    }

    func chooseEmail(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode([String: String].self)
        var chosen: [(NotificationKind, Delivery)] = []
        for kind in NotificationKind.allCases {
            guard let value = form[kind.rawValue] else { continue }
            guard let delivery = Delivery(rawValue: value) else { throw LodestarError("Choose how to hear of “\(kind.label)” from the list.") }
            chosen.append((kind, delivery))
        }
        try await req.db.writeTransaction { [chosen] db in
            for (kind, delivery) in chosen { try await NotificationQueries(db: db).choose(delivery, for: kind, of: viewer.id) }
        }
        req.leaveNotice("Saved how you hear of each kind of notification.")
        return req.redirect(to: "/notifications#email")
    }

    // MARK: - Unsubscribing from an email

    struct UnsubscribeContext: Encodable {
        let page: PageContext
        let token: String
        let label: String?
        let done: Bool
    }

    /// The page an email's unsubscribe link opens: one button, so a link scanner that follows links does not
    /// unsubscribe anyone.
    func unsubscribePage(req: Request) async throws -> View {
        let token = try req.parameters.require("token")
        let label = try await NotificationQueries(db: req.db).unsubscribeLabel(token: token)
        return try await req.view.render("notifications/unsubscribe", UnsubscribeContext(
            page: PageContext(request: req, title: "Unsubscribe", startsSession: false), token: token, label: label, done: false))
    }

    /// One-click (RFC 8058: a POST of `List-Unsubscribe=One-Click` from the mail client) or the page's button.
    func unsubscribe(req: Request) async throws -> Response {
        let token = try req.parameters.require("token")
        guard let label = try await req.db.writeTransaction({ db in try await NotificationQueries(db: db).unsubscribe(token: token) }) else {
            throw LodestarError.notFound
        }
        return try await req.view.render("notifications/unsubscribe", UnsubscribeContext(
            page: PageContext(request: req, title: "Unsubscribed", startsSession: false), token: "", label: label, done: true)).encodeResponse(for: req)
    }
}
