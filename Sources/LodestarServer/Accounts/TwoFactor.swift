import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// A person's authenticator secret (Base32). Unconfirmed until they type a code from their app; only a
/// confirmed secret is asked for at sign-in. `last_step` is the time step of the last code accepted, so
/// a code is good once.
final class TwoFactorSecret: Model, @unchecked Sendable {
    static let schema = "two_factor_secrets"
    /// The staff id.
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "secret") var secret: String
    @OptionalField(key: "confirmed_at") var confirmedAt: Int?
    @OptionalField(key: "last_step") var lastStep: Int?
    init() {}

    var password: OneTimePassword { OneTimePassword(secret: Base32.decode(secret) ?? []) }
}

/// A recovery code, stored as the digest of its normalized text (`RecoveryCodes.digest`).
final class RecoveryCode: Model, @unchecked Sendable {
    static let schema = "recovery_codes"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "staff_id") var staffId: String
    @Field(key: "digest") var digest: String
    @OptionalField(key: "used_at") var usedAt: Int?
    init() {}
}

/// Checking a typed code for a person: a current authenticator code (once), or an unused recovery code.
enum TwoFactorCheck {
    /// Turns two-factor sign-in off for a person: their secret and recovery codes are removed.
    static func reset(_ staffId: String, on db: any Database) async throws {
        try await db.writeTransaction { db in
            try await TwoFactorSecret.query(on: db).filter(\.$id == staffId).delete()
            try await RecoveryCode.query(on: db).filter(\.$staffId == staffId).delete()
        }
    }

    /// The confirmed secret of a person, if they use two-factor sign-in.
    static func confirmed(_ staffId: String, on db: any Database) async throws -> TwoFactorSecret? {
        guard let secret = try await TwoFactorSecret.find(staffId, on: db), secret.confirmedAt != nil else { return nil }
        return secret
    }

    /// True when `typed` is accepted; the code is used up in the same transaction.
    static func accept(_ typed: String, for secret: TwoFactorSecret, now: Int = Int(Date().timeIntervalSince1970), on db: any Database) async throws -> Bool {
        let staffId = secret.id!
        return try await db.writeTransaction { db in
            guard let fresh = try await TwoFactorSecret.find(staffId, on: db) else { return false }
            if let step = fresh.password.matchingStep(of: typed, at: now, lastUsedStep: fresh.lastStep.map(UInt64.init)) {
                fresh.lastStep = Int(step)
                try await fresh.save(on: db)
                return true
            }
            guard let code = try await RecoveryCode.query(on: db).filter(\.$staffId == staffId)
                .filter(\.$digest == RecoveryCodes.digest(typed)).filter(\.$usedAt == nil).first() else { return false }
            code.usedAt = now
            try await code.save(on: db)
            return true
        }
    }

    /// New recovery codes for a person, replacing any earlier ones; returns them as shown once.
    static func newRecoveryCodes(for staffId: String, on db: any Database) async throws -> [String] {
        let codes = RecoveryCodes.generate()
        try await db.writeTransaction { db in
            try await RecoveryCode.query(on: db).filter(\.$staffId == staffId).delete()
            for code in codes {
                let record = RecoveryCode()
                record.id = UUID().uuidString.lowercased()
                record.staffId = staffId
                record.digest = RecoveryCodes.digest(code)
                try await record.create(on: db)
            }
        }
        return codes
    }
}

/// The district's rule, from `LODESTAR_REQUIRE_TWO_FACTOR` (`district-roles`): district admins and
/// district leaders must use two-factor sign-in; until they set it up, every page sends them to set it up.
struct TwoFactorRequirement: Sendable {
    var districtRoles: Bool

    static func fromEnvironment() -> TwoFactorRequirement {
        TwoFactorRequirement(districtRoles: Environment.get("LODESTAR_REQUIRE_TWO_FACTOR") == "district-roles")
    }

    func applies(to policy: AccessPolicy) -> Bool { districtRoles && policy.seesWholeDistrict }
}

struct TwoFactorRequirementKey: StorageKey { typealias Value = TwoFactorRequirement }

extension Application {
    var twoFactorRequirement: TwoFactorRequirement {
        get { storage[TwoFactorRequirementKey.self] ?? TwoFactorRequirement(districtRoles: false) }
        set { storage[TwoFactorRequirementKey.self] = newValue }
    }
}

/// Sends a signed-in person the district requires to use two-factor sign-in, and who has not set it up,
/// to the set-up page (or refuses, for scripts) until they have.
struct TwoFactorRequiredMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.auth.has(Staff.self), !request.url.path.hasPrefix("/account/two-factor"),
              // A sign-in through the district's provider, when the district trusts the provider's own second factor.
              request.session.data["second_factor_by"] == nil else { return try await next.respond(to: request) }
        let viewer = try await request.viewer()
        guard request.application.twoFactorRequirement.applies(to: viewer.policy),
              try await TwoFactorCheck.confirmed(viewer.id, on: request.db) == nil else { return try await next.respond(to: request) }
        if request.method != .GET || request.url.path.hasPrefix("/api/") {
            throw LodestarError(.forbidden, "Set up two-factor sign-in first: your district requires it for your role.")
        }
        return request.redirect(to: "/account/two-factor")
    }
}
