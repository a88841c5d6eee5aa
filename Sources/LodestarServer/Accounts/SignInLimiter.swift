import Foundation
import LodestarCore
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

/// Counts failed sign-ins per account and per client address in a sliding window.
/// Held in memory: one Lodestar process serves a district.
///
/// An account is counted under its staff record *and its current password*: someone who knows a colleague's
/// email can lock that account for a while, but not past a password reset by an admin (a new password is a new
/// count), and an account with two-factor sign-in still gets through with its password and a code (the code
/// step has its own count). Identifiers that name nobody are counted too, in a bounded table.
actor SignInLimiter {
    private var failures: [String: [Date]] = [:]
    /// At most this many identifiers and addresses are tracked; the oldest go first.
    static let trackedKeys = 20_000

    /// The key an account's failures are counted under.
    static func accountKey(_ staff: Staff?, identifier: String) -> String {
        guard let staff, let id = staff.id else { return "unknown:" + identifier }
        let password = SHA256Hex.of(staff.passwordHash ?? "", bytes: 8)
        return "staff:\(id):\(password)"
    }

    /// The key of the second-factor step's failures for one person.
    static func codeKey(_ staffId: String) -> String { "code:" + staffId }

    func isBlocked(account: String, now: Date = Date()) -> Bool {
        count("account:" + account, now) >= SignInPolicy.failuresPerAccount
    }

    func isBlocked(address: String, now: Date = Date()) -> Bool {
        count("address:" + address, now) >= SignInPolicy.failuresPerAddress
    }

    /// How long to wait before answering: nothing for the first failures, then half a second more for each, up
    /// to two seconds, so guessing slows down before the account is locked.
    func delay(account: String, now: Date = Date()) -> Duration {
        let recent = count("account:" + account, now) - SignInPolicy.failuresBeforeSlowing
        return recent < 0 ? .zero : .milliseconds(min(2_000, 500 * (recent + 1)))
    }

    func recordFailure(account: String, address: String, now: Date = Date()) {
        if failures.count >= Self.trackedKeys { forgetOldest(now) }
        failures["account:" + account, default: []].append(now)
        failures["address:" + address, default: []].append(now)
    }

    func recordSuccess(account: String) {
        failures["account:" + account] = nil
    }

    private func count(_ key: String, _ now: Date) -> Int {
        guard let all = failures[key] else { return 0 }
        let recent = all.filter { now.timeIntervalSince($0) < SignInPolicy.window }
        failures[key] = recent.isEmpty ? nil : recent
        return recent.count
    }

    /// Drops what is outside the window, then, if still full, the half whose last failure is oldest.
    private func forgetOldest(_ now: Date) {
        failures = failures.filter { $0.value.contains { now.timeIntervalSince($0) < SignInPolicy.window } }
        guard failures.count >= Self.trackedKeys else { return }
        let oldest = failures.sorted { ($0.value.last ?? now) < ($1.value.last ?? now) }.prefix(failures.count / 2).map(\.key)
        for key in oldest { failures[key] = nil }
    }
}

struct SignInLimiterKey: StorageKey { typealias Value = SignInLimiter }

extension Application {
    var signInLimiter: SignInLimiter { storage[SignInLimiterKey.self]! }
}

extension SignInLimiter {
    /// How many identifiers and addresses are tracked now.
    var trackedCount: Int { failures.count }
}
