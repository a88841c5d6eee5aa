import LodestarCore
import Vapor

/// The district admin's starting point: every administration page in one place.
struct AdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", use: index)
    }

    struct Page: Encodable {
        struct Item: Encodable { let title: String; let href: String; let text: String }
        let page: PageContext
        let items: [Item]
        let notice: String?
        /// Student-level exports (and refused ones) of the last seven days: each is a notice to district admins.
        let exports: [AuditQueries.Row]
        /// How people sign in, as configured (secrets are never shown).
        struct Provider: Encodable { let label: String; let issuer: String; let restriction: String; let redirectURI: String }
        let providers: [Provider]
        let passwords: String
        let secondFactor: String
        /// Where email goes ("smtp.example.org:587 with STARTTLS"), or nil when email is off.
        let mailServer: String?
        let outbox: NotificationQueries.OutboxSummary
    }

    func index(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        return try await req.view.render("accounts/admin", Page(page: PageContext(request: req, title: "Administration"), items: [
            .init(title: "People and roles", href: "/admin/people", text: "Find staff and give or remove roles."),
            .init(title: "Import a roster", href: "/admin/import", text: "OneRoster 1.1 or 1.2 export from the student information system."),
            .init(title: "Import standards", href: "/admin/standards", text: "CASE 1.0 packages for the standards you teach and assess."),
            .init(title: "Import scores", href: "/assessments/import", text: "Score files and OneRoster gradebooks."),
            .init(title: "Instructional frameworks", href: "/admin/frameworks", text: "The practices walkthroughs look for; versions, import and export."),
            .init(title: "Leadership framework", href: "/admin/leadership-frameworks", text: "The four dimensions leadership teams rate themselves on, with the evidence beside each indicator; versions, import and export."),
            .init(title: "Mastery method", href: "/admin/mastery", text: "How scores become mastery, for the district and each school."),
            .init(title: "Proficiency scales", href: "/admin/scales", text: "Levels, mastery value and cut scores."),
            .init(title: "Audit trail", href: "/admin/audit", text: "Who viewed, exported, imported or changed what, and every sign-in."),
        ], notice: req.takeNotice(), exports: try await AuditQueries(db: req.db).recentStudentExports(),
           providers: req.application.identityProviders.map { provider in
               Page.Provider(label: provider.label, issuer: provider.issuer,
                             restriction: provider.hostedDomain.map { "accounts of \($0) only" } ?? provider.tenant.map { "tenant \($0) only" } ?? "any account the provider signs in",
                             redirectURI: SingleSignOnController.redirectURI(req, provider: provider))
           },
           passwords: req.application.signInSettings.passwordsForBreakGlassOnly
               ? "Only district admins made in Lodestar (break-glass) may sign in with a password." : "Everyone with a password may use it.",
           secondFactor: req.application.signInSettings.asksLodestarCode
               ? "Through a provider, Lodestar's own code is asked as well of those who set it up." : "Through a provider, the provider's own second factor is trusted.",
           mailServer: req.application.mail.map { mail in
               "\(mail.smtp.host):\(mail.smtp.port) " + (mail.smtp.security == .startTLS ? "with STARTTLS" : mail.smtp.security == .implicitTLS ? "over TLS" : "without TLS (a relay on this machine)")
               + ", from \(mail.from.address)"
           },
           outbox: try await NotificationQueries(db: req.db).outboxSummary()))
    }
}
