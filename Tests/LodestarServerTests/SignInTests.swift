import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Signing in")
struct SignInTests {
    @Test(arguments: TestDatabase.all)
    func sessionCookieIsHttpOnlyAndSameSiteAndRenewedAtSignIn(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let client = TestClient(app)
            let page = try await client.get("/signin")
            let before = try #require(page.headers.setCookie?["lodestar_session"])
            #expect(before.isHTTPOnly)
            #expect(before.sameSite == .lax)
            let signedIn = try await client.signIn(DemoPeople(district: district).email(.principal))
            #expect(signedIn.status == .seeOther)
            let after = try #require(signedIn.headers.setCookie?["lodestar_session"])
            #expect(after.string != before.string)
            #expect(after.isHTTPOnly)
            #expect(try await client.get("/").status == .ok)
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
    @Test func oneAddressTryingManyAccountsIsStopped() async {
        let limiter = SignInLimiter()
        for n in 0..<SignInPolicy.failuresPerAddress {
            #expect(await !limiter.isBlocked(account: "person\(n)@x.org", address: "203.0.113.7"))
            await limiter.recordFailure(account: "person\(n)@x.org", address: "203.0.113.7")
        }
        #expect(await limiter.isBlocked(account: "someone.new@x.org", address: "203.0.113.7"))
        #expect(await !limiter.isBlocked(account: "someone.new@x.org", address: "198.51.100.1"))
    }

    @Test func failuresExpireAfterTheWindow() async {
        let limiter = SignInLimiter()
        let start = Date(timeIntervalSince1970: 1_000_000)
        for _ in 0..<SignInPolicy.failuresPerAccount {
            await limiter.recordFailure(account: "a@x.org", address: "192.0.2.1", now: start)
        }
        #expect(await limiter.isBlocked(account: "a@x.org", address: "192.0.2.2", now: start.addingTimeInterval(60)))
        #expect(await !limiter.isBlocked(account: "a@x.org", address: "192.0.2.2", now: start.addingTimeInterval(SignInPolicy.window + 1)))
    }
}
