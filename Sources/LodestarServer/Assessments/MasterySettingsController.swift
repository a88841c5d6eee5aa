import Fluent
import LodestarCore
import Vapor

/// The district's mastery method and each school's override, for district admins.
struct MasterySettingsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "mastery", use: show)
        routes.post("admin", "mastery", use: save)
    }

    struct Page: Encodable {
        struct Scope: Encodable {
            let id: String
            let name: String
            let isDistrict: Bool
            let method: String
            let methods: [SelectOption]
            let ties: [SelectOption]
            let count: Int
            let weight: String
            let inherits: Bool
        }
        let page: PageContext
        let scopes: [Scope]
        let notice: String?
    }

    func show(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        let settings = try await MasterySetting.query(on: req.db).all()
        func decode(_ id: String) -> MasteryMethod? {
            settings.first { $0.id == id }.flatMap { try? JSONDecoder().decode(MasteryMethod.self, from: Data($0.method.utf8)) }
        }
        let district = decode("district") ?? MasteryStore.defaultMethod
        let schools = try await RosterQueries(req.db).schoolOrgs()
        func scope(id: String, name: String, method: MasteryMethod?, isDistrict: Bool) -> Page.Scope {
            let shown = method ?? district
            var count = 3, weight = MasteryMethod.defaultWeight, tie = MasteryMethod.ModeTieBreak.mostRecent
            switch shown {
            case .mostRecentMean(let n), .nTimes(let n): count = n
            case .weightedAverage(let w), .decayingAverage(let w): weight = w
            case .mode(let t): tie = t
            default: break
            }
            let methods = (isDistrict ? [] : [SelectOption(value: "inherit", label: "Use the district's method", selected: method == nil)])
                + MasteryMethod.formKeys.map { SelectOption(value: $0.key, label: $0.label, selected: method != nil || isDistrict ? $0.key == shown.formKey : false) }
            return .init(id: id, name: name, isDistrict: isDistrict, method: shown.label, methods: methods,
                         ties: MasteryMethod.ModeTieBreak.allCases.map { SelectOption(value: $0.rawValue, label: "Ties: \($0.rawValue == "mostRecent" ? "most recent" : $0.rawValue)", selected: $0 == tie) },
                         count: count, weight: String(weight), inherits: method == nil && !isDistrict)
        }
        let scopes = [scope(id: "district", name: "District default", method: district, isDistrict: true)]
            + schools.map { scope(id: $0.id!, name: $0.name, method: decode($0.id!), isDistrict: false) }
        return try await req.view.render("assessments/mastery-settings", Page(page: PageContext(request: req, title: "Mastery method"),
                                                                              scopes: scopes, notice: req.takeNotice()))
    }

    struct Form: Content {
        var scope: String
        var method: String
        var tieBreak: String?
        var count: Int?
        var weight: Double?
    }

    func save(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        let form = try req.content.decode(Form.self)
        if form.scope != "district" {
            guard try await Org.isSchool(form.scope, on: req.db) else { throw LodestarError.notFound }
        }
        if form.method == "inherit" && form.scope != "district" {
            try await MasteryStore.setMethod(nil, for: form.scope, on: req.db)
        } else {
            let method = try MasteryMethod(formKey: form.method, tieBreak: form.tieBreak, count: form.count, weight: form.weight)
            try await MasteryStore.setMethod(method, for: form.scope, on: req.db)
        }
        req.leaveNotice("Saved. Trackers use it from now on.")
        return req.redirect(to: "/admin/mastery")
    }
}
