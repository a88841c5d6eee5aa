import Fluent
import Foundation
import NIOCore
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Signing in")
struct SignInTests {
    @Test(arguments: TestDatabase.all)
    func sessionCookieIsHttpOnlyAndSameSiteAndNewAtSignIn(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let client = TestClient(app)
            let page = try await client.get("/signin")
            // Signed out, the form's token is in a cookie of its own; no session is made for a look at the page.
            #expect(page.headers.setCookie?["lodestar_session"] == nil)
            let visitor = try #require(page.headers.setCookie?[CSRFMiddleware.visitorCookie])
            #expect(visitor.isHTTPOnly && visitor.sameSite == .strict)
            // A session id planted before sign-in (session fixation) is not the one signed in.
            client.cookies["lodestar_session"] = "planted-by-someone-else"
            let signedIn = try await client.signIn(DemoPeople(district: district).email(.principal))
            #expect(signedIn.status == .seeOther)
            let after = try #require(signedIn.headers.setCookie?["lodestar_session"])
            #expect(after.string != "planted-by-someone-else")
            #expect(after.isHTTPOnly && after.sameSite == .lax)
            #expect(try await client.get("/").status == .ok)
            let planted = TestClient(app)
            planted.cookies["lodestar_session"] = "planted-by-someone-else"
            #expect(try await planted.get("/").headers.first(name: .location) == "/signin")
        }
    }

    /// Every request reads the signed-in person with their roles by position, not through Fluent: every field and
    /// every grant must come back as stored.
    @Test(arguments: TestDatabase.all)
    func theSignedInPersonIsReadWholeWithTheirRoles(_ database: TestDatabase) async throws {
        #expect(Staff.columnsByPosition.sorted() == Staff.keys.map(\.description).sorted())
        try await withLodestar(database) { app in
            let rostered = Staff(id: "t-1", givenName: "Ana", familyName: "O'Neil", email: "ana@example.org")
            (rostered.username, rostered.identifier, rostered.rosterRole, rostered.orgIds, rostered.source) = ("ana", "E-17", "teacher", "s1,s2", "roster")
            rostered.passwordHash = "hash\twith tab"
            let disabled = Staff(id: "t-2", givenName: "Bo", familyName: "Li", email: "bo@example.org")
            disabled.isEnabled = false
            let grants = [RoleGrant(role: .teacher, schoolId: "s1"), RoleGrant(role: .coach, schoolId: "s2"), RoleGrant(role: .districtLeader, schoolId: nil)]
            try await app.db.writeTransaction { db in
                try await [rostered, disabled].create(on: db)
                try await grants.map { RoleGrantRecord(staffId: "t-1", grant: $0, source: "local") }.create(on: db)
            }
            for id in ["t-1", "t-2"] {
                let fluent = try #require(try await Staff.find(id, on: app.db))
                let read = try #require(try await StaffDirectory(db: app.db).signedIn(id))
                #expect([read.staff.id, read.staff.givenName, read.staff.familyName, read.staff.email, read.staff.username, read.staff.identifier,
                         read.staff.rosterRole, read.staff.orgIds, read.staff.source]
                        == [fluent.id, fluent.givenName, fluent.familyName, fluent.email, fluent.username, fluent.identifier, fluent.rosterRole,
                            fluent.orgIds, fluent.source])
                #expect(read.staff.passwordHash == fluent.passwordHash && read.staff.isEnabled == fluent.isEnabled)
            }
            #expect(Set(try #require(try await StaffDirectory(db: app.db).signedIn("t-1")).grants) == Set(grants))
            #expect(try await StaffDirectory(db: app.db).signedIn("t-1")?.staff.passwordHash == "hash\twith tab")
            #expect(try await StaffDirectory(db: app.db).signedIn("t-2")?.grants == [])
            #expect(try await StaffDirectory(db: app.db).signedIn("t-2")?.staff.isEnabled == false)
            #expect(try await StaffDirectory(db: app.db).signedIn("no-one") == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func anonymousVisitsLeaveNoSessionsAndExpiredOnesArePurged(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            func sessions() async throws -> Int { try await app.db.sql.raw("SELECT key FROM _fluent_sessions").all().count }
            for n in 0..<40 {
                let visitor = TestClient(app)
                if n % 2 == 1 { visitor.cookies["lodestar_session"] = "made-up-\(n)" }
                #expect(try await visitor.get("/signin").status == .ok)
                #expect(try await visitor.get("/no-such-page").status == .notFound)
            }
            #expect(try await sessions() == 0)
            let principal = TestClient(app)
            try await principal.signIn(DemoPeople(district: district).email(.principal))
            #expect(try await sessions() == 1)
            // The purge keeps a live session and removes one signed in longer ago than the lifetime.
            #expect(try await SessionPurge.run(on: app.db) == 0)
            #expect(try await principal.get("/").status == .ok)
            #expect(try await SessionPurge.run(on: app.db, now: Date().timeIntervalSince1970 + SignInPolicy.sessionLifetime + 1) == 1)
            #expect(try await sessions() == 0)
            #expect(try await principal.get("/").headers.first(name: .location) == "/signin")
        }
    }

    @Test(arguments: TestDatabase.all)
    func formWithoutCSRFTokenIsRefused(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let client = TestClient(app)
            try await client.get("/signin")
            let res = try await client.post("/signin", form: ["identifier": DemoPeople(district: district).email(.principal), "password": DemoDistrict.password], csrf: false)
            #expect(res.status == .forbidden)
            #expect(res.body.string.contains("This form has expired"))
            client.csrf = "forged-token"
            #expect(try await client.post("/signin", form: ["identifier": "x", "password": "y"]).status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func wrongPasswordIsRefusedAndRepeatedAttemptsAreLimited(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let email = DemoPeople(district: district).email(.principal)
            let client = TestClient(app)
            for _ in 0..<SignInPolicy.failuresPerAccount {
                #expect(try await client.signIn(email, password: "wrong").status == .unauthorized)
            }
            // Now even the right password waits.
            let limited = try await client.signIn(email)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.body.string.contains("Too many sign-in attempts"))
        }
    }

    @Test func sessionCookieIsSecureWhenServedOverHTTPS() {
        let cookie = sessionCookie(SessionID(string: "abc"), secure: true)
        #expect(cookie.isSecure && cookie.isHTTPOnly && cookie.sameSite == .lax)
        #expect(cookie.maxAge == 8 * 60 * 60)
        #expect(!sessionCookie(SessionID(string: "abc"), secure: false).isSecure)
    }

    @Test(arguments: TestDatabase.all)
    func aSessionExpiresEightHoursAfterSignIn(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let client = TestClient(app)
            try await client.signIn(DemoPeople(district: district).email(.principal))
            #expect(try await client.get("/").status == .ok)
            // The same session, as if signed in at `time`.
            func signedIn(at time: Double) async throws {
                for row in try await app.db.sql.raw("SELECT key, data FROM _fluent_sessions").all() {
                    var data = try row.decode(column: "data", as: SessionData.self)
                    guard data["signed_in_at"] != nil else { continue }
                    data["signed_in_at"] = String(time)
                    try await app.db.sql.update("_fluent_sessions").set("data", to: data).where("key", .equal, try row.decode(column: "key", as: String.self)).run()
                }
            }
            try await signedIn(at: Date().timeIntervalSince1970 - SignInPolicy.sessionLifetime + 60)
            #expect(try await client.get("/").status == .ok)
            try await signedIn(at: Date().timeIntervalSince1970 - SignInPolicy.sessionLifetime - 60)
            let expired = try await client.get("/")
            #expect(expired.status == .seeOther)
            #expect(expired.headers.first(name: .location) == "/signin")
        }
    }

    @Test(arguments: TestDatabase.all)
    func signOutEndsTheSession(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let client = TestClient(app)
            try await client.signIn(DemoPeople(district: district).email(.principal))
            let oldCookie = client.cookie
            #expect(try await client.post("/signout", form: [:]).status == .seeOther)
            client.cookie = oldCookie
            #expect(try await client.get("/").status == .seeOther)
        }
    }
}

@Suite("Sign-in limits")
struct SignInLimiterTests {
    @Test(arguments: TestDatabase.all)
    func oneAddressTryingManyAccountsIsStopped(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let limiter = SignInLimiter(db: app.db)
            for n in 0..<SignInPolicy.failuresPerAddress {
                #expect(try await !limiter.isBlocked(address: "203.0.113.7"))
                try await limiter.recordFailure(account: "unknown:person\(n)@x.org", address: "203.0.113.7")
            }
            #expect(try await limiter.isBlocked(address: "203.0.113.7"))
            #expect(try await !limiter.isBlocked(address: "198.51.100.1"))
            #expect(try await !limiter.isBlocked(account: "unknown:someone.new@x.org"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func failuresExpireAfterTheWindowAndSlowDownFirst(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let limiter = SignInLimiter(db: app.db)
            let start = Date(timeIntervalSince1970: 1_000_000)
            var delays: [Duration] = []
            for _ in 0..<SignInPolicy.failuresPerAccount {
                delays.append(try await limiter.failures(account: "a", now: start).delay)
                try await limiter.recordFailure(account: "a", address: "192.0.2.1", now: start)
            }
            #expect(delays == [.zero, .zero, .milliseconds(500), .milliseconds(1_000), .milliseconds(1_500)])
            #expect(try await limiter.isBlocked(account: "a", now: start.addingTimeInterval(60)))
            #expect(try await limiter.isBlocked(account: "a", now: start.addingTimeInterval(SignInPolicy.window - 1)))
            #expect(try await !limiter.isBlocked(account: "a", now: start.addingTimeInterval(SignInPolicy.window)))
            // A success forgets the account's failures, not the address's.
            try await limiter.recordSuccess(account: "a", now: start.addingTimeInterval(60))
            #expect(try await limiter.failures(account: "a", now: start.addingTimeInterval(60)).delay == .zero)
            #expect(try await app.db.sql.raw("SELECT COUNT(*) AS n FROM sign_in_failures").first()!.decode(column: "n", as: Int.self) == 5)
        }
    }

    /// The table keeps the window's failures only, and neither the identifier typed nor the address in the clear.
    @Test(arguments: TestDatabase.all)
    func theTableKeepsTheWindowOnlyAndNoIdentifier(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let limiter = SignInLimiter(db: app.db)
            let start = Date(timeIntervalSince1970: 1_000_000)
            for n in 0..<50 {
                try await limiter.recordFailure(account: "unknown:\(n)@x.org", address: "192.0.2.\(n % 7)", now: start)
            }
            try await limiter.recordFailure(account: "unknown:late@x.org", address: "192.0.2.99", now: start.addingTimeInterval(SignInPolicy.window))
            let rows = try await app.db.sql.raw("SELECT key_digest, failed_at FROM sign_in_failures").all()
            #expect(rows.count == 2)
            for row in rows {
                #expect(try row.decode(column: "failed_at", as: Int.self) == 1_000_000 + Int(SignInPolicy.window))
                let key = try row.decode(column: "key_digest", as: String.self)
                #expect(key.count == 32 && !key.contains("@") && !key.contains("192.0.2"))
            }
        }
    }

    /// The account is counted by its record and its password: a new password is a new count.
    @Test func aNewPasswordIsANewCount() {
        let staff = Staff(id: "t1", givenName: "A", familyName: "B", email: "a@x.org")
        staff.passwordHash = "first"
        let before = SignInLimiter.accountKey(staff, identifier: "a@x.org")
        staff.passwordHash = "second"
        #expect(before != SignInLimiter.accountKey(staff, identifier: "a@x.org"))
        #expect(SignInLimiter.accountKey(nil, identifier: "a@x.org") == "unknown:a@x.org")
    }
}

@Suite("Sign-in lockouts a colleague cannot abuse")
struct SignInLockoutTests {
    @Test(arguments: TestDatabase.all)
    func aLockedAccountOpensAgainAfterAPasswordResetAndWithASecondFactor(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            // A colleague who knows the principal's email locks the account.
            let colleague = TestClient(app)
            for _ in 0..<SignInPolicy.failuresPerAccount {
                #expect(try await colleague.signIn(people.email(.principal), password: "guess").status == .unauthorized)
            }
            let owner = TestClient(app)
            #expect(try await owner.signIn(people.email(.principal)).status == .tooManyRequests)
            // An admin sets a new password: it signs in at once.
            let staff = try #require(try await Staff.query(on: app.db).filter(\.$email == people.email(.principal)).first())
            staff.passwordHash = try await app.password.async.hash("a-new-password-2026")
            try await staff.save(on: app.db)
            #expect(try await owner.signIn(people.email(.principal), password: "a-new-password-2026").status == .seeOther)

            // With two-factor sign-in on, the right password and a code get through a lock.
            let ap = TestClient(app)
            try await ap.signIn(people.email(.assistantPrincipal))
            let setUp = try await ap.get("/account/two-factor").body.string
            let key = try #require(setUp.firstMatch(of: /<code class="secret">([A-Z2-7 ]+)<\/code>/)).1
            let authenticator = OneTimePassword(secret: try #require(Base32.decode(String(key))))
            let now = Int(Date().timeIntervalSince1970)
            #expect(try await ap.post("/account/two-factor/confirm", form: ["code": authenticator.code(at: now)]).status == .ok)
            try await ap.post("/signout", form: [:])
            for _ in 0..<SignInPolicy.failuresPerAccount {
                #expect(try await colleague.signIn(people.email(.assistantPrincipal), password: "guess").status == .unauthorized)
            }
            #expect(try await colleague.signIn(people.email(.assistantPrincipal), password: "guess").status == .tooManyRequests)
            let password = try await ap.signIn(people.email(.assistantPrincipal))
            #expect(password.headers.first(name: .location) == "/signin/code")
            try await ap.get("/signin/code")
            // The next code after the one used to confirm; on a slow machine the clock may have moved past it.
            let next = max(now + 30, Int(Date().timeIntervalSince1970))
            #expect(try await ap.post("/signin/code", form: ["code": authenticator.code(at: next)]).status == .seeOther)
            #expect(try await ap.get("/").status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aLongIdentifierIsRefusedBeforeItIsRecorded(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            _ = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let visitor = TestClient(app)
            try await visitor.get("/signin")
            let long = String(repeating: "a", count: 600_000) + "@x.org"
            #expect(try await visitor.post("/signin", form: ["identifier": long, "password": "x"]).status == .unprocessableEntity)
            let just = String(repeating: "b", count: 248) + "@x.org"
            #expect(try await visitor.post("/signin", form: ["identifier": just, "password": "x"]).status == .unauthorized)
            let longest = try await app.db.sql.raw("SELECT subject FROM audit_events").all()
                .map { try $0.decode(column: "subject", as: String.self).count }.max()
            #expect(longest == 254)
        }
    }

    /// Forwarded addresses count only from a proxy Lodestar is told to trust.
    @Test func theClientAddressComesFromATrustedProxyOnly() throws {
        let app = Application(.testing)
        defer { app.shutdown() }
        func request(from peer: String, _ headers: [(String, String)]) throws -> Request {
            let request = Request(application: app, method: .GET, url: "/", headers: HTTPHeaders(headers),
                                  remoteAddress: try SocketAddress(ipAddress: peer, port: 4000), on: app.eventLoopGroup.next())
            return request
        }
        let proxies: Set<String> = ["10.0.0.2"]
        #expect(try request(from: "203.0.113.9", [("X-Forwarded-For", "198.51.100.7")]).clientAddress(trusting: proxies) == "203.0.113.9")
        #expect(try request(from: "10.0.0.2", [("X-Forwarded-For", "198.51.100.7")]).clientAddress(trusting: proxies) == "198.51.100.7")
        #expect(try request(from: "10.0.0.2", [("X-Forwarded-For", "1.2.3.4, 198.51.100.7, 10.0.0.2")]).clientAddress(trusting: proxies) == "198.51.100.7")
        #expect(try request(from: "10.0.0.2", [("Forwarded", "for=192.0.2.60;proto=https, for=\"[2001:db8::17]:4711\"")]).clientAddress(trusting: proxies) == "2001:db8::17")
        #expect(try request(from: "10.0.0.2", [("X-Forwarded-For", "<script>")]).clientAddress(trusting: proxies) == "10.0.0.2")
    }
}
