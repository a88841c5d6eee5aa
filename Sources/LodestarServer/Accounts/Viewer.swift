import Fluent
import LodestarCore
import SQLKit
import Vapor

/// The signed-in person and what their roles allow, loaded once per request.
struct Viewer: Sendable {
    let staff: Staff
    let policy: AccessPolicy
    /// Notifications not yet opened, for the count in the top bar.
    var unreadNotifications = 0

    var id: String { staff.id! }
}

extension Viewer {
    /// What a person's roles allow. Every request asks: one plain query rather than a model query.
    static func policy(of staffId: String, on db: any Database) async throws -> AccessPolicy {
        let grants = try await db.sql.raw("SELECT role, school_id FROM role_grants WHERE staff_id = \(bind: staffId)").all().compactMap { row in
            let schoolId = try row.decode(column: "school_id", as: String?.self)
            return StaffRole(rawValue: try row.decode(column: "role", as: String.self)).map { RoleGrant(role: $0, schoolId: schoolId) }
        }
        return AccessPolicy(grants: grants)
    }
}

private struct ViewerKey: StorageKey { typealias Value = Viewer }
/// The role grants read with the signed-in person by the sign-in check, in the same request.
private struct SignedInGrantsKey: StorageKey { typealias Value = [RoleGrant] }

extension Request {
    /// The signed-in person with their roles. Routes behind the sign-in redirect always have one.
    func viewer() async throws -> Viewer {
        if let viewer = storage[ViewerKey.self] { return viewer }
        let staff = try auth.require(Staff.self)
        // The count is for the top bar: the JSON API (offline walkthroughs sent from a phone) has none.
        let unread = url.path.hasPrefix("/api/") ? 0 : try await NotificationQueries(db: db).unreadCount(of: staff.id!)
        let policy: AccessPolicy
        if let grants = storage[SignedInGrantsKey.self] { policy = AccessPolicy(grants: grants) } else { policy = try await Viewer.policy(of: staff.id!, on: db) }
        let viewer = Viewer(staff: staff, policy: policy, unreadNotifications: unread)
        storage[ViewerKey.self] = viewer
        return viewer
    }

    /// The viewer if already loaded by this request (for the layout of error pages).
    var loadedViewer: Viewer? { storage[ViewerKey.self] }

    /// Throws `forbidden` unless `allowed`; the one way controllers refuse.
    func require(_ allowed: Bool) throws {
        guard allowed else { throw LodestarError.forbidden }
    }
}

/// Restores the signed-in staff member from the session, refusing disabled accounts and sessions
/// older than the session lifetime.
struct StaffSessionAuthenticator: AsyncSessionAuthenticator {
    typealias User = Staff

    func authenticate(sessionID: String, for request: Request) async throws {
        guard let signedInAt = request.session.data["signed_in_at"].flatMap(Double.init),
              Date().timeIntervalSince1970 - signedInAt < SignInPolicy.sessionLifetime else { return }
        guard let (staff, grants) = try await StaffDirectory(db: request.db).signedIn(sessionID), staff.isEnabled, staff.passwordHash != nil else { return }
        request.storage[SignedInGrantsKey.self] = grants
        request.auth.login(staff)
    }
}
