import Fluent
import Foundation
import LodestarCore
import Vapor

/// The resource ledger: what each school was given (typed by its leaders, or counted from what Lodestar records),
/// the priority each allocation serves and whom it reaches, the decision behind it, and whether it follows need.
struct ResourcesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("resources", use: index)
        routes.get("resources", "kinds", use: kindsPage)
        routes.post("resources", "kinds", use: addKind)
        routes.post("resources", "settings", use: saveSettings)
        routes.get("resources", "schools", ":school", use: ledger)
        routes.post("resources", "schools", ":school", "allocations", use: allocate)
        routes.get("resources", "schools", ":school", "equity", use: equity)
        routes.get("resources", "allocations", ":id", use: record)
        routes.post("resources", "allocations", ":id", use: change)
    }

    /// The school year a page is about: `?year=2026`, or the current one.
    static func year(_ req: Request) -> ResourceQueries.Period {
        ResourceQueries.Period(year: req.query[Int.self, at: "year"].flatMap { (2000...2100).contains($0) ? $0 : nil } ?? SchoolYear.current())
    }

    // MARK: The district's view

    struct IndexPage: Encodable {
        struct School: Encodable { let id: String; let name: String; let href: String }
        struct Row: Encodable {
            let school: String; let href: String; let amount: String; let students: Int
            /// Per 100 students: a tenth of an hour per student reads as nothing.
            let perStudent: String
            let inNeed: String
            let flagged: Bool
        }
        let page: PageContext
        let schools: [School]
        let choices: [SelectOption]
        let chosen: String
        let unit: String
        let rows: [Row]
        let district: Row?
        let flagged: Int
        let year: String
        let canDefine: Bool
    }

    /// The schools one may open; for district roles, every school's share of a resource beside its need.
    func index(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canViewAnyResources)
        let schools = try await RosterQueries(req.db).schoolOrgs().filter { viewer.policy.canViewResources(ofSchool: $0.id!) }
        let period = Self.year(req)
        let queries = ResourceQueries(db: req.db)
        let choices = ResourceQueries.choices(try await queries.kinds())
        let chosen = ResourceQueries.choice(req.query[String.self, at: "kind"], among: choices)
        var rows: [IndexPage.Row] = [], district: IndexPage.Row?
        if viewer.policy.seesWholeDistrict {
            var measured: [ResourceEquity.School] = []
            for school in schools {
                let need = try await queries.need(ofSchool: school.id!)
                let pieces = try await queries.pieces(of: chosen, atSchool: school.id!, reach: need.reach, period: period)
                measured.append(.init(id: school.id!, students: need.reach.students.count, inNeed: need.inNeed.count, amount: pieces.total))
            }
            let below = ResourceEquity.schoolsBelowNeed(measured)
            func row(_ name: String, _ href: String, _ m: ResourceEquity.School, flagged: Bool) -> IndexPage.Row {
                .init(school: name, href: href, amount: AllocationDraft.number(m.amount), students: m.students,
                      perStudent: AllocationDraft.number((m.perStudent * 1_000).rounded() / 10),
                      inNeed: m.students > 0 ? Percent.text(m.shareInNeed) : "—", flagged: flagged)
            }
            rows = zip(schools, measured).map { school, m in row(school.name, "/resources/schools/\(school.id!.urlQueryEncoded)/equity?kind=\(chosen.value.urlQueryEncoded)&year=\(period.year)", m, flagged: below.contains(m.id)) }
            let total = ResourceEquity.School(id: "", students: measured.reduce(0) { $0 + $1.students }, inNeed: measured.reduce(0) { $0 + $1.inNeed }, amount: measured.reduce(0) { $0 + $1.amount })
            district = row("District", "", total, flagged: false)
        }
        return try await req.view.render("resources/index", IndexPage(
            page: PageContext(request: req, title: "Resources"),
            schools: schools.map { .init(id: $0.id!, name: $0.name, href: "/resources/schools/\($0.id!.urlQueryEncoded)") },
            choices: choices.map { SelectOption(value: $0.value, label: "\($0.name) (\($0.unit))") }, chosen: chosen.value, unit: chosen.unit,
            rows: rows, district: district, flagged: rows.filter(\.flagged).count, year: SchoolYear.label(period.year),
            canDefine: viewer.policy.canDefineResourceKinds))
    }

    // MARK: Kinds and the budget setting

    struct KindsPage: Encodable {
        struct Kind: Encodable { let name: String; let unit: String; let budget: Bool; let rule: String? }
        let page: PageContext
        let kinds: [Kind]
        let counted: [Kind]
        let hidesBudget: Bool
        let error: String?
        let name: String
        let unit: String
        let notice: String?
    }

    func kindsPage(req: Request) async throws -> View {
        try await renderKinds(req, error: nil, name: "", unit: "")
    }

    private func renderKinds(_ req: Request, error: String?, name: String, unit: String) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canDefineResourceKinds)
        let queries = ResourceQueries(db: req.db)
        return try await req.view.render("resources/kinds", KindsPage(
            page: PageContext(request: req, title: "Kinds of resources"),
            kinds: try await queries.kinds().map { .init(name: $0.name, unit: $0.unit, budget: $0.budget, rule: nil) },
            counted: CountedResource.allCases.map { .init(name: $0.name, unit: $0.unit, budget: false, rule: $0.rule(coachingMinutes: TimeQueries.coachingMinutes)) },
            hidesBudget: try await queries.hidesBudget(), error: error, name: name, unit: unit, notice: req.takeNotice()))
    }

    struct KindForm: Content { var name: String; var unit: String; var budget: String? }

    func addKind(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canDefineResourceKinds)
        let form = try req.content.decode(KindForm.self)
        let queries = ResourceQueries(db: req.db)
        do {
            let (name, unit) = try ResourceKindForm.check(name: form.name, unit: form.unit)
            guard try await !queries.kinds().contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw AllocationDraft.FormError(description: "The district already has a kind named “\(name)”.")
            }
            _ = try await queries.addKind(name: name, unit: unit, budget: form.budget == "on", by: viewer.id)
            try await req.audit("added a kind of resource", subject: "resource kind \(name)")
            req.leaveNotice("“\(name)” can now be allocated to schools.")
            return req.redirect(to: "/resources/kinds")
        } catch let error as AllocationDraft.FormError {
            let response = try await renderKinds(req, error: error.description, name: String(form.name.prefix(200)), unit: String(form.unit.prefix(100))).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }

    struct SettingsForm: Content { var hideBudget: String? }

    func saveSettings(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canDefineResourceKinds)
        let hide = try req.content.decode(SettingsForm.self).hideBudget == "on"
        try await ResourceQueries(db: req.db).setHidesBudget(hide)
        try await req.audit(hide ? "hid budget figures from coaches and teacher leaders" : "showed budget figures to coaches and teacher leaders", subject: "resource ledger")
        req.leaveNotice(hide ? "Budget figures are hidden from coaches and teacher leaders." : "Coaches and teacher leaders see budget figures.")
        return req.redirect(to: "/resources/kinds")
    }
}
