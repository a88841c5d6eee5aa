import LodestarCore
import Vapor

/// What the layout needs on every page: the title, the signed-in person, the navigation their roles
/// open, and the CSRF token for forms.
struct PageContext: Encodable {
    struct NavLink: Encodable {
        let label: String
        let href: String
        let current: Bool
    }

    let title: String
    let csrf: String
    let personName: String?
    let roleSummary: String?
    /// Notifications not yet opened (the bell in the top bar).
    let unread: Int
    let nav: [NavLink]
    /// The pages of the section the page belongs to (Insights), as tabs under the title.
    let sectionTabs: [NavLink]
    /// Seconds after which the browser loads the page again (a running import's progress); nil: never.
    var refreshSeconds: Int?

    /// The Insights pages, each reached from every other: the same leaders may open all five.
    static let insightsPages = [("Practice trends", "/insights/practice"), ("Practice and growth", "/insights/practice-and-growth"),
                                ("Feedback and coverage", "/insights/feedback"), ("Learning trends", "/insights/learning"), ("Equity", "/insights/equity")]

    /// `startsSession: false` is for error pages: they may be rendered for a request the sessions
    /// middleware never saw (a malformed path stops at the static files), and reading a session there
    /// stops the process. They show an existing token (for the sign-out form) and never create one.
    init(request: Request, title: String, startsSession: Bool = true) {
        self.title = title
        csrf = startsSession ? request.csrfToken : request.existingSessionCSRFToken ?? ""
        let viewer = request.loadedViewer
        personName = viewer?.staff.displayName
        roleSummary = viewer?.policy.roleSummary
        unread = viewer?.unreadNotifications ?? 0
        let links = viewer?.policy.navigation ?? []
        let path = request.url.path
        nav = links.map { label, href in
            NavLink(label: label, href: href, current: href == "/" ? path == "/" : path.hasPrefix(href))
        }
        sectionTabs = viewer != nil && path.hasPrefix("/insights/") ? Self.insightsPages.map { label, href in
            // The visits behind a trend's cell belong to practice trends.
            NavLink(label: label, href: href, current: path == href || (href == "/insights/practice" && path.hasPrefix("/insights/practice/")))
        } : []
    }
}

/// One choice in a select list or a set of options on a page.
struct SelectOption: Codable, Sendable {
    let value: String
    let label: String
    var selected = false
}

extension String {
    /// The string as an HTML id: letters, digits and hyphens only (record ids may hold "|").
    var htmlId: String {
        String(map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    }
}
