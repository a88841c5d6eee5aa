import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import LodestarCore
import Vapor

/// Where the database lives, read from the environment.
public enum DatabaseLocation: Sendable, Equatable {
    /// An SQLite file: the embedded default.
    case sqliteFile(String)
    /// An in-memory SQLite database, for tests.
    case sqliteMemory
    /// PostgreSQL, from a `postgres://` URL; `schema` (created if missing) keeps separate
    /// databases apart in one server, as the tests do.
    case postgres(String, schema: String? = nil)

    /// `DATABASE_URL` selects PostgreSQL; otherwise SQLite at `DATABASE_PATH` (default `lodestar.sqlite`).
    public static func fromEnvironment() -> DatabaseLocation {
        if let url = Environment.get("DATABASE_URL"), !url.isEmpty { return .postgres(url) }
        return .sqliteFile(Environment.get("DATABASE_PATH") ?? "lodestar.sqlite")
    }
}

/// Sets up the application: database, sessions, views, middleware, routes, commands.
/// The database is migrated here, so a fresh file or a fresh PostgreSQL database is ready on start.
public func configure(_ app: Application, database: DatabaseLocation = .fromEnvironment()) async throws {
    app.directory = DirectoryConfiguration(workingDirectory: resourcesRoot())

    switch database {
    case .sqliteFile(let path):
        app.databases.use(.sqlite(.file(path), maxConnectionsPerEventLoop: 1), as: .sqlite)
        useBackgroundDatabase(app, .sqlite(.file(path), maxConnectionsPerEventLoop: 1), as: .sqlite)
    case .sqliteMemory:
        // The tests' databases: a hundred share the machine, so a request may wait long for its connection.
        app.databases.use(.sqlite(.memory, maxConnectionsPerEventLoop: 1, connectionPoolTimeout: .seconds(120)), as: .sqlite)
    case .postgres(let url, let schema):
        var config = try SQLPostgresConfiguration(url: url)
        if let schema {
            config.searchPath = [schema]
            // The tests' schemas: a hundred apps share a loaded machine, so opening a connection may wait long
            // too (the default ten seconds once failed a sign-in mid-test under CI load).
            config.coreConfiguration.options.connectTimeout = .seconds(120)
        }
        app.databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: 4, connectionPoolTimeout: .seconds(schema == nil ? 10 : 120)), as: .psql)
        // The tests' schemas, a hundred at once, share the application's connections.
        if schema == nil { useBackgroundDatabase(app, .postgres(configuration: config, maxConnectionsPerEventLoop: 2, connectionPoolTimeout: .seconds(120)), as: .psql) }
        if let schema { try await app.db.sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run() }
    }
    if case .sqliteFile = database {
        // WAL lets readers work while one writer writes; the setting is kept in the file.
        try await app.db.sql.raw("PRAGMA journal_mode=WAL").run()
        WriteGate.turnOn()
    }

    app.migrations.add(Migrations.all)
    try await app.autoMigrate()
    _ = try await SessionPurge.run(on: app.db)
    app.lifecycle.use(SessionPurgeSchedule())

    app.sessions.use { app in ChangedOnlySessionDriver(stored: app.fluent.sessions.driver()) }
    app.sessions.configuration = SessionsConfiguration(cookieName: "lodestar_session") { id in sessionCookie(id, secure: Cookies.secure) }

    app.views.use(.leaf)
    app.leaf.cache.isEnabled = app.environment.isRelease

    app.middleware = Middlewares()
    let inFlight = InFlightRequests()
    app.middleware.use(inFlight)
    app.lifecycle.use(inFlight)
    app.middleware.use(RequestLogMiddleware(logLevel: app.environment == .testing ? .debug : .info))
    // Security headers outermost, so error pages, static files and redirects carry them too; the error
    // page outside the sessions, so it never needs one (see `PageContext`).
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(LodestarErrorMiddleware())
    app.middleware.use(PathLengthMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(StaffSessionAuthenticator())
    app.middleware.use(CSRFMiddleware())

    app.metricsAccess = try MetricsAccess.fromEnvironment(ProcessInfo.processInfo.environment)
    app.importJobs.patience = try ImportJobs.patience(fromEnvironment: ProcessInfo.processInfo.environment)
    app.lifecycle.use(app.importJobs)
    app.walkthroughWrites = WalkthroughStore.groupCommit()
    _ = app.refusalLog
    app.twoFactorRequirement = TwoFactorRequirement.fromEnvironment()
    let sso = IdentityProvider.fromEnvironment(ProcessInfo.processInfo.environment)
    for problem in sso.problems { app.logger.warning("Single sign-on: \(problem)") }
    app.identityProviders = sso.providers
    app.signInSettings = SignInSettings.fromEnvironment()
    if app.signInSettings.passwordsForBreakGlassOnly, sso.providers.isEmpty {
        app.logger.warning("LODESTAR_PASSWORD_SIGNIN=break-glass with no provider configured: only break-glass administrators can sign in")
    }
    app.storage[IdentityProviderKeysKey.self] = IdentityProviderKeys()
    if app.environment != .testing {
        // Email is off without LODESTAR_SMTP_URL; set but wrong, the server refuses to start rather than lose mail quietly.
        app.mail = try MailSettings.fromEnvironment(ProcessInfo.processInfo.environment)
        app.lifecycle.use(NotificationWorker())
        app.lifecycle.use(RepeatingWork("Candidate data retention", every: Duration.seconds(3_600)) { db in
            try await HiringQueries(db: db).deleteExpired(now: Int(Date().timeIntervalSince1970))
        })
        app.calendarFetcherSettings = CalendarFetcher.Settings.fromEnvironment(ProcessInfo.processInfo.environment)
        if app.calendarFetcherSettings.allowLoopback {
            app.logger.warning("LODESTAR_CALENDAR_ALLOW_LOOPBACK=1: calendar subscriptions may read http:// and loopback addresses (for tests only)")
        }
        app.lifecycle.use(CalendarSubscriptionWorker())
    }
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(ImportCommand(), as: "import")
    app.asyncCommands.use(UserCommand(), as: "user")
    app.asyncCommands.use(RollupsCommand(), as: "rollups")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(EmailCommand(), as: "email")

    try routes(app)
}

/// Connections of their own for long work started from a page (`BackgroundDatabase`).
private func useBackgroundDatabase(_ app: Application, _ configuration: DatabaseConfigurationFactory, as id: DatabaseID) {
    let background = BackgroundDatabase(configuration, as: id, threadPool: app.threadPool)
    app.storage[BackgroundDatabaseKey.self] = background
    app.lifecycle.use(background)
}

func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    try app.register(collection: MetricsController())
    try app.register(collection: SignInController())
    try app.register(collection: TwoFactorController())
    try app.register(collection: SingleSignOnController())
    let signedIn = app.grouped(Staff.redirectMiddleware(path: "/signin"), TwoFactorRequiredMiddleware())
    try TwoFactorController().bootAccount(routes: signedIn)
    try signedIn.register(collection: HomeController())
    try signedIn.register(collection: RosterController())
    try signedIn.register(collection: TeacherController())
    try signedIn.register(collection: SearchController())
    try signedIn.register(collection: AdminController())
    try signedIn.register(collection: AuditController())
    try signedIn.register(collection: StudentRecordsController())
    try signedIn.register(collection: SchoolStudentsExport())
    try signedIn.register(collection: PeopleAdminController())
    try signedIn.register(collection: RosterImportController())
    try signedIn.register(collection: WalkthroughController())
    try signedIn.register(collection: WalkthroughEditController())
    try signedIn.register(collection: CoverageController())
    try signedIn.register(collection: CoachingController())
    try signedIn.register(collection: StandardsController())
    try signedIn.register(collection: PriorityStandardsController())
    try signedIn.register(collection: AlignmentController())
    try signedIn.register(collection: AssessmentController())
    try signedIn.register(collection: MasterySettingsController())
    try signedIn.register(collection: ScalesController())
    try signedIn.register(collection: InterventionController())
    try signedIn.register(collection: FrequencyController())
    try signedIn.register(collection: ReadingTrackerController())
    try signedIn.register(collection: VisionController())
    try signedIn.register(collection: GoalsController())
    try signedIn.register(collection: ActionPlanController())
    try signedIn.register(collection: SchoolPlanController())
    try signedIn.register(collection: TimeController())
    try signedIn.register(collection: TimeOverviewController())
    try signedIn.register(collection: CalendarSubscriptionsController())
    try signedIn.register(collection: CalendarFeedsController())
    try signedIn.register(collection: DelegationController())
    try signedIn.register(collection: TimeCategoriesController())
    try signedIn.register(collection: PracticeTrendsController())
    try signedIn.register(collection: LearningTrendsController())
    try signedIn.register(collection: EquityController())
    try signedIn.register(collection: PracticeAndGrowthController())
    try signedIn.register(collection: FrameworksController())
    try signedIn.register(collection: LearningController())
    try signedIn.register(collection: MentorsController())
    try signedIn.register(collection: GrowthGoalController())
    try signedIn.register(collection: PLCController())
    try signedIn.register(collection: LeadershipController())
    try signedIn.register(collection: LeadershipFrameworksController())
    try signedIn.register(collection: HiringController())
    try signedIn.register(collection: HiringProfilesController())
    try signedIn.register(collection: SuccessionController())
    try signedIn.register(collection: InductionController())
    try signedIn.register(collection: ResourcesController())
    try signedIn.register(collection: LibraryController())
    try signedIn.register(collection: NotificationsController())
    try NotificationsController().bootUnsubscribe(routes: app)
    CalendarFeedsController.bootFeed(app)
}

enum Cookies {
    /// Cookies are marked Secure when Lodestar is served over HTTPS (`LODESTAR_PUBLIC_URL`).
    static let secure = Environment.get("LODESTAR_PUBLIC_URL")?.hasPrefix("https://") == true
}

/// The session cookie: not readable by scripts, not sent by other sites' forms, and over HTTPS only when
/// Lodestar is served over HTTPS (`LODESTAR_PUBLIC_URL`). Max-Age alone: every browser Lodestar supports
/// reads it, and formatting an Expires date took 5% of the server's time.
func sessionCookie(_ id: SessionID, secure: Bool) -> HTTPCookies.Value {
    HTTPCookies.Value(string: id.string, maxAge: Int(SignInPolicy.sessionLifetime), path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
}

/// The folder holding `Resources/` and `Public/`: the package root, found from this source file
/// when run from a checkout, or the working directory when those folders are there.
func resourcesRoot() -> String {
    let fileManager = FileManager.default
    let cwd = fileManager.currentDirectoryPath
    if fileManager.fileExists(atPath: cwd + "/Resources/Views") { return cwd + "/" }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path + "/"
}
