import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// Every route, visited by every role and signed out, against one table of who may do what. Ids of records
/// are tried three ways: the person's own (school-1, the featured teacher's class, student and visits), a
/// colleague's in the same school ("peer"), and another school's (school-2) — the IDOR cases.
@Suite("Who may do what, route by route")
struct RouteMatrixTests {
    enum Role: String, CaseIterable, Comparable {
        case signedOut = "out", districtAdmin = "DA", districtLeader = "DL", principal = "P", assistantPrincipal = "AP"
        case coach = "C", teacherLeader = "TL", teacher = "T"
        static func < (a: Role, b: Role) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    /// Which ids a path is filled with.
    enum Variant: String, CaseIterable { case own, peer, other }

    /// Who may: for the own ids, for a colleague's (when the route's ids belong to a teacher), for another school's.
    /// Written "DA DL P | DA DL P | DA DL" (own | peer | other, the variants the route's ids have); "-" is nobody;
    /// a route without ids has one part. Signed out ("out") is refused everywhere but signing in, an email's unsubscribe link,
    /// a calendar feed's private link (its token is the key) and the health check; the metrics are for the monitoring
    /// system's address or token, which no role has.
    static let table: [String: String] = [
        "GET /": "DA DL P AP C TL T",
        "GET /account/two-factor": "DA DL P AP C TL T",
        "GET /admin": "DA",
        "GET /admin/audit": "DA",
        "GET /admin/audit.csv": "DA",
        "GET /admin/frameworks": "DA",
        "GET /admin/frameworks/:id/edit": "DA",
        "GET /admin/frameworks/:id/export": "DA",
        "GET /admin/frameworks/:id/json": "DA",
        "GET /admin/import": "DA",
        "GET /admin/import/jobs/:rosterJobId": "DA",
        "GET /admin/mastery": "DA",
        "GET /admin/people": "DA",
        "GET /admin/people/:staffId": "DA",
        "GET /admin/scales": "DA",
        "GET /admin/standards": "DA",
        "GET /assessments": "DA DL P AP C TL T",
        "GET /assessments/:id": "DA DL P AP T | DA DL P AP | DA DL",
        "POST /assessments/:id/common": "DA DL P AP T | DA DL P AP | DA DL",
        "GET /assessments/import": "DA DL P AP C TL T",
        "GET /assessments/import/jobs/:jobId": "P",
        "GET /assessments/new": "DA DL P AP C TL T",
        "GET /classes": "DA DL P AP C TL T",
        "GET /classes/:classId": "DA DL P AP C TL T | DA DL P AP C TL | DA DL",
        "GET /classes/:classId/interventions/new": "DA DL P AP T | DA DL P AP | DA DL",
        "GET /classes/:classId/mastery": "DA DL P AP T | DA DL P AP | DA DL",
        "GET /classes/:classId/mastery-by-month.csv": "DA DL P AP T | DA DL P AP | DA DL",
        "GET /classes/:classId/mastery.csv": "DA DL P AP T | DA DL P AP | DA DL",
        "GET /classes/:classId/mastery/:studentId/:standardId": "DA DL P AP T | DA DL P AP | DA DL",
        "GET /coaching": "DA P AP C TL T",
        "GET /coaching/teachers/:teacherId": "DA DL P AP C T | DA DL P AP C | DA DL",
        "GET /feedback": "DA DL P AP C TL T",
        "GET /goals": "DA DL P AP C TL T",
        "GET /goals/:scope": "DA DL P AP C TL T | DA DL",
        "GET /goals/:scope/:goalId": "DA DL P AP C TL T | DA DL",
        "GET /goals/:scope/goals.csv": "DA DL P AP C TL T | DA DL",
        "GET /goals/:scope/new": "DA P AP | DA",
        "GET /goals/:scope/print": "DA DL P AP C TL T | DA DL",
        "GET /goals/:scope/steps.csv": "DA DL P AP C TL T | DA DL",
        "GET /growth": "P AP C TL T",
        "GET /growth/teachers/:teacherId": "P AP C T | P AP C | -",
        "GET /insights": "DA DL P AP C TL",
        "GET /insights/equity": "DA DL P AP C TL",
        "GET /insights/equity.csv": "DA DL P AP C TL",
        "GET /insights/feedback": "DA DL P AP C TL",
        "GET /insights/feedback.csv": "DA DL P AP C TL",
        "GET /insights/learning": "DA DL P AP C TL",
        "GET /insights/learning.csv": "DA DL P AP C TL",
        "GET /insights/practice": "DA DL P AP C TL",
        "GET /insights/practice-and-growth": "DA DL P AP C TL",
        "GET /insights/practice-and-growth.csv": "DA DL P AP C TL",
        "GET /insights/practice.csv": "DA DL P AP C TL",
        "GET /insights/practice/visits": "DA DL P AP",
        "GET /interventions": "DA DL P AP C TL T",
        "GET /interventions/:id": "DA DL P AP T | DA DL P AP | DA DL",
        "GET /learning": "DA DL P AP C TL T",
        "GET /learning/needs.csv": "DA DL P AP C TL T",
        "GET /learning/sessions/:sessionId": "DA DL P AP C TL T | DA DL",
        "GET /learning/sessions/:sessionId/attendance.csv": "DA DL P AP C | DA DL",
        "GET /learning/sessions/:sessionId/impact": "DA DL P AP C | DA DL",
        "GET /learning/sessions/:sessionId/impact.csv": "DA DL P AP C | DA DL",
        "GET /learning/sessions/new": "DA DL P AP C",
        "GET /mentors": "DA DL P AP C TL T",
        "GET /plcs": "DA DL P AP C TL T",
        "GET /plcs/:teamId": "DA DL P AP C TL T | DA DL",
        "GET /schools": "DA DL P AP C TL",
        "GET /schools/:schoolId": "DA DL P AP C TL | DA DL",
        "GET /schools/:schoolId/assessment-frequency": "DA DL P AP C TL | DA DL",
        "GET /schools/:schoolId/reading": "DA DL P AP C TL | DA DL",
        "GET /schools/:schoolId/students.csv": "DA DL | DA DL",
        "GET /signin": "out DA DL P AP C TL T",
        "GET /health": "out DA DL P AP C TL T",
        "GET /metrics": "-",
        "GET /unsubscribe/:token": "out DA DL P AP C TL T",
        "GET /calendar/feed/:feedToken": "out DA DL P AP C TL T",
        "GET /account/calendar-feed": "DA DL P AP C TL T",
        "POST /account/calendar-feed": "DA DL P AP C TL T",
        "POST /account/calendar-feed/revoke": "DA DL P AP C TL T",
        "POST /unsubscribe/:token": "out DA DL P AP C TL T",
        "GET /notifications": "DA DL P AP C TL T",
        "GET /notifications/:id": "T | - | -",
        "POST /notifications/read": "DA DL P AP C TL T",
        "POST /notifications/email": "DA DL P AP C TL T",
        "GET /signin/code": "-",
        // Starting a sign-in with the district's provider leads there; its return is refused without one started.
        "GET /signin/sso/:provider": "out DA DL P AP C TL T",
        "GET /signin/sso/:provider/callback": "-",
        "GET /standards": "DA DL P AP C TL T",
        "GET /standards/:id": "DA DL P AP C TL T",
        "GET /standards/priorities": "DA DL P AP C TL T",
        "POST /standards/:id/priority": "DA DL",
        "GET /standards/alignment": "DA DL P AP C TL T",
        "POST /standards/priorities/cadence": "DA DL",
        "POST /standards/:id/links": "DA DL",
        "POST /standards/:id/links/:linkId/delete": "DA DL",
        "GET /students/:studentId": "DA DL P AP T | DA DL P AP | DA DL",
        "GET /search": "DA DL P AP C TL T",
        "GET /teachers/:teacherId": "DA DL P AP C TL T | DA DL P AP C TL | DA DL",
        "GET /students/:studentId/records": "DA | DA | DA",
        "GET /students/:studentId/records.zip": "DA | DA | DA",
        "GET /time": "DL P AP C",
        "GET /time/:leaderId": "DL P | DL",
        "GET /time/:leaderId/delegations": "DL P | DL",
        "GET /time/:leaderId/calendars": "P | -",
        "GET /time/:leaderId/import": "P | -",
        "GET /time/:leaderId/time.csv": "DL P | DL",
        "GET /time/:leaderId/year": "DL P | DL",
        "GET /time/categories": "DA DL",
        "GET /time/leaders": "DL",
        "GET /vision": "DA DL P AP C TL T",
        "GET /vision/:scope": "DA DL P AP C TL T | DA DL",
        "GET /vision/:scope/edit": "DA P AP | DA",
        "GET /vision/:scope/history": "DA DL P AP C TL T | DA DL",
        "GET /walkthroughs": "DA DL P AP C TL T",
        "GET /walkthroughs/:id": "DA DL P AP C T | DA DL P AP C | DA DL",
        "GET /walkthroughs/:id/edit": "AP | C | -",
        "GET /walkthroughs/capture-data": "DA DL P AP C TL T",
        "GET /walkthroughs/coverage": "DA DL P AP C",
        "GET /walkthroughs/new": "DA DL P AP C TL T",
        "POST /account/two-factor/confirm": "DA DL P AP C TL T",
        "POST /account/two-factor/disable": "DA DL P AP C TL T",
        "POST /account/two-factor/recovery-codes": "DA DL P AP C TL T",
        "POST /admin/frameworks/:id/activate": "DA",
        "POST /admin/frameworks/:id/edit": "DA",
        "POST /admin/frameworks/:id/json": "DA",
        "POST /admin/frameworks/import": "DA",
        "POST /admin/import": "DA",
        "POST /admin/mastery": "DA",
        "POST /admin/people/:staffId/grants": "DA",
        "POST /admin/people/:staffId/grants/remove": "DA",
        "POST /admin/people/:staffId/two-factor/reset": "DA",
        "POST /admin/scales": "DA",
        "POST /admin/standards": "DA",
        "POST /api/walkthroughs": "DA DL P AP C | DA DL P AP C | DA DL",
        "POST /assessments": "T | - | -",
        "POST /assessments/import": "DA DL P AP C TL T",
        "POST /classes/:classId/interventions": "DA DL P AP T | DA DL P AP | DA DL",
        "POST /coaching/caseloads": "DA P AP | DA P AP | DA",
        "POST /coaching/caseloads/remove": "DA P AP | DA P AP | DA",
        "POST /coaching/steps/:stepId/done": "C | -",
        "POST /coaching/teachers/:teacherId/conversations": "C | C | -",
        "POST /goals/:scope": "DA P AP | DA",
        "POST /goals/:scope/:goalId/adjust": "DA P AP | DA",
        "POST /goals/:scope/:goalId/steps": "DA P AP | DA",
        "POST /goals/:scope/:goalId/steps/:stepId": "DA P AP | DA",
        "POST /goals/:scope/:goalId/steps/:stepId/check-ins": "DA P AP | DA",
        "POST /goals/:scope/:goalId/steps/:stepId/evidence": "DA P AP | DA",
        "POST /goals/:scope/:goalId/values": "DA P AP | DA",
        "POST /growth/teachers/:teacherId/goal": "T | - | -",
        "POST /growth/teachers/:teacherId/reflections": "T | - | -",
        "POST /learning/needs": "DA DL P AP C | DA DL P AP C | DA DL",
        "POST /learning/needs/:needId/status": "DA DL P AP C | DA DL",
        "POST /learning/sessions": "DA DL P AP C | DA DL P AP C | DA DL",
        "POST /learning/sessions/:sessionId/attendance": "DA DL P AP C | DA DL",
        "POST /mentors": "DA P AP | DA P AP | DA",
        "POST /mentors/:pairingId/end": "DA P AP | DA",
        "POST /plcs": "DA P AP TL | DA P AP TL | DA",
        "POST /plcs/:teamId/cycles": "DA P AP TL T | DA",
        "POST /plcs/:teamId/cycles/:cycleId": "DA P AP TL T | DA",
        "POST /plcs/:teamId/meetings": "DA P AP TL T | DA",
        "POST /plcs/:teamId/members": "DA P AP TL | DA",
        "POST /schools/:schoolId/reading": "DA P AP | DA",
        "POST /signin": "out DA DL P AP C TL T",
        "POST /signin/code": "-",
        "POST /signout": "DA DL P AP C TL T",
        "POST /students/:studentId/delete": "DA | DA | DA",
        "POST /time/:leaderId/blocks": "P | -",
        "POST /time/:leaderId/blocks/:blockId/delete": "P | -",
        "POST /time/:leaderId/calendars": "P | -",
        "POST /time/:leaderId/calendars/:subscriptionId/delete": "P | -",
        "POST /time/:leaderId/calendars/:subscriptionId/refresh": "P | -",
        "POST /time/:leaderId/delegations": "P | -",
        "POST /time/:leaderId/delegations/:delegationId": "P | -",
        "POST /time/:leaderId/entries": "P | -",
        "POST /time/:leaderId/entries/:entryId": "P | -",
        "POST /time/:leaderId/entries/:entryId/delete": "P | -",
        "POST /time/:leaderId/import": "P | -",
        "POST /time/:leaderId/target": "P | -",
        "POST /time/categories": "DA DL",
        "POST /time/categories/new": "DA DL",
        "POST /vision/:scope": "DA P AP | DA",
        "POST /walkthroughs/:id/delete": "AP | C | -",
        "POST /walkthroughs/:id/edit": "AP | C | -",
        "POST /walkthroughs/:id/replies": "AP T | C | -",
        "POST /walkthroughs/:id/share": "AP | C | -",
        "POST /walkthroughs/:id/unshare": "AP | C | -",
        "POST /walkthroughs/schedule": "DA DL P AP C | DA DL P AP C | DA DL",
        "PUT /api/assessments/:id/scores": "P AP T | P AP | -",
        // Hiring: the demo's opening at school-1 (its committee: the principal, assistant principal, teacher leader and the
        // featured teacher) and one made at school-2 for the matrix.
        "GET /hiring": "DA DL P AP TL T",
        "POST /hiring": "DA DL P | DA DL P | DA DL",
        "GET /hiring/:openingId": "DA DL P AP TL T | DA DL",
        "GET /hiring/profiles": "DA DL",
        "POST /hiring/profiles/:role": "DA DL",
        "POST /hiring/:openingId/committee": "DA DL P | DA DL",
        "POST /hiring/:openingId/candidates": "DA DL P | DA DL",
        "GET /hiring/:openingId/candidates/:candidateId": "DA DL P AP TL T | DA DL",
        "POST /hiring/:openingId/candidates/:candidateId/ratings": "P AP TL T | -",
        "POST /hiring/:openingId/candidates/:candidateId/decision": "DA DL P | DA DL",
        "GET /hiring/:openingId/candidates/:candidateId/export": "DA DL P | DA DL",
        "POST /hiring/:openingId/candidates/:candidateId/delete": "DA DL P | DA DL",
        // Induction: the demo's plan at school-1 whose mentor is the featured teacher, and one made at school-2.
        "GET /induction": "DA DL P AP T",
        "POST /induction": "DA DL P AP | DA DL P AP | DA DL",
        "GET /induction/:planId": "DA DL P AP T | DA DL",
        "POST /induction/:planId/items/:itemId": "DA DL P AP | DA DL",
        // Succession: the bench of each school, its principal's and district leaders'.
        "GET /succession": "DL P",
        "GET /succession/:schoolId": "DL P | DL",
        "POST /succession/:schoolId": "DL P | DL",
        "POST /succession/:schoolId/:entryId/remove": "DL P | DL",
        // The leadership team's self-assessment of school-1 this year (the demo's teams are its principal, assistant
        // principal, coach and teacher leader); the principal's one goal comes first, so the step after it is refused by its form.
        "GET /leadership": "DL P AP C TL T",
        "GET /leadership/district": "DL",
        "GET /leadership/:schoolId/:year": "DL P AP C TL | DL",
        "GET /leadership/:schoolId/:year/summary": "DL P AP C TL | DL",
        "GET /leadership/:schoolId/:year/ratings.csv": "DL P AP C TL | DL",
        "GET /leadership/:schoolId/:year/:indicator": "DL P AP C TL | DL",
        "POST /leadership/:schoolId/:year/start": "P | -",
        "POST /leadership/:schoolId/:year/team": "P | -",
        "POST /leadership/:schoolId/:year/publish": "P | -",
        "POST /leadership/:schoolId/:year/:indicator/mine": "P AP C TL | -",
        "POST /leadership/:schoolId/:year/:indicator/team": "P | -",
        "POST /leadership/:schoolId/:year/:indicator/review": "DL | DL",
        "POST /leadership/:schoolId/:year/:indicator/goal": "P | -",
        "POST /leadership/:schoolId/:year/:indicator/step": "P | -",
        // Resources: school-1's ledger and its professional-learning funds, and school-2's.
        "GET /resources": "DA DL P AP C TL",
        "GET /resources/kinds": "DA DL",
        "POST /resources/kinds": "DA DL",
        "POST /resources/settings": "DA DL",
        "GET /resources/schools/:school": "DA DL P AP C TL | DA DL",
        "GET /resources/schools/:school/equity": "DA DL P AP C TL | DA DL",
        "POST /resources/schools/:school/allocations": "DA DL P AP | DA DL",
        "GET /resources/allocations/:id": "DA DL P AP C TL | DA DL",
        "POST /resources/allocations/:id": "DA DL P AP | DA DL",
        // The practice library: a file at school-1 (own) and one at school-2 (other), approved.
        "GET /library": "DA DL P AP C TL T",
        "POST /library": "DA DL P AP C TL T",
        "GET /library/:id": "DA DL P AP C TL T | DA DL",
        "GET /library/:id/file": "DA DL P AP C TL T | DA DL",
        "POST /library/:id/save": "DA DL P AP C TL T | DA DL",
        "POST /library/:id/share": "DA DL P AP C TL | DA DL",
        "POST /library/:id/approve": "DA DL P AP | DA DL",
        "POST /library/:id/remove": "DA DL P AP | DA DL",
        "GET /admin/leadership-frameworks": "DA",
        "GET /admin/leadership-frameworks/:versionId/export": "DA",
        "GET /admin/leadership-frameworks/:versionId/json": "DA",
        "POST /admin/leadership-frameworks/:versionId/json": "DA",
        "POST /admin/leadership-frameworks/:versionId/activate": "DA",
        "POST /admin/leadership-frameworks/import": "DA",
    ]

    /// Routes that delete or end something, and signing out: in the matrix tried by the roles that must be refused,
    /// then by the roles that may, each on a record made for that one try (`destroyAsAllowed`).
    static let destructive: Set<String> = [
        "POST /signout", "POST /time/:leaderId/blocks/:blockId/delete", "POST /time/:leaderId/entries/:entryId/delete",
        "POST /time/:leaderId/calendars/:subscriptionId/delete",
        "POST /mentors/:pairingId/end", "POST /coaching/caseloads/remove", "POST /admin/people/:staffId/grants/remove",
        "POST /students/:studentId/delete", "POST /account/two-factor/disable", "POST /hiring/:openingId/candidates/:candidateId/delete",
        "POST /succession/:schoolId/:entryId/remove", "POST /walkthroughs/:id/delete", "POST /walkthroughs/:id/unshare",
        "POST /standards/:id/links/:linkId/delete", "POST /library/:id/remove",
    ]

    @Test(arguments: TestDatabase.all)
    func everyRouteAnswersEveryRoleAsTheTableSays(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            // Signing in through the district's provider: a real one on loopback.
            _ = try await TestIdentityProvider.start(serving: app)
            var ids = try await Ids.load(district, on: app.db)
            let people = DemoPeople(district: district)
            // An import the featured principal sent from the web: its page is theirs alone.
            try await app.importJobs.start(id: "matrix-import", fileName: "scores.csv", startedBy: district.accounts.first { $0.email == people.email(.principal) }!.sourcedId!,
                                           progress: ImportProgress(kind: "scores"), on: app.db) { ImportJobs.Imported(summary: "Imported 0 assessments.") }
            ids.values[":jobId"] = [.own: "matrix-import"]
            // A roster the district admin sent: its page is theirs alone (and not a way to the principal's scores).
            try await app.importJobs.start(id: "matrix-roster", fileName: "roster.zip", startedBy: try #require(try await Staff.query(on: app.db).filter(\.$email == people.email(.districtAdmin)).first()?.id),
                                           progress: ImportProgress(kind: "roster"), on: app.db) { ImportJobs.Imported(summary: "Imported the roster.") }
            ids.values[":rosterJobId"] = [.own: "matrix-roster"]
            let routes = app.routes.all.map { "\($0.method.rawValue) /\($0.path.map(\.description).joined(separator: "/"))" }.sorted()
            var observed: [String: [Variant: Set<Role>]] = [:]
            var checked = 0
            var requested: Set<String> = []
            @Sendable func signIn(_ role: Role) async throws -> TestClient {
                let client = TestClient(app)
                if role != .signedOut {
                    let email = role == .teacher ? people.teacherEmail : people.email(StaffRole.allCases.first { "\($0)" == "\(role)" }!)
                    #expect(try await client.signIn(email).status == .seeOther)
                } else {
                    try await client.get("/signin")
                }
                return client
            }
            for role in Role.allCases {
                let client = try await signIn(role)
                for route in routes {
                    let variants = ids.variants(of: route)
                    for variant in variants {
                        guard let path = ids.path(route, variant) else {
                            Issue.record("\(route) [\(variant)]: no id to fill its path with, so it was not requested")
                            continue
                        }
                        let expected = Self.expected(route, variant, among: variants)
                        if Self.destructive.contains(route), expected?.contains(role) != false { continue }
                        // The categories' form lists every category, those added by an earlier request too.
                        let form = route == "POST /time/categories" ? .fields(try await Ids.categoriesForm(on: app.db.sql)) : ids.form(route, variant, by: role)
                        let response = try await Self.visit(client, route, path + (ids.query[route] ?? ""), form: form)
                        checked += 1
                        requested.insert(route)
                        #expect(response.status.code < 500, "\(role.rawValue) \(route) [\(variant)] \(path): \(response.status)")
                        if Self.allowed(response) { observed[route, default: [:]][variant, default: []].insert(role) }
                        if let expected {
                            #expect(Self.allowed(response) == expected.contains(role),
                                    "\(role.rawValue) \(route) [\(variant)] \(path): \(response.status) \(response.headers.first(name: .location) ?? "")")
                            // A role that may, sending a complete and valid form, is answered with success, not a form error.
                            if expected.contains(role), !route.hasPrefix("GET"), !Self.formsOutsideTheMatrix.contains(route),
                               Self.refusedByTheirForm[route]?.contains(role) != true {
                                #expect(response.status.code < 400, "\(role.rawValue) \(route) [\(variant)] \(path): \(response.status) \(Self.message(response))")
                            }
                        }
                    }
                }
            }
            checked += try await Self.destroyAsAllowed(app: app, ids: ids, signIn: signIn)
            print("route matrix: \(routes.count) routes, \(checked) requests across \(Role.allCases.count) roles (signed out included)")
            if ProcessInfo.processInfo.environment["LODESTAR_MATRIX_PRINT"] != nil {
                for route in routes {
                    let parts = ids.variants(of: route)
                        .map { variant in (observed[route]?[variant] ?? []).sorted().map(\.rawValue).joined(separator: " ").ifEmpty("-") }
                    print("MATRIX \"\(route)\": \"\(parts.joined(separator: " | "))\",")
                }
            }
            #expect(Set(routes).subtracting(requested).isEmpty, "routes never requested: \(Set(routes).subtracting(requested).sorted())")
            #expect(routes.count >= 154)
            for route in routes {
                let parts = Self.table[route]?.split(separator: "|").count
                #expect(parts == ids.variants(of: route).count, "\(route): the table has \(parts ?? 0) parts for \(ids.variants(of: route).map(\.rawValue))")
            }
        }
    }

    /// Every destructive route, by every role the table allows, on a record made for that try (a copy of one of
    /// the demo's, under a new id): the answer must be allowed and the record gone (or ended). Signing out and
    /// turning off two-factor sign-in act on the person's own session and authenticator, set up for the try.
    /// Returns the number of requests.
    static func destroyAsAllowed(app: Application, ids: Ids, signIn: (Role) async throws -> TestClient) async throws -> Int {
        let sql = app.db.sql
        var requests = 0
        for role in Role.allCases where role != .signedOut {
            let client = try await signIn(role)
            for route in destructive.sorted() {
                let variants = ids.variants(of: route)
                for variant in variants where expected(route, variant, among: variants)?.contains(role) == true {
                    switch route {
                    case "POST /signout", "POST /account/two-factor/disable":
                        continue  // below, once the records are done
                    default:
                        let record = try await Throwaway.make(route, variant, ids: ids, on: sql)
                        #expect(try await record.remaining(on: sql) == 1)
                        let response = try await client.post(record.path, form: record.form)
                        requests += 1
                        #expect(allowed(response) && response.status.code < 500, "\(role.rawValue) \(route) [\(variant)]: \(response.status)")
                        #expect(try await record.remaining(on: sql) == 0, "\(role.rawValue) \(route) [\(variant)]: the record is still there")
                    }
                }
            }
            // Two-factor sign-in turned on, then off with the next code from the person's authenticator.
            let setUp = try await client.page("/account/two-factor")
            let key = try #require(setUp.firstMatch(of: /<code class="secret">([A-Z2-7 ]+)<\/code>/), "\(role.rawValue)").1
            let authenticator = OneTimePassword(secret: try #require(Base32.decode(String(key))))
            let now = Int(Date().timeIntervalSince1970)
            #expect(try await client.post("/account/two-factor/confirm", form: ["code": authenticator.code(at: now)]).status == .ok)
            let off = try await client.post("/account/two-factor/disable", form: ["code": authenticator.code(at: now + 30)])
            #expect(off.status == .ok && off.body.string.contains("Two-factor sign-in is off."), "\(role.rawValue): \(off.status)")
            // Signing out: the session no longer opens a page.
            let out = try await client.post("/signout", form: [:])
            #expect(out.status == .seeOther, "\(role.rawValue) signing out: \(out.status)")
            #expect(try await client.get("/").headers.first(name: .location) == "/signin", "\(role.rawValue) is still signed in")
            requests += 2
        }
        return requests
    }

    /// A record made for one try of a destructive route: a copy of the demo's record under a new id, with the
    /// path and form that remove it.
    struct Throwaway {
        let path: String
        let form: [String: String]
        let table: String
        let id: String
        /// What "gone" means besides deletion (a mentor pairing is ended, not deleted).
        var stillThere: String = ""

        func remaining(on sql: any SQLDatabase) async throws -> Int {
            try await sql.raw("SELECT count(*) AS n FROM \(ident: table) WHERE id = \(bind: id) \(unsafeRaw: stillThere)").first()!.decode(column: "n", as: Int.self)
        }

        static func make(_ route: String, _ variant: Variant, ids: Ids, on sql: any SQLDatabase) async throws -> Throwaway {
            let school = variant == .other ? "school-2" : "school-1", leader = ids.value(":leaderId", variant)
            switch route {
            case "POST /time/:leaderId/blocks/:blockId/delete":
                let id = try await copy("protected_blocks", ids.value(":blockId", variant), on: sql)
                return Throwaway(path: "/time/\(leader)/blocks/\(id)/delete", form: [:], table: "protected_blocks", id: id)
            case "POST /time/:leaderId/calendars/:subscriptionId/delete":
                let id = try await copy("calendar_subscriptions", ids.value(":subscriptionId", variant), on: sql)
                return Throwaway(path: "/time/\(leader)/calendars/\(id)/delete", form: [:], table: "calendar_subscriptions", id: id)
            case "POST /time/:leaderId/entries/:entryId/delete":
                let id = try await copy("time_entries", ids.value(":entryId", variant), on: sql)
                return Throwaway(path: "/time/\(leader)/entries/\(id)/delete", form: [:], table: "time_entries", id: id)
            case "POST /mentors/:pairingId/end":
                let id = try await copy("mentor_pairings", ids.value(":pairingId", variant), replacing: ["ended_at": nil], on: sql)
                return Throwaway(path: "/mentors/\(id)/end", form: [:], table: "mentor_pairings", id: id, stillThere: "AND ended_at IS NULL")
            case "POST /coaching/caseloads/remove":
                let id = try await copy("caseloads", ids.value("caseloadEntry", variant), on: sql)
                return Throwaway(path: "/coaching/caseloads/remove", form: ["entryId": id, "school": school], table: "caseloads", id: id)
            case "POST /admin/people/:staffId/grants/remove":
                let teacher = ids.value(":staffId", variant)
                let grant = try await sql.raw("SELECT id FROM role_grants WHERE staff_id = \(bind: teacher) ORDER BY id").first()!.decode(column: "id", as: String.self)
                let id = try await copy("role_grants", grant, replacing: ["role": "teacher_leader", "source": "manual"], on: sql)
                return Throwaway(path: "/admin/people/\(teacher)/grants/remove", form: ["grant": id], table: "role_grants", id: id)
            case "POST /succession/:schoolId/:entryId/remove":
                let id = try await copy("succession_bench", ids.value("succession:entryId", variant), replacing: ["staff_id": "throwaway-person"], on: sql)
                return Throwaway(path: "/succession/\(school)/\(id)/remove", form: [:], table: "succession_bench", id: id)
            case "POST /hiring/:openingId/candidates/:candidateId/delete":
                let id = try await copy("candidates", ids.value(":candidateId", variant), on: sql)
                return Throwaway(path: "/hiring/\(ids.value(":openingId", variant))/candidates/\(id)/delete", form: ["confirm": "delete"], table: "candidates", id: id)
            case "POST /standards/:id/links/:linkId/delete":
                let standard = ids.value("standards:id", variant)
                let id = try await copy("standard_links", ids.value(":linkId", variant), on: sql)
                return Throwaway(path: "/standards/\(standard)/links/\(id)/delete", form: [:], table: "standard_links", id: id)
            case "POST /library/:id/remove":
                let id = try await copy("library_items", ids.value("library:id", variant), on: sql)
                return Throwaway(path: "/library/\(id)/remove", form: [:], table: "library_items", id: id)
            case "POST /walkthroughs/:id/delete":
                let id = try await copy("walkthroughs", ids.value("walkthroughs:id", variant), on: sql)
                return Throwaway(path: "/walkthroughs/\(id)/delete", form: [:], table: "walkthroughs", id: id)
            case "POST /walkthroughs/:id/unshare":
                // Shared a minute ago: within the window for taking it back.
                let id = try await copy("walkthroughs", ids.value("walkthroughs:id", variant), on: sql)
                try await sql.raw("UPDATE walkthroughs SET shared_at = \(bind: Int(Date().timeIntervalSince1970) - 60) WHERE id = \(bind: id)").run()
                return Throwaway(path: "/walkthroughs/\(id)/unshare", form: [:], table: "walkthroughs", id: id, stillThere: "AND shared_at IS NOT NULL")
            case "POST /students/:studentId/delete":
                let id = try await copy("students", ids.value(":studentId", variant), on: sql)
                return Throwaway(path: "/students/\(id)/delete", form: ["confirm": id, "reference": "Request 2026-17"], table: "students", id: id)
            default:
                Issue.record("\(route): no record to make for it")
                throw Abort(.notImplemented)
            }
        }

        /// Copies the row `id` of `table` under a new id, with some columns replaced (nil: NULL).
        static func copy(_ table: String, _ id: String, replacing: [String: String?] = [:], on sql: any SQLDatabase) async throws -> String {
            let newId = "throwaway-\(UUID().uuidString.lowercased())"
            let columns = try #require(try await sql.raw("SELECT * FROM \(ident: table) WHERE id = \(bind: id)").first(), "\(table) \(id)").allColumns
            func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
            let values = columns.map { column in
                if column == "id" { return quoted(newId) }
                if let replacement = replacing[column] { return replacement.map(quoted) ?? "NULL" }
                return "\"\(column)\""
            }
            try await sql.raw("""
                INSERT INTO \(ident: table) (\(unsafeRaw: columns.map { "\"\($0)\"" }.joined(separator: ", ")))
                SELECT \(unsafeRaw: values.joined(separator: ", ")) FROM \(ident: table) WHERE id = \(bind: id)
                """).run()
            return newId
        }
    }

    /// The roles the table allows for `variant`, one of the route's `variants` (in that order in the table).
    static func expected(_ route: String, _ variant: Variant, among variants: [Variant]) -> Set<Role>? {
        guard let rule = table[route], let index = variants.firstIndex(of: variant) else { return nil }
        let parts = rule.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == variants.count else { return nil }
        return Set(parts[index].split(separator: " ").compactMap { Role(rawValue: String($0)) })
    }

    /// Roles a route is open to whose complete form is still refused for what it names (422), by design: a coach
    /// and a teacher leader may open the score import, but teach no class the demo's file names.
    static let refusedByTheirForm: [String: Set<Role>] = ["POST /assessments/import": [.coach, .teacherLeader],
                                                          "POST /leadership/:schoolId/:year/:indicator/step": [.principal]]

    /// The error a page shows, for a failure's message.
    static func message(_ response: TestingHTTPResponse) -> String {
        let body = response.body.string
        guard let alert = body.range(of: "role=\"alert\">") else { return String(body.prefix(300)) }
        return String(body[alert.upperBound...].replacing(/<[^>]*>/, with: " ").prefix(300))
    }

    /// Allowed: anything but a refusal (403), a record not found for this person (404) or the way to sign in.
    static func allowed(_ response: TestingHTTPResponse) -> Bool {
        if [.forbidden, .notFound, .unauthorized].contains(response.status) { return false }
        return !(response.status == .seeOther && response.headers.first(name: .location) == "/signin")
    }

    static func visit(_ client: TestClient, _ route: String, _ path: String, form: Form) async throws -> TestingHTTPResponse {
        switch (route.split(separator: " ").first!, form) {
        case ("GET", _): try await client.get(path)
        case ("PUT", .json(let body)): try await client.send(.PUT, path, json: body)
        case (_, .json(let body)): try await client.send(.POST, path, json: body)
        case (_, .fields(let fields)): try await client.post(path, form: fields)
        case (_, .lists(let fields)): try await client.post(path, lists: fields)
        case (_, .upload(let field, let name, let file, let fields)): try await client.upload(path, file: file, field: field, fileName: name, fields: fields)
        }
    }

    /// What a POST sends: form fields, a walkthrough for the capture API, or a file with fields as an upload form does.
    enum Form { case fields([String: String]), lists([(String, String)]), json(any Encodable & Sendable), upload(field: String, name: String, file: Data, fields: [String: String]) }

    /// POST routes whose complete, valid form needs what only a person's session holds (a code from their
    /// authenticator, a password): sent as they are, and tried for real in `destroyAsAllowed` (two-factor) and
    /// the sign-in tests. Every other POST gets a complete, valid form, and a role the table allows must succeed.
    /// Connecting a calendar reads it from its address, which no server answers here: tried for real against a
    /// calendar server on loopback in `CalendarSubscriptionTests`.
    static let formsOutsideTheMatrix: Set<String> = [
        "POST /signin", "POST /signin/code", "POST /account/two-factor/confirm", "POST /account/two-factor/recovery-codes",
        "POST /time/:leaderId/calendars",
    ]

    /// The ids each route parameter is filled with, read from the demo district.
    struct Ids {
        var values: [String: [Variant: String]] = [:]
        /// The demo's leadership team of school-1 this year, kept whole when its principal saves the team.
        var leadershipTeam: [String] = []
        /// The committees of the demo's opening and of the one made at school-2, kept whole when saved.
        var committee: [String] = [], otherCommittee: [String] = []

        /// Query strings some pages need.
        var query: [String: String] = [:]

        /// The variants a route is tried with: those its ids (or the form's) have.
        func variants(of route: String) -> [Variant] {
            if Ids.formRoutes.contains(route) { return Variant.allCases }
            let names = route.split(separator: "/").filter { $0.hasPrefix(":") }.map { key(route, String($0)) }
            return Variant.allCases.filter { variant in names.contains { values[$0]?[variant] != nil } || variant == .own }
        }

        /// Routes whose form says whose record it is: tried with the own, a colleague's and another school's.
        static let formRoutes: Set<String> = ["POST /coaching/caseloads", "POST /coaching/caseloads/remove", "POST /mentors", "POST /plcs", "POST /learning/sessions", "POST /learning/needs",
                                              "POST /walkthroughs/schedule", "POST /assessments", "POST /api/walkthroughs", "POST /hiring", "POST /induction"]

        func value(_ name: String, _ variant: Variant) -> String { values[name]![variant] ?? values[name]![.own]! }

        /// The form a POST sends: complete and valid, naming the variant's school, teacher and class, so a refusal is
        /// the authorization and not the form's validation, and a role that may is answered with success.
        func form(_ route: String, _ variant: Variant, by role: Role) -> Form {
            let school = variant == .other ? "school-2" : "school-1", teacher = value(":teacherId", variant)
            let leader = value(":leaderId", variant), classId = value(":classId", variant)
            let now = Int(Date().timeIntervalSince1970)
            let today = DisplayTime.isoDay(now), tomorrow = DisplayTime.isoDay(now + 86_400)
            let inAMonth = DisplayTime.isoDay(now + 30 * 86_400), inAYear = DisplayTime.isoDay(now + 300 * 86_400)
            switch route {
            case "POST /coaching/caseloads/remove": return .fields(["entryId": value("caseloadEntry", variant), "school": school])
            case "POST /coaching/caseloads": return .fields(["coachId": value("coach", variant), "teacherId": teacher, "school": school])
            case "POST /mentors":
                // A teacher has one mentor per practice: each request pairs on a practice of its own.
                let practice = indicators[(Role.allCases.firstIndex(of: role)! * Variant.allCases.count + Variant.allCases.firstIndex(of: variant)!) % indicators.count]
                let mentee = variant == .peer ? value(":teacherId", .own) : value("secondTeacher", variant)
                return .fields(["school": school, "indicator": practice, "mentorId": teacher, "menteeId": mentee])
            case "POST /plcs": return .fields(["school": school, "name": "Grade 6 team", "focus": "Ratios", "members[]": teacher])
            case "POST /learning/sessions":
                return .fields(["scope": school, "title": "Practice lab", "facilitatorId": value(":leaderId", variant), "day": tomorrow, "startTime": "15:00", "endTime": "16:00"])
            case "POST /learning/needs": return .fields(["scope": school, "kind": "written", "title": "Questioning", "evidence": "Seen rarely."])
            case "POST /walkthroughs/schedule": return .fields(["teacherId": teacher, "day": tomorrow, "time": "09:00", "visitType": "informal", "school": school])
            case "POST /assessments":
                return .fields(["title": "Exit ticket", "assessedOn": today, "classIds[]": classId, "standards": values["standardCode"]![.own]!])
            case "POST /api/walkthroughs":
                return .json(WalkthroughSubmission(id: UUID().uuidString.lowercased(), teacherId: teacher, classId: nil, visitType: .informal,
                                                   observedAt: Date().timeIntervalSince1970 - 60, studentsOnTask: nil, studentsPresent: nil,
                                                   marks: [.init(indicator: values["indicator"]![.own]!, mark: "observed")], notes: [],
                                                   glow: "Students explained their thinking.", grow: "", question: ""))
            // Administration: on a person no other row uses, a school no other row uses, the active framework as it is.
            case "POST /admin/frameworks/:id/activate", "POST /admin/people/:staffId/two-factor/reset", "POST /coaching/steps/:stepId/done",
                 "POST /walkthroughs/:id/share":
                return .fields([:])
            case "POST /admin/frameworks/:id/json": return .fields(["definition": files["framework"]!])
            case "POST /admin/frameworks/:id/edit": return .fields(frameworkFields)
            case "POST /admin/leadership-frameworks/:versionId/json": return .fields(["definition": files["leadership"]!])
            case "POST /admin/leadership-frameworks/import": return .upload(field: "file", name: "leadership.json", file: Data(files["leadership"]!.utf8), fields: [:])
            case "POST /induction":
                // A day per role, so each role's plan is a new one.
                let day = DisplayTime.isoDay(DisplayTime.isoDay(now), plus: Role.allCases.firstIndex(of: role)!)
                return .fields(["school": school, "teacherId": teacher, "mentorId": "", "startsOn": day])
            case "POST /induction/:planId/items/:itemId": return .fields(["note": "Talked through the first weeks."])
            case "POST /succession/:schoolId":
                return .fields(["staffId": teacher, "role": "teacher_leader", "readiness": "1–2 years", "development": "Facilitate a cycle of inquiry.", "indicator": "succession"])
            case "POST /hiring": return .fields(["school": school, "title": "Grade 4 teacher", "profile": "teacher"])
            case "POST /standards/:id/links":
                // A standard of its own for each role and variant, so each link is new.
                return .fields(["code": linkCodes[(Role.allCases.firstIndex(of: role)! * Variant.allCases.count + Variant.allCases.firstIndex(of: variant)!) % linkCodes.count]])
            case "POST /standards/priorities/cadence": return .fields(["weeks": "3"])
            case "POST /library": return .fields(["kind": "note", "title": "Matrix note (\(role.rawValue))", "note": "Wait five seconds."])
            case "POST /library/:id/save": return .fields(["action": "save"])
            case "POST /library/:id/share": return .fields(["teacherId": teacher, "note": "For your goal."])
            case "POST /assessments/:id/common": return .fields(["grade": value("commonGrade", variant), "action": "mark"])
            case "POST /resources/kinds": return .fields(["name": "Reading tutors (\(role.rawValue))", "unit": "FTE"])
            case "POST /resources/schools/:school/allocations", "POST /resources/allocations/:id":
                // A new amount for each role and variant, so each change is a change.
                let amount = 100 + Role.allCases.firstIndex(of: role)! * Variant.allCases.count + Variant.allCases.firstIndex(of: variant)!
                return .fields(["kind": resourceKind, "amount": String(amount), "startsOn": today, "endsOn": inAMonth, "funding": "Title I", "priority": "",
                                "reaches": "school", "decidedBy": "The leadership team", "evidence": "/insights/equity", "reason": "Need on the priority standards.",
                                "changeReason": "The budget was revised."])
            case "POST /standards/:id/priority": return .fields(["reasons[]": "readiness", "action": "save", "note": "Carries into the next grade."])
            case "POST /hiring/profiles/:role":
                return .fields(["name": "Instructional coach", "steps": "Screening\nCoaching demonstration", "criteria": "Coaches adults: Has led coaching cycles that changed practice."])
            case "POST /hiring/:openingId/committee": return .lists((variant == .other ? otherCommittee : committee).map { ("members[]", $0) })
            case "POST /hiring/:openingId/candidates": return .fields(["name": "Sam Lee", "email": "sam.lee@example.com", "source": "Job fair"])
            case "POST /hiring/:openingId/candidates/:candidateId/decision": return .fields(["decision": "not hired", "reason": "Another candidate fit the team better."])
            case "POST /hiring/:openingId/candidates/:candidateId/ratings":
                var fields = ["step": "2"]
                for criterion in HiringProfile.lodestarDefaults.first(where: { $0.role == "teacher" })!.criteria {
                    fields["level_2_\(criterion.key)"] = "3"
                    fields["evidence_2_\(criterion.key)"] = "Seen in the demonstration lesson."
                }
                return .fields(fields)
            case "POST /leadership/:schoolId/:year/team": return .lists(leadershipTeam.map { ("members[]", $0) })
            case "POST /leadership/:schoolId/:year/publish": return .fields(["published": "no"])
            case "POST /leadership/:schoolId/:year/:indicator/mine", "POST /leadership/:schoolId/:year/:indicator/team":
                return .fields(["level": "3", "evidence": "Seen in most classrooms this month."])
            case "POST /leadership/:schoolId/:year/:indicator/review": return .fields(["review": "agree"])
            case "POST /leadership/:schoolId/:year/:indicator/step": return .fields(["goalId": values[":goalId"]![.own]!])
            case "POST /admin/frameworks/import": return .upload(field: "file", name: "framework.json", file: Data(files["framework"]!.utf8), fields: [:])
            case "POST /admin/import": return .upload(field: "bundle", name: "roster.zip", file: roster, fields: [:])
            case "POST /admin/standards": return .upload(field: "file", name: "standards.json", file: Data(files["standards"]!.utf8), fields: [:])
            case "POST /admin/mastery": return .fields(["scope": "school-3", "method": "inherit"])
            case "POST /admin/people/:staffId/grants": return .fields(["role": "coach", "school": "school-3"])
            case "POST /admin/scales": return .fields(["name": "Three", "levels": "1 Not yet\n2 Developing\n3 Proficient", "masteryValue": "3", "cuts": "60, 80"])
            case "POST /time/categories/new": return .fields(["name": "Family meetings \(UUID().uuidString.prefix(6))", "kind": "management"])
            // Learning.
            case "POST /assessments/import":
                let csv = "assessment,date,class,student,standard,score\nMatrix check,\(today),\(classId),\(value(":studentId", variant)),\(values["standardCode"]![.own]!),3\n"
                return .upload(field: "file", name: "scores.csv", file: Data(csv.utf8), fields: [:])
            case "POST /classes/:classId/interventions":
                return .fields(["standardId": value(":standardId", .own), "name": "Ratios again", "plan": "Small group twice a week", "reassessOn": inAMonth,
                                "studentIds[]": value(":studentId", variant)])
            case "POST /schools/:schoolId/reading": return .fields(["standardIds[]": values["readingStandard"]![.own]!])
            // Teaching.
            case "POST /walkthroughs/:id/replies": return .fields(["body": "I will try the turn-and-talk tomorrow."])
            case "POST /notifications/email": return .fields(["feedback": "daily_digest", "reply": "off"])
            case "POST /walkthroughs/:id/edit": return .fields(["glow": "Students explained their thinking to a partner.", "grow": "", "question": ""])
            case "POST /coaching/teachers/:teacherId/conversations": return .fields(["heldOn": today, "notes": "Talked about exit tickets."])
            // Goals and plans, owned by the scope's principal.
            case "POST /vision/:scope":
                return .fields(["vision": "Every student belongs and thrives.", "mission": "We teach every child to read, reason and wonder.",
                                "students": "", "teachers": "", "leaders": "", "staff": ""])
            case "POST /goals/:scope":
                return .fields(["statement": "Families at conferences", "ownerId": leader, "kind": "manual", "unit": "%", "baseline": "60",
                                "target": "90", "deadline": inAYear])
            case "POST /goals/:scope/:goalId/adjust": return .fields(["why": "The district moved conferences to February."])
            case "POST /goals/:scope/:goalId/values": return .fields(["day": today, "value": "70"])
            case "POST /goals/:scope/:goalId/steps": return .fields(["text": "Call every family", "ownerId": leader, "dueOn": inAMonth])
            case "POST /goals/:scope/:goalId/steps/:stepId":
                return .fields(["ownerId": leader, "dueOn": inAMonth, "status": "in_progress", "why": "Conferences moved"])
            case "POST /goals/:scope/:goalId/steps/:stepId/check-ins": return .fields(["note": "Half the families called", "status": "in_progress"])
            case "POST /goals/:scope/:goalId/steps/:stepId/evidence": return .fields(["href": "/walkthroughs/abc", "label": "Visit"])
            // Growth.
            case "POST /growth/teachers/:teacherId/goal": return .fields(["statement": "Better questions", "indicators[]": values["indicator"]![.own]!])
            case "POST /growth/teachers/:teacherId/reflections": return .fields(["body": "Turn-and-talk worked in math, less in reading."])
            case "POST /learning/needs/:needId/status": return .fields(["status": "addressed"])
            case "POST /learning/sessions/:sessionId/attendance": return .fields(["school": school, "attended[]": teacher])
            case "POST /plcs/:teamId/members": return .fields(["members[]": values["teamMember"]![variant] ?? values["teamMember"]![.own]!])
            case "POST /plcs/:teamId/meetings": return .fields(["heldOn": today, "notes": "Looked at the letter-sounds check."])
            case "POST /plcs/:teamId/cycles": return .fields(["question": "Why do a third of our students miss short vowels?"])
            case "POST /plcs/:teamId/cycles/:cycleId": return .fields(["status": "action", "plan": "Daily vowel warm-up", "action": "Two weeks of warm-ups"])
            // The leader's time.
            case "POST /time/:leaderId/entries":
                return .fields(["day": today, "start": "09:00", "end": "10:30", "title": "Classroom walkthroughs", "category": "walkthroughs"])
            case "POST /time/:leaderId/entries/:entryId": return .fields(["category": "operations"])
            case "POST /time/:leaderId/target": return .fields(["percent": "50"])
            case "POST /time/:leaderId/blocks": return .fields(["weekday": "2", "start": "09:00", "end": "10:30", "label": "Visits"])
            case "POST /time/:leaderId/delegations": return .fields(["task": "Order the buses", "delegateId": teacher, "dueOn": inAMonth])
            case "POST /time/:leaderId/delegations/:delegationId": return .fields(["status": "done"])
            case "POST /time/:leaderId/calendars": return .fields(["label": "Work", "address": "https://calendar.invalid/basic.ics"])
            case "POST /time/:leaderId/import":
                return .upload(field: "calendar", name: "week.ics", file: Data(files["calendar"]!.utf8), fields: ["from": today, "through": inAMonth])
            case "POST /students/:studentId/delete": return .fields(["confirm": value(":studentId", variant), "reference": "Request 2026-17"])
            case "PUT /api/assessments/:id/scores":
                return .json(AssessmentController.ScoreInput(studentId: value("scoreStudent", variant), standardId: value("scoreStandard", variant), value: 3))
            default: return .fields([:])
            }
        }

        /// Files and values the forms send, read from the district (its framework, standards, roster, categories).
        var files: [String: String] = [:]
        var roster = Data()
        var frameworkFields: [String: String] = [:]
        var indicators: [String] = []
        /// Codes of standards a link may lead to (not the one `standards:id` names).
        var linkCodes: [String] = []
        /// The kind of resource new allocations are of.
        var resourceKind = ""

        /// The time categories' form as its page shows it: every category's name, kind and keywords.
        static func categoriesForm(on sql: any SQLDatabase) async throws -> [String: String] {
            var fields: [String: String] = [:]
            for row in try await sql.raw("SELECT id, name, instructional, keywords FROM time_categories").all() {
                let key = try row.decode(column: "id", as: String.self)
                fields["name_\(key)"] = try row.decode(column: "name", as: String.self)
                fields["kind_\(key)"] = try row.decode(column: "instructional", as: Bool.self) ? "instructional" : "management"
                fields["keywords_\(key)"] = try row.decode(column: "keywords", as: String.self)
            }
            return fields
        }

        /// A parameter can mean a different record under each first path segment (`walkthroughs:id`, `coaching:stepId`).
        func key(_ route: String, _ parameter: String) -> String {
            let scoped = "\(route.split(separator: " ")[1].split(separator: "/").first!)\(parameter)"
            return values[scoped] != nil ? scoped : parameter
        }

        func path(_ route: String, _ variant: Variant) -> String? {
            var segments: [String] = []
            for segment in route.split(separator: " ")[1].split(separator: "/").map(String.init) {
                if segment.hasPrefix(":") {
                    guard let byVariant = values[key(route, segment)], let value = byVariant[variant] ?? byVariant[.own] else { return nil }
                    segments.append(value)
                } else {
                    segments.append(segment)
                }
            }
            return "/" + segments.joined(separator: "/")
        }

        static func load(_ district: DemoDistrict, on db: any Database) async throws -> Ids {
            let sql = db.sql
            let people = DemoPeople(district: district)
            func one(_ query: SQLQueryString) async throws -> String? {
                try await sql.raw(query).first()?.decode(column: "id", as: String.self)
            }
            let teacher = people.teacherId
            let bundle = district.bundle
            let ownClass = bundle.enrollments.first { $0.userSourcedId == teacher && $0.role == "teacher" }!.classSourcedId
            let peerTeacher = try await one("SELECT staff_id AS id FROM role_grants WHERE role = 'teacher' AND school_id = 'school-1' AND staff_id <> \(bind: teacher) ORDER BY staff_id")!
            let otherTeacher = try await one("SELECT staff_id AS id FROM role_grants WHERE role = 'teacher' AND school_id = 'school-2' ORDER BY staff_id")!
            let peerClass = people.district.bundle.enrollments.first { $0.userSourcedId == peerTeacher && $0.role == "teacher" }!.classSourcedId
            let otherClass = people.district.bundle.enrollments.first { $0.userSourcedId == otherTeacher && $0.role == "teacher" }!.classSourcedId
            let principal = try #require(district.accounts.first { $0.email == people.email(.principal) }?.sourcedId)
            let otherPrincipal = try await one("SELECT staff_id AS id FROM role_grants WHERE role = 'principal' AND school_id = 'school-2'")!
            // An intervention group in each of three classes (the demo has none).
            for (classId, school) in [(ownClass, "school-1"), (peerClass, "school-1"), (otherClass, "school-2")] {
                try await sql.raw("""
                    INSERT INTO intervention_groups (id, name, class_id, school_id, standard_id, plan, reassess_on, created_by, created_at)
                    VALUES (\(bind: "group-" + classId), 'Ratios', \(bind: classId), \(bind: school), (SELECT id FROM standards LIMIT 1), '', \(bind: DisplayTime.isoDay(Int(Date().timeIntervalSince1970) + 14 * 86_400)), \(bind: teacher), 0)
                    """).run()
            }
            // A mentor pairing in each of two schools, whatever the demo's evidence suggested today.
            for (school, mentor, mentee) in [("school-1", peerTeacher, teacher), ("school-2", otherTeacher, otherTeacher)] {
                try await sql.raw("""
                    INSERT INTO mentor_pairings (id, school_id, indicator_key, mentor_id, mentee_id, confirmed_by, confirmed_at)
                    VALUES (\(bind: "matrix-pairing|" + school), \(bind: school), (SELECT indicator_key FROM indicator_marks LIMIT 1), \(bind: mentor), \(bind: mentee), \(bind: principal), 0)
                    """).run()
            }
            // The own teacher's visit by the assistant principal, the colleague's by the coach (the table's observers),
            // named so both databases pick the same one (PostgreSQL returns rows in no fixed order).
            func walkthrough(of teacher: String, by observer: String? = nil) async throws -> String? {
                if let observer, let id = try await one("SELECT id FROM walkthroughs WHERE teacher_id = \(bind: teacher) AND observer_id = \(bind: observer) ORDER BY observed_at, id LIMIT 1") { return id }
                return try await one("SELECT id FROM walkthroughs WHERE teacher_id = \(bind: teacher) ORDER BY observed_at, id LIMIT 1")
            }
            let assistantPrincipal = try #require(district.accounts.first { $0.email == people.email(.assistantPrincipal) }?.sourcedId)
            let coachId = try #require(district.accounts.first { $0.email == people.email(.coach) }?.sourcedId)
            func assessment(in classId: String) async throws -> String? {
                try await one("SELECT assessment_id AS id FROM assessment_classes WHERE class_id = \(bind: classId) LIMIT 1")
            }
            func student(in classId: String) -> String { bundle.enrollments.first { $0.classSourcedId == classId && $0.role == "student" }!.userSourcedId }
            let goal = { (scope: String) async throws -> String? in try await one("SELECT id FROM goals WHERE scope = \(bind: scope) LIMIT 1") }
            // A goal with values typed by hand in each school, with an action step: a copy of the demo's goal and step.
            let manual = String(decoding: try JSONEncoder().encode(GoalMetric(kind: .manual, unit: "%")), as: UTF8.self)
            func manualGoal(_ scope: String) async throws -> String? {
                guard let demo = try await goal(scope) else { return nil }
                let copy = try await Throwaway.copy("goals", demo, replacing: ["metric": manual, "starts_on": DisplayTime.isoDay(Int(Date().timeIntervalSince1970) - 30 * 86_400)], on: sql)
                if let step = try await one("SELECT id FROM action_steps WHERE goal_id = \(bind: demo) ORDER BY id LIMIT 1") {
                    _ = try await Throwaway.copy("action_steps", step, replacing: ["goal_id": copy], on: sql)
                }
                return copy
            }
            let ownGoal = try await manualGoal("school-1"), otherGoal = try await manualGoal("school-2")
            func step(_ goal: String?) async throws -> String? { try await one("SELECT id FROM action_steps WHERE goal_id = \(bind: goal ?? "") LIMIT 1") }
            func session(_ scope: String) async throws -> String? { try await one("SELECT id FROM learning_sessions WHERE scope = \(bind: scope) LIMIT 1") }
            func need(_ scope: String) async throws -> String? { try await one("SELECT id FROM learning_needs WHERE scope = \(bind: scope) LIMIT 1") }
            func team(_ school: String) async throws -> String? { try await one("SELECT id FROM plc_teams WHERE school_id = \(bind: school) LIMIT 1") }
            func cycle(_ team: String?) async throws -> String? { try await one("SELECT id FROM inquiry_cycles WHERE team_id = \(bind: team ?? "") LIMIT 1") }
            func pairing(_ school: String) async throws -> String? { try await one("SELECT id FROM mentor_pairings WHERE school_id = \(bind: school) ORDER BY id LIMIT 1") }
            func owned(_ table: String, _ leader: String) async throws -> String? { try await one("SELECT id FROM \(ident: table) WHERE leader_id = \(bind: leader) LIMIT 1") }
            func coachingStep(_ school: String) async throws -> String? {
                try await one("""
                    SELECT s.id FROM coaching_steps s JOIN coaching_conversations c ON c.id = s.conversation_id
                    JOIN role_grants g ON g.staff_id = c.teacher_id AND g.role = 'teacher' WHERE g.school_id = \(bind: school) LIMIT 1
                    """)
            }
            let ownTeam = try await team("school-1"), otherTeam = try await team("school-2")

            var ids = Ids()
            func set(_ name: String, own: String?, other: String? = nil, peer: String? = nil) {
                var byVariant: [Variant: String] = [:]
                byVariant[.own] = own; byVariant[.other] = other; byVariant[.peer] = peer
                ids.values[name] = byVariant
            }
            set(":schoolId", own: "school-1", other: "school-2")
            set(":provider", own: "district")
            set(":scope", own: "school-1", other: "school-2")
            set(":classId", own: ownClass, other: otherClass, peer: peerClass)
            set(":studentId", own: student(in: ownClass), other: student(in: otherClass), peer: student(in: peerClass))
            set(":teacherId", own: teacher, other: otherTeacher, peer: peerTeacher)
            set(":leaderId", own: principal, other: otherPrincipal)
            // A person no other row uses (roles are given to them), in a school no other row uses.
            set(":staffId", own: try await one("SELECT staff_id AS id FROM role_grants WHERE role = 'teacher' AND school_id = 'school-3' ORDER BY staff_id")!)
            set(":standardId", own: try await one("SELECT standard_id AS id FROM assessment_standards WHERE assessment_id = \(bind: try await assessment(in: ownClass) ?? "") LIMIT 1"))
            set("walkthroughs:id", own: try await walkthrough(of: teacher, by: assistantPrincipal), other: try await walkthrough(of: otherTeacher),
                peer: try await walkthrough(of: peerTeacher, by: coachId))
            set("assessments:id", own: try await assessment(in: ownClass), other: try await assessment(in: otherClass), peer: try await assessment(in: peerClass))
            // A grade of the class an assessment was given to: what marking it common names.
            func grade(of classId: String) async throws -> String? {
                try await one("SELECT grades AS id FROM classes WHERE id = \(bind: classId)").flatMap { $0.split(separator: ",").first.map(String.init) }
            }
            set("commonGrade", own: try await grade(of: ownClass), other: try await grade(of: otherClass), peer: try await grade(of: peerClass))
            set("api:id", own: try await assessment(in: ownClass), other: try await assessment(in: otherClass), peer: try await assessment(in: peerClass))
            // A score the score grid would save: a student of the assessment's class, on a standard it assesses.
            func scoreStandard(in classId: String) async throws -> String? {
                try await one("SELECT standard_id AS id FROM assessment_standards WHERE assessment_id = \(bind: try await assessment(in: classId) ?? "") ORDER BY standard_id LIMIT 1")
            }
            set("scoreStudent", own: student(in: ownClass), other: student(in: otherClass), peer: student(in: peerClass))
            set("scoreStandard", own: try await scoreStandard(in: ownClass), other: try await scoreStandard(in: otherClass), peer: try await scoreStandard(in: peerClass))
            set("interventions:id", own: "group-" + ownClass, other: "group-" + otherClass, peer: "group-" + peerClass)
            let linked = try #require(try await one("SELECT id FROM standards ORDER BY id LIMIT 1"))
            set("standards:id", own: linked)
            ids.linkCodes = try await sql.raw("SELECT code FROM standards WHERE id <> \(bind: linked) AND code <> '' ORDER BY id LIMIT 40").all().map { try $0.decode(column: "code", as: String.self) }
            try await StandardsQueries(db: db).addLink(from: linked, to: try #require(try await one("SELECT id FROM standards WHERE id <> \(bind: linked) ORDER BY id DESC LIMIT 1")), by: principal)
            set(":linkId", own: try #require(try await one("SELECT id FROM standard_links WHERE document_id IS NULL")))
            // The active framework, so activating it and saving it as it is keep every walkthrough's practices.
            let framework = try await FrameworkStore.active(on: db)
            set("admin:id", own: framework.id)
            set(":goalId", own: ownGoal, other: otherGoal)
            set(":stepId", own: try await step(ownGoal), other: try await step(otherGoal))
            set(":sessionId", own: try await session("school-1"), other: try await session("school-2"))
            set(":needId", own: try await need("school-1"), other: try await need("school-2"))
            set(":teamId", own: ownTeam, other: otherTeam)
            set(":cycleId", own: try await cycle(ownTeam), other: try await cycle(otherTeam))
            set(":pairingId", own: try await pairing("school-1"), other: try await pairing("school-2"))
            set(":blockId", own: try await owned("protected_blocks", principal), other: try await owned("protected_blocks", otherPrincipal))
            set(":entryId", own: try await owned("time_entries", principal), other: try await owned("time_entries", otherPrincipal))
            set(":delegationId", own: try await owned("delegations", principal), other: try await owned("delegations", otherPrincipal))
            // A connected calendar for each of the two principals (its address answers nothing here).
            for leader in [principal, otherPrincipal] {
                try await db.sql.raw("""
                    INSERT INTO calendar_subscriptions (id, leader_id, label, address, events, interval_seconds, next_refresh_at, created_at)
                    VALUES (\(bind: "subscription-" + leader), \(bind: leader), 'Work', 'https://calendar.invalid/basic.ics', 0, 3600, 0, 0)
                    """).run()
            }
            set(":subscriptionId", own: try await owned("calendar_subscriptions", principal), other: try await owned("calendar_subscriptions", otherPrincipal))
            // Coaching steps: the route names no school; the step's teacher decides.
            set("coach", own: try #require(district.accounts.first { $0.email == people.email(.coach) }?.sourcedId),
                other: try await one("SELECT staff_id AS id FROM role_grants WHERE role = 'coach' AND school_id = 'school-2' ORDER BY staff_id"))
            func caseloadEntry(_ school: String) async throws -> String? {
                try await one("SELECT c.id FROM caseloads c JOIN role_grants g ON g.staff_id = c.teacher_id AND g.role = 'teacher' WHERE g.school_id = \(bind: school) LIMIT 1")
            }
            set("caseloadEntry", own: try await caseloadEntry("school-1"), other: try await caseloadEntry("school-2"))
            set("indicator", own: try await one("SELECT indicator_key AS id FROM indicator_marks LIMIT 1"))
            set("secondTeacher", own: peerTeacher, other: try await one("SELECT staff_id AS id FROM role_grants WHERE role = 'teacher' AND school_id = 'school-2' AND staff_id <> \(bind: otherTeacher) ORDER BY staff_id"))
            set("standardCode", own: try await one("SELECT s.code AS id FROM standards s JOIN assessment_standards a ON a.standard_id = s.id LIMIT 1"))
            ids.query["GET /classes/:classId/interventions/new"] = "?standard=" + (ids.values[":standardId"]?[.own] ?? "")
            set("coaching:stepId", own: try await coachingStep("school-1"), other: try await coachingStep("school-2"))
            set("readingStandard", own: try await one("SELECT id FROM standards ORDER BY id LIMIT 1"))
            // A team's new member list keeps the featured teacher, whose own team it is.
            // A notification for the featured teacher, a colleague and a teacher of another school; an email's unsubscribe token.
            for recipient in [teacher, peerTeacher, otherTeacher] {
                try await sql.raw("""
                    INSERT INTO notifications (id, recipient_id, kind, title, link, record_id, created_at, emailed)
                    VALUES (\(bind: "matrix-note-" + recipient), \(bind: recipient), 'feedback', 'Feedback', '/feedback', 'x', 0, 'no')
                    """).run()
            }
            set("notifications:id", own: "matrix-note-" + teacher, other: "matrix-note-" + otherTeacher, peer: "matrix-note-" + peerTeacher)
            try await sql.raw("""
                INSERT INTO email_outbox (id, recipient_id, to_address, subject, text_body, html_body, kind, unsubscribe_token, state, attempts, next_attempt_at, created_at)
                VALUES ('matrix-email', \(bind: teacher), 'nora@example.org', 'Feedback', 'x', 'x', 'feedback', 'matrix-token', 'sent', 1, 0, 0)
                """).run()
            set(":token", own: "matrix-token")
            // A colleague's private calendar link (no role of the matrix makes a new one of theirs during the run).
            let feedToken = PKCE.randomToken()
            try await sql.raw("INSERT INTO calendar_feeds (id, token_hash, created_at) VALUES (\(bind: peerTeacher), \(bind: CalendarFeedQueries.hash(feedToken)), 0)").run()
            set(":feedToken", own: feedToken + ".ics")
            set("teamMember", own: teacher, other: try await one("SELECT staff_id AS id FROM plc_members WHERE team_id = \(bind: otherTeam ?? "") ORDER BY staff_id"))

            ids.files["framework"] = String(decoding: FrameworkJSON.encode(framework.framework), as: UTF8.self)
            let leadership = try await LeadershipQueries(db: db).activeFramework()
            ids.files["leadership"] = leadership.definition
            set(":versionId", own: leadership.id!)
            set(":year", own: String(SchoolYear.current()))
            set("leadership:indicator", own: "shared-vision")
            // An opening at school-2, with one candidate.
            let otherOpening = try await HiringQueries(db: db).open(school: "school-2", title: "Grade 2 teacher",
                                                                    profile: HiringProfile.lodestarDefaults[1], by: otherPrincipal)
            try await sql.raw("""
                INSERT INTO candidates (id, opening_id, name, email, phone, source, added_by, added_at, delete_after)
                VALUES ('matrix-candidate', \(bind: otherOpening.id!), 'Ana Cruz', '', '', 'Referral', \(bind: otherPrincipal), 0, 4000000000)
                """).run()
            set("succession:entryId", own: "demo-bench-school-1-principal", other: "demo-bench-school-2-principal")
            let ownPlan = try #require(try await InductionQueries(db: db).plans(atSchools: ["school-1"]).first { $0.mentorId == teacher })
            let otherPlan = try await InductionQueries(db: db).start(school: "school-2", teacher: otherTeacher, mentor: nil, observer: otherPrincipal,
                                                                     startsOn: DisplayTime.isoDay(Int(Date().timeIntervalSince1970)), by: otherPrincipal)
            set(":planId", own: ownPlan.id!, other: otherPlan.id!)
            set("induction:itemId", own: try await InductionQueries(db: db).items(of: [ownPlan.id!])[0].id!,
                other: try await InductionQueries(db: db).items(of: [otherPlan.id!])[0].id!)
            set(":openingId", own: DemoTalentLoader.openingId, other: otherOpening.id!)
            set(":school", own: "school-1", other: "school-2")
            func libraryFile(at school: String) async throws -> String {
                try await LibraryQueries(db: db).add(LibraryEntry(kind: .file, title: "Planner (\(school))", url: "", note: "", practices: ["questioning"], standards: [], bands: []),
                                                     schoolId: school, approved: true, by: DemoLoader.adminId, file: ("planner.txt", .text, Data("Plan three questions.".utf8))).id!
            }
            set("library:id", own: try await libraryFile(at: "school-1"), other: try await libraryFile(at: "school-2"))
            let funds = try #require(try await one("SELECT id FROM resource_kinds WHERE name = 'Professional-learning funds'"))
            ids.resourceKind = funds
            set("resources:id", own: try await one("SELECT id FROM resource_allocations WHERE school_id = 'school-1' AND kind_id = \(bind: funds)"),
                other: try await one("SELECT id FROM resource_allocations WHERE school_id = 'school-2' AND kind_id = \(bind: funds)"))
            set(":role", own: "coach")
            set(":candidateId", own: DemoTalentLoader.openingId + "-candidate-1", other: "matrix-candidate")
            ids.committee = try await HiringQueries(db: db).committee(of: DemoTalentLoader.openingId)
            ids.otherCommittee = [otherPrincipal]
            ids.leadershipTeam = try await LeadershipQueries(db: db).members(of: try #require(try await LeadershipQueries(db: db).assessment(school: "school-1", year: SchoolYear.current())).id!)
            ids.frameworkFields = FrameworkForm.fields(of: framework.framework)
            ids.files["standards"] = String(decoding: CASEWriter.json(DemoStandards.packages[0], baseURI: "https://standards.cedarvalley.example.org/case"), as: UTF8.self)
            let day = DisplayTime.isoDay(Int(Date().timeIntervalSince1970)).replacingOccurrences(of: "-", with: "")
            ids.files["calendar"] = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Lodestar tests//EN", "BEGIN:VEVENT", "UID:matrix-1@lodestar.test",
                                     "DTSTAMP:20260901T120000Z", "DTSTART:\(day)T140000Z", "DURATION:PT1H", "SUMMARY:Classroom walkthroughs",
                                     "END:VEVENT", "END:VCALENDAR", ""].joined(separator: "\r\n")
            // Practices no pairing names yet, for new pairings.
            let paired = Set(try await sql.raw("SELECT indicator_key FROM mentor_pairings").all().map { try $0.decode(column: "indicator_key", as: String.self) })
            ids.indicators = try await FrameworkStore.active(on: db).framework.indicators.map(\.key).filter { !paired.contains($0) }
            // The district's own roster, zipped as its information system exports it: importing it changes nothing.
            ids.roster = try zipArchive(OneRosterWriter.files(for: bundle).sorted { $0.key < $1.key }.map { ($0.key, Data($0.value.utf8)) })
            return ids
        }
    }
}

private extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
