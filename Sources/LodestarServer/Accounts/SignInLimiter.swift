import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Limits on signing in, in one place.
enum SignInPolicy {
    /// A session ends after eight hours, a school day, whatever the activity.
    static let sessionLifetime: TimeInterval = 8 * 60 * 60
    /// Failed attempts allowed per account within `window`.
    static let failuresPerAccount = 5
    /// Failed attempts allowed per network address within `window` (a school shares one address).
    static let failuresPerAddress = 30
    static let window: TimeInterval = 15 * 60
    /// Failed attempts on an account before each answer is slowed down.
    static let failuresBeforeSlowing = 2
    /// The longest identifier looked up or recorded: the longest an email address can be (RFC 5321).
    static let identifierLength = 254
    /// After the password, the second-factor code must come within five minutes.
    static let pendingSecondFactor: TimeInterval = 5 * 60
}

/// Counts failed sign-ins per account and per client address in a sliding window, in the database, so every
/// Lodestar server behind one balancer counts the same failures (a guesser cannot spread attempts across them).
///
/// An account is counted under its staff record *and its current password*: someone who knows a colleague's
/// email can lock that account for a while, but not past a password reset by an admin (a new password is a new
/// count), and an account with two-factor sign-in still gets through with its password and a code (the code
/// step has its own count). Identifiers that name nobody are counted too. Keys are stored as digests (no email
/// typed wrongly or network address is kept), and a failure drops every failure older than the window, so the
/// table holds at most the window's failures — and an address stops adding any once it is blocked.
struct SignInLimiter {
    let db: any Database

    /// The key an account's failures are counted under.
    static func accountKey(_ staff: Staff?, identifier: String) -> String {
        guard let staff, let id = staff.id else { return "unknown:" + identifier }
        let password = SHA256Hex.of(staff.passwordHash ?? "", bytes: 8)
        return "staff:\(id):\(password)"
    }

    /// The key of the second-factor step's failures for one person.
    static func codeKey(_ staffId: String) -> String { "code:" + staffId }

    /// An account's failures within the window, read once per attempt: whether it is locked, and how long to wait.
    struct AccountFailures {
        let count: Int

        var isBlocked: Bool { count >= SignInPolicy.failuresPerAccount }

        /// How long to wait before answering: nothing for the first failures, then half a second more for each, up
        /// to two seconds, so guessing slows down before the account is locked.
        var delay: Duration {
            let recent = count - SignInPolicy.failuresBeforeSlowing
            return recent < 0 ? .zero : .milliseconds(min(2_000, 500 * (recent + 1)))
        }
    }

    func failures(account: String, now: Date = Date()) async throws -> AccountFailures {
        AccountFailures(count: try await count("account:" + account, now))
    }

    func isBlocked(account: String, now: Date = Date()) async throws -> Bool {
        try await failures(account: account, now: now).isBlocked
    }

    func isBlocked(address: String, now: Date = Date()) async throws -> Bool {
        try await count("address:" + address, now) >= SignInPolicy.failuresPerAddress
    }

    func recordFailure(account: String, address: String, now: Date = Date()) async throws {
        let at = Int(now.timeIntervalSince1970)
        try await db.writeWithoutLooking { db in
            try await db.sql.delete(from: Self.table).where("failed_at", .lessThanOrEqual, at - Int(SignInPolicy.window)).run()
            try await db.sql.insert(into: Self.table).columns("key_digest", "failed_at")
                .values(SQLBind(Self.digest("account:" + account)), SQLBind(at))
                .values(SQLBind(Self.digest("address:" + address)), SQLBind(at))
                .run()
        }
    }

    /// Forgets the account's failures (a write only when it has some: most sign-ins have none).
    func recordSuccess(account: String, now: Date = Date()) async throws {
        guard try await count("account:" + account, now) > 0 else { return }
        try await db.writeWithoutLooking { db in
            try await db.sql.delete(from: Self.table).where("key_digest", .equal, Self.digest("account:" + account)).run()
        }
    }

    static let table = "sign_in_failures"

    private static func digest(_ key: String) -> String { SHA256Hex.of(key, bytes: 16) }

    private func count(_ key: String, _ now: Date) async throws -> Int {
        let row = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(Self.table)
            .where("key_digest", .equal, Self.digest(key))
            .where("failed_at", .greaterThan, Int(now.timeIntervalSince1970) - Int(SignInPolicy.window))
            .first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }
}

extension Request {
    /// Failed sign-ins, counted in the database every server shares.
    var signInLimiter: SignInLimiter { SignInLimiter(db: db) }
}
