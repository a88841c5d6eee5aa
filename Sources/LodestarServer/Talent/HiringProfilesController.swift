import Fluent
import Foundation
import LodestarCore
import Vapor

/// The district's hiring profiles, one per role: the criteria a committee rates and the steps an opening goes
/// through. District admins and leaders edit them; an opening keeps the copy it was opened with.
struct HiringProfilesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("hiring", "profiles", use: page)
        routes.post("hiring", "profiles", ":role", use: save)
    }

    /// The roles a school hires for, in the roster's order.
    static let roles: [StaffRole] = [.principal, .assistantPrincipal, .coach, .teacherLeader, .teacher]

    struct Page: Encodable {
        struct Profile: Encodable { let role: String; let roleLabel: String; let name: String; let steps: String; let criteria: String; let exists: Bool; let error: String? }
        let page: PageContext
        let profiles: [Profile]
        let levels: String
        let limits: String
        let notice: String?
    }

    func page(req: Request) async throws -> View {
        try await render(req, failed: nil)
    }

    /// `failed`: the role whose form was refused, with what was written and why.
    private func render(_ req: Request, failed: (profile: String, name: String, steps: String, criteria: String, error: String)?) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canEditHiringProfiles)
        let stored = Dictionary(uniqueKeysWithValues: try await HiringQueries(db: req.db).profiles().compactMap { record in (try? record.profile).map { (record.id!, $0) } })
        let l = HiringProfile.limits
        return try await req.view.render("talent/profiles", Page(
            page: PageContext(request: req, title: "Hiring profiles"),
            profiles: Self.roles.map { role in
                if let failed, failed.profile == role.rawValue {
                    return .init(role: role.rawValue, roleLabel: role.label, name: failed.name, steps: failed.steps, criteria: failed.criteria, exists: stored[role.rawValue] != nil, error: failed.error)
                }
                let profile = stored[role.rawValue]
                return .init(role: role.rawValue, roleLabel: role.label, name: profile?.name ?? "", steps: (profile?.steps ?? HiringProfile.defaultSteps).joined(separator: "\n"),
                             criteria: profile?.criteriaText ?? "", exists: profile != nil, error: nil)
            },
            levels: HiringProfile.levels.joined(separator: ", "),
            limits: "Up to \(l.steps) steps and \(l.criteria) criteria; a criterion's name up to \(l.criterionName) characters and its description up to \(l.descriptor).",
            notice: req.takeNotice()))
    }

    struct Form: Content { var name: String; var steps: String; var criteria: String }

    func save(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canEditHiringProfiles)
        guard let role = Self.roles.first(where: { $0.rawValue == req.parameters.get("role") }) else { throw LodestarError.notFound }
        let form = try req.content.decode(Form.self)
        let profile: HiringProfile
        do {
            profile = try HiringProfile.fromForm(role: role.rawValue, name: form.name, steps: form.steps, criteria: form.criteria)
        } catch let error as HiringProfile.FormError {
            let response = try await render(req, failed: (role.rawValue, String(form.name.prefix(1_000)), String(form.steps.prefix(5_000)), String(form.criteria.prefix(20_000)), error.description))
                .encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        try await HiringQueries(db: req.db).saveProfile(profile)
        try await req.audit("edited a hiring profile", subject: "hiring profile \(role.rawValue)")
        req.leaveNotice("The \(role.label.lowercased()) profile is saved. Openings from now on use it; those already open keep theirs.")
        return req.redirect(to: "/hiring/profiles#profile-\(role.rawValue)")
    }
}
