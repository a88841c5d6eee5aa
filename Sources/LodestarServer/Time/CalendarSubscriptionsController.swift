import Fluent
import Foundation
import LodestarCore
import Vapor

/// A leader's connected calendars: connect one by its secret address (read at once, so a wrong address
/// is said before anything is kept), see when each last refreshed and any error, refresh now, remove.
/// At `/time/district/calendars`, the district's calendars, which every leader who keeps their time receives.
struct CalendarSubscriptionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("time", ":leaderId", "calendars", use: page)
        routes.post("time", ":leaderId", "calendars", use: add)
        routes.post("time", ":leaderId", "calendars", ":subscriptionId", "refresh", use: refresh)
        routes.post("time", ":leaderId", "calendars", ":subscriptionId", "delete", use: remove)
    }

    struct Page: Encodable {
        struct Row: Encodable {
            let id: String
            let label: String
            let host: String
            let refreshed: String
            let succeeded: String?
            let error: String?
            let events: Int
        }
        let page: PageContext
        let leaderId: String
        let forEveryone: Bool
        let rows: [Row]
        let label: String
        let address: String
        let error: String?
        let notice: String?
    }

    private func render(_ req: Request, leaderId: String, label: String = "", address: String = "", error: String? = nil,
                        notice: String? = nil) async throws -> Response {
        let subscriptions = try await CalendarSubscription.query(on: req.db).filter(\.$leaderId == leaderId).sort(\.$createdAt).all()
        let rows = subscriptions.map { item in
            Page.Row(id: item.id!, label: item.label, host: item.host,
                     refreshed: item.refreshedAt.map(DisplayTime.dateTime) ?? "not yet",
                     succeeded: item.succeededAt.map(DisplayTime.dateTime), error: item.lastError, events: item.events)
        }
        let response = try await req.view.render("time/calendars", Page(
            page: PageContext(request: req, title: leaderId == CalendarSubscription.everyone ? "District calendars" : "Connected calendars"),
            leaderId: leaderId, forEveryone: leaderId == CalendarSubscription.everyone, rows: rows,
            label: label, address: address, error: error, notice: notice ?? req.takeNotice())).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    /// Whose calendars a request is about: a leader's own, which only they may change, or the district's
    /// (`CalendarSubscription.everyone`), which district admins and leaders keep.
    private func owner(_ req: Request) async throws -> String {
        if req.parameters.get("leaderId") == CalendarSubscription.everyone {
            let viewer = try await req.viewer()
            try req.require(viewer.policy.canConnectDistrictCalendars)
            return CalendarSubscription.everyone
        }
        let context = try await TimeController.LeaderContext.load(req)
        try context.requireEdit(req)
        return context.id
    }

    func page(req: Request) async throws -> Response {
        try await render(req, leaderId: try await owner(req))
    }

    struct AddForm: Content {
        var label: String?
        var address: String?
    }

    func add(req: Request) async throws -> Response {
        let owner = try await owner(req)
        let form = try req.content.decode(AddForm.self)
        let label = (form.label ?? "").trimmingCharacters(in: .whitespacesAndNewlines), address = (form.address ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        func refuse(_ message: String) async throws -> Response {
            try await render(req, leaderId: owner, label: String(label.prefix(CalendarSubscription.labelLimit)), address: String(address.prefix(2_000)), error: message)
        }
        guard !label.isEmpty, label.count <= CalendarSubscription.labelLimit else {
            return try await refuse("Give the calendar a name of at most \(CalendarSubscription.labelLimit) characters (for example “School calendar”).")
        }
        let url: URL
        do { url = try CalendarFetcher.checkedURL(address, allowLoopback: req.application.calendarFetcherSettings.allowLoopback) } catch {
            return try await refuse(error.description)
        }
        guard try await CalendarSubscription.query(on: req.db).filter(\.$leaderId == owner).count() < 10 else {
            return try await refuse("You have connected 10 calendars, the most Lodestar keeps; remove one first.")
        }
        let now = Int(Date().timeIntervalSince1970)
        let subscription = CalendarSubscription()
        subscription.id = UUID().uuidString.lowercased()
        subscription.leaderId = owner
        subscription.label = label
        subscription.address = url.absoluteString
        subscription.events = 0
        subscription.intervalSeconds = CalendarSubscription.defaultInterval
        subscription.nextRefreshAt = now
        subscription.createdAt = now
        let outcome = try await CalendarSubscriptions(db: req.db, fetcher: req.application.calendarFetcher).refresh(subscription, now: now)
        if let error = outcome.error {
            return try await refuse("Nothing was connected. \(error)")
        }
        try await subscription.create(on: req.db)
        let report = outcome.report
        req.leaveNotice("Connected “\(label)”: \(subscription.events) events this school year\(subscription.isForEveryone ? ", in every leader's time" : ""). It refreshes every hour."
                        + (report?.warnings.isEmpty == false ? " " + report!.warnings.joined(separator: " ") : ""))
        return req.redirect(to: "/time/\(owner.urlQueryEncoded)/calendars")
    }

    private func subscription(_ req: Request, leaderId: String) async throws -> CalendarSubscription {
        let id = try req.parameters.require("subscriptionId")
        guard let subscription = try await CalendarSubscription.find(id, on: req.db), subscription.leaderId == leaderId else { throw LodestarError.notFound }
        return subscription
    }

    func refresh(req: Request) async throws -> Response {
        let owner = try await owner(req)
        let subscription = try await subscription(req, leaderId: owner)
        let outcome = try await CalendarSubscriptions(db: req.db, fetcher: req.application.calendarFetcher).refresh(subscription)
        if let error = outcome.error {
            req.leaveNotice("“\(subscription.label)” could not be refreshed: \(error)")
        } else if outcome.notModified {
            req.leaveNotice("“\(subscription.label)” has not changed since the last refresh.")
        } else if let report = outcome.report {
            req.leaveNotice("“\(subscription.label)” refreshed: \(report.added) new, \(report.updated) kept or updated, \(report.removed) removed.")
        }
        return req.redirect(to: "/time/\(owner.urlQueryEncoded)/calendars")
    }

    func remove(req: Request) async throws -> Response {
        let owner = try await owner(req)
        let subscription = try await subscription(req, leaderId: owner)
        try await CalendarSubscriptions(db: req.db, fetcher: req.application.calendarFetcher).remove(subscription)
        req.leaveNotice("“\(subscription.label)” is no longer connected, and its events are gone from \(subscription.isForEveryone ? "every leader's" : "your") time.")
        return req.redirect(to: "/time/\(owner.urlQueryEncoded)/calendars")
    }
}
