import Fluent
import Foundation
import LodestarCore
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Two-factor sign-in")
struct TwoFactorTests {
    /// The authenticator a person sets up from the key on their set-up page.
    func authenticator(from page: String) throws -> OneTimePassword {
        let key = try #require(page.firstMatch(of: /<code class="secret">([A-Z2-7 ]+)<\/code>/)).1
        return OneTimePassword(secret: try #require(Base32.decode(String(key))))
    }

    /// Confirms set-up as a person does: the code showing now, typed again (up to three times) if the page says it does
    /// not match, as when a busy test machine holds the request past the code's minute. The last response, and the
    /// time of the code it answered.
    func confirm(_ client: TestClient, with authenticator: OneTimePassword) async throws -> (response: TestingHTTPResponse, at: Int) {
        var attempt = 0
        while true {
            attempt += 1
            let now = Int(Date().timeIntervalSince1970)
            let response = try await client.post("/account/two-factor/confirm", form: ["code": authenticator.code(at: now)])
            if response.status != .unprocessableEntity || attempt == 3 { return (response, now) }
        }
    }

    func recoveryCodes(in page: String) -> [String] {
        page.matches(of: /<li><code>([a-z2-7]{5}-[a-z2-7]{5})<\/code><\/li>/).map { String($0.1) }
    }

    @Test(arguments: TestDatabase.all)
    func aPersonTurnsItOnAndThenSignsInWithACodeOnceOrARecoveryCodeOnce(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let email = DemoPeople(district: district).email(.principal)
            let principal = TestClient(app)
            try await principal.signIn(email)
            let setUp = try await principal.get("/account/two-factor").body.string
            let app2fa = try authenticator(from: setUp)
            #expect(setUp.contains("otpauth://totp/Lodestar:"))
            let wrong = app2fa.code(at: Int(Date().timeIntervalSince1970) - 600)
            #expect(try await principal.post("/account/two-factor/confirm", form: ["code": wrong]).status == .unprocessableEntity)
            // Codes are read off the clock when they are typed, as from a phone (a busy machine may take a minute between steps).
            let (confirmed, now) = try await confirm(principal, with: app2fa)
            #expect(confirmed.status == .ok)
            let codes = recoveryCodes(in: confirmed.body.string)
            try #require(codes.count == 10)
            #expect(try await RecoveryCode.query(on: app.db).count() == 10)
            #expect(!(try await RecoveryCode.query(on: app.db).all().contains { codes.contains($0.digest) }))  // only digests are stored

            // Signing in: the password alone does not open Lodestar.
            try await principal.post("/signout", form: [:])
            try await principal.get("/signin")
            let password = try await principal.post("/signin", form: ["identifier": email, "password": DemoDistrict.password])
            #expect(password.status == .seeOther && password.headers.first(name: .location) == "/signin/code")
            #expect(try await principal.get("/").headers.first(name: .location) == "/signin")
            try await principal.get("/signin/code")
            // The code already used to confirm is refused (good once); the next one is accepted (one step of drift).
            #expect(try await principal.post("/signin/code", form: ["code": app2fa.code(at: now)]).status == .unauthorized)
            #expect(try await principal.post("/signin/code", form: ["code": app2fa.code(at: max(now + 30, Int(Date().timeIntervalSince1970) + 30))]).status == .seeOther)
            #expect(try await principal.get("/").status == .ok)

            // A recovery code works once.
            for expected in [HTTPStatus.seeOther, .unauthorized] {
                try await principal.post("/signout", form: [:])
                try await principal.get("/signin")
                try await principal.post("/signin", form: ["identifier": email, "password": DemoDistrict.password])
                try await principal.get("/signin/code")
                #expect(try await principal.post("/signin/code", form: ["code": codes[3].uppercased()]).status == expected)
                try await principal.get("/")  // a browser follows the redirect and picks up the new CSRF token
            }
            // Phone and recovery codes lost: an administrator turns it off from the shell; the password alone signs in again.
            try await runCommand(app, ["user", "reset-two-factor", email])
            #expect(try await TwoFactorSecret.query(on: app.db).count() == 0)
            #expect(try await RecoveryCode.query(on: app.db).count() == 0)
            try await principal.post("/signout", form: [:])
            try await principal.get("/signin")
            #expect(try await principal.post("/signin", form: ["identifier": email, "password": DemoDistrict.password]).headers.first(name: .location) == "/")

            // Without a password first, the code step sends back to the password.
            let stranger = TestClient(app)
            try await stranger.get("/signin")
            #expect(try await stranger.post("/signin/code", form: ["code": app2fa.code(at: now + 60)]).headers.first(name: .location) == "/signin")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aDistrictAdminTurnsOffTheSecondFactorOfSomeoneWhoLostIt(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            let app2fa = try authenticator(from: try await teacher.get("/account/two-factor").body.string)
            #expect(try await confirm(teacher, with: app2fa).response.status == .ok)

            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.post("/admin/people/\(people.teacherId)/two-factor/reset", form: [:]).status == .forbidden)
            let admin = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            #expect(try await admin.get("/admin/people/\(people.teacherId)").body.string.contains("Turn off their two-factor sign-in"))
            #expect(try await admin.post("/admin/people/\(people.teacherId)/two-factor/reset", form: [:]).status == .seeOther)
            #expect(try await TwoFactorSecret.find(people.teacherId, on: app.db) == nil)
            #expect(try await RecoveryCode.query(on: app.db).count() == 0)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "reset two-factor sign-in").filter(\.$subject == people.teacherId).count() == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func whenTheDistrictRequiresItDistrictRolesSetItUpBeforeAnythingElseAndCannotTurnItOff(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            app.twoFactorRequirement = TwoFactorRequirement(districtRoles: true)
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let leader = TestClient(app)
            try await leader.signIn(people.email(.districtLeader))
            #expect(try await leader.get("/insights/practice").headers.first(name: .location) == "/account/two-factor")
            #expect(try await leader.post("/learning/needs", form: ["scope": "district", "kind": "other", "title": "x"]).status == .forbidden)
            // Other roles are not held to it.
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.get("/insights/practice").status == .ok)

            let page = try await leader.get("/account/two-factor").body.string
            #expect(page.contains("Your district requires it for your role."))
            let authenticator = try authenticator(from: page)
            let now = Int(Date().timeIntervalSince1970)
            #expect(try await leader.post("/account/two-factor/confirm", form: ["code": authenticator.code(at: now)]).status == .ok)
            #expect(try await leader.get("/insights/practice").status == .ok)
            #expect(try await leader.post("/account/two-factor/disable", form: ["code": authenticator.code(at: now + 30)]).status == .forbidden)
            #expect(try await TwoFactorSecret.query(on: app.db).filter(\.$confirmedAt != nil).count() == 1)
        }
    }
}
