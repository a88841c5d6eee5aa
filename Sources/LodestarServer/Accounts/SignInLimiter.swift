import Foundation
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
}

/// Counts failed sign-ins per account and per address in a sliding window.
/// Held in memory: one Lodestar process serves a district.
actor SignInLimiter {
    private var failures: [String: [Date]] = [:]

    /// True when either the account or the address has used up its attempts.
    func isBlocked(account: String, address: String, now: Date = Date()) -> Bool {
        count("account:" + account, now) >= SignInPolicy.failuresPerAccount
            || count("address:" + address, now) >= SignInPolicy.failuresPerAddress
    }

    func recordFailure(account: String, address: String, now: Date = Date()) {
        failures["account:" + account, default: []].append(now)
        failures["address:" + address, default: []].append(now)
    }

    func recordSuccess(account: String) {
        failures["account:" + account] = nil
    }

    private func count(_ key: String, _ now: Date) -> Int {
        let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < SignInPolicy.window }
        failures[key] = recent.isEmpty ? nil : recent
        return recent.count
    }
}

struct SignInLimiterKey: StorageKey { typealias Value = SignInLimiter }

extension Application {
    var signInLimiter: SignInLimiter { storage[SignInLimiterKey.self]! }
}
