import Fluent
import LodestarCore
import SQLKit
import Vapor

/// The district or a school whose vision, goals and plan a page is about, as named in URLs
/// (`district` or a school's sourcedId), with the viewer's rights there.
struct PlanScope {
    let id: String
    let name: String
    let canEdit: Bool
    var schoolId: String? { id == "district" ? nil : id }

    static func load(_ req: Request) async throws -> PlanScope {
        let viewer = try await req.viewer()
        let id = try req.parameters.require("scope")
        let schoolId = id == "district" ? nil : id
        try req.require(viewer.policy.canViewPlan(ofSchool: schoolId))
        let name: String
        if let schoolId {
            guard let school = try await RosterQueries(req.db).org(schoolId), school.type == "school" else { throw LodestarError.notFound }
            name = school.name
        } else {
            name = try await RosterQueries(req.db).districtName()
        }
        return PlanScope(id: id, name: name, canEdit: viewer.policy.canEditPlan(ofSchool: schoolId))
    }

    func requireEdit(_ req: Request) throws { try req.require(canEdit) }

    func goal(_ req: Request) async throws -> SmartGoal {
        guard let goal = try await SmartGoal.find(try req.parameters.require("goalId"), on: req.db), goal.scope == id else { throw LodestarError.notFound }
        return goal
    }

    /// People who may own a goal or a step: staff with a role at the school (or any district role).
    func staffOptions(on db: any Database, selected: String? = nil) async throws -> [SelectOption] {
        let directory = StaffDirectory(db: db)
        let people = if let schoolId {
            try await directory.people(atSchools: [schoolId], includingDistrict: true)
        } else {
            try await directory.people(holding: StaffRole.districtPlanOwners)
        }
        return people.map { SelectOption(value: $0.id, label: $0.name, selected: $0.id == selected) }
    }
}

extension PlanScope {
    struct IndexPage: Encodable {
        let page: PageContext
        let scopes: [SelectOption]
    }

    /// The index of a section (`vision`, `goals`): the district and the schools the viewer may read, or
    /// straight to the one school of a viewer who works in one school.
    static func index(_ req: Request, section: String, title: String, template: String) async throws -> Response {
        let viewer = try await req.viewer()
        let schools = try await RosterQueries(req.db).schoolOrgs()
            .filter { viewer.policy.canViewPlan(ofSchool: $0.id!) }
        if schools.count == 1 && !viewer.policy.seesWholeDistrict { return req.redirect(to: "/\(section)/\(schools[0].id!.urlQueryEncoded)") }
        let district = try await RosterQueries(req.db).districtName()
        return try await req.view.render(template, IndexPage(
            page: PageContext(request: req, title: title),
            scopes: [SelectOption(value: "district", label: district)] + schools.map { SelectOption(value: $0.id!, label: $0.name) }
        )).encodeResponse(for: req)
    }
}
