import Foundation
import LodestarCore
import Vapor

/// Each person's private calendar feed: a page to make (or remake) the link and to turn it off, and the feed
/// itself, opened by the link's token alone (a calendar app has no session), read-only.
struct CalendarFeedsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("account", "calendar-feed", use: page)
        routes.post("account", "calendar-feed", use: renew)
        routes.post("account", "calendar-feed", "revoke", use: revoke)
    }

    /// The feed, outside the signed-in routes.
    static func bootFeed(_ routes: any RoutesBuilder) {
        routes.get("calendar", "feed", ":feedToken", use: feed)
    }

    struct Page: Encodable {
        let page: PageContext
        let created: String?
        /// Shown once, right after it is made.
        let link: String?
        var notice: String?
    }

    func page(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let created = try await CalendarFeedQueries(db: req.db).created(for: viewer.id)
        return try await req.view.render("calendar/feed", Page(page: PageContext(request: req, title: "Your calendar feed"),
                                                               created: created.map(DisplayTime.dateTime), link: nil, notice: req.takeNotice()))
    }

    func renew(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let now = Int(Date().timeIntervalSince1970)
        let token = try await CalendarFeedQueries(db: req.db).renew(for: viewer.id, now: now)
        try await req.audit("made a new private calendar link", subject: "calendar feed of \(viewer.id)", on: req.db)
        return try await req.view.render("calendar/feed", Page(page: PageContext(request: req, title: "Your calendar feed"),
                                                               created: DisplayTime.dateTime(now), link: "\(req.publicBase)/calendar/feed/\(token).ics"))
    }

    func revoke(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try await CalendarFeedQueries(db: req.db).revoke(for: viewer.id)
        try await req.audit("turned off their private calendar link", subject: "calendar feed of \(viewer.id)", on: req.db)
        req.leaveNotice("Your calendar link is turned off: calendars subscribed to it no longer receive anything.")
        return req.redirect(to: "/account/calendar-feed")
    }

    @Sendable static func feed(req: Request) async throws -> Response {
        var token = try req.parameters.require("feedToken")
        if token.hasSuffix(".ics") { token.removeLast(4) }
        let queries = CalendarFeedQueries(db: req.db)
        guard let person = try await queries.person(token: token) else { throw LodestarError.notFound }
        let now = Int(Date().timeIntervalSince1970)
        let events = try await queries.feed(for: person, base: req.publicBase, now: now)
        let body = ICalendarWriter.feed(name: "Lodestar", events: events, stamp: now)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "calendar", parameters: ["charset": "utf-8"])
        headers.add(name: .contentDisposition, value: "inline; filename=\"lodestar.ics\"")
        headers.add(name: "X-Robots-Tag", value: "noindex")
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }
}
