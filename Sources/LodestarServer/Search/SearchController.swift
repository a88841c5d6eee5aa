import Fluent
import LodestarCore
import Vapor

/// The search box in the top bar: one page of people, classes, students and standards.
struct SearchController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("search", use: search)
    }

    struct Hit: Encodable { let label: String; let detail: String; let href: String? }
    struct Group: Encodable { let heading: String; let hits: [Hit]; let more: Bool }

    struct SearchPage: Encodable {
        let page: PageContext
        let query: String
        let message: String?
        let groups: [Group]
        let total: Int
    }

    /// Shorter words match too much; longer text is not a name or a code.
    static let shortest = 2, longest = 100

    func search(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let policy = viewer.policy
        let text = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        func render(_ groups: [Group], message: String?) async throws -> View {
            try await req.view.render("search/results", SearchPage(
                page: PageContext(request: req, title: text.isEmpty ? "Search" : "Search: \(text.prefix(Self.longest))"),
                query: String(text.prefix(Self.longest)), message: message, groups: groups, total: groups.reduce(0) { $0 + $1.hits.count }))
        }
        // LIKE's wildcards are taken out of what was typed; what is left must still be a word.
        guard text.filter({ $0 != "%" && $0 != "_" }).count >= Self.shortest else { return try await render([], message: text.isEmpty ? nil : "Type at least \(Self.shortest) letters.") }
        guard text.count <= Self.longest else { return try await render([], message: "Search for at most \(Self.longest) characters: a name, a class or a standard’s code.") }

        let roster = RosterQueries(req.db), like = SearchQueries.pattern(text)
        let names = try await RosterQueries(req.db).orgNames()
        let school = { (id: String?) in id.flatMap { names[$0] } ?? "District" }
        var groups: [Group] = []

        // People: one line each, with every role they hold where the viewer may look.
        let rosterSchools = policy.rosterSchools
        var people: [(id: String, name: String, roles: [String], teachesVisible: Bool)] = []
        // Staff holding a role at a school the viewer may see the roster of (every school for district roles).
        for row in try await StaffDirectory(db: req.db).search(like, atSchools: rosterSchools, limit: SearchQueries.limit * 4) {
            let role = row.staffRole?.label ?? row.role
            let teachesVisible = row.staffRole?.isTeacher ?? false
            if let index = people.firstIndex(where: { $0.id == row.id }) {
                people[index].roles.append("\(role), \(school(row.schoolId))")
                people[index].teachesVisible = people[index].teachesVisible || teachesVisible
            } else {
                people.append((row.id, "\(row.givenName) \(row.familyName)", ["\(role), \(school(row.schoolId))"], teachesVisible))
            }
        }
        if !people.isEmpty {
            groups.append(.init(heading: "People", hits: people.prefix(SearchQueries.limit).map { person in
                .init(label: person.name, detail: person.roles.joined(separator: " · "), href: person.teachesVisible ? "/teachers/\(person.id.urlQueryEncoded)" : nil)
            }, more: people.count > SearchQueries.limit))
        }

        let classes = try await roster.searchClasses(like, schools: rosterSchools, teacher: viewer.id, limit: SearchQueries.limit + 1)
        if !classes.isEmpty {
            groups.append(.init(heading: "Classes", hits: classes.prefix(SearchQueries.limit).map { hit in
                .init(label: hit.title, detail: [hit.teachers, school(hit.schoolId)].compactMap { $0 }.joined(separator: " · "), href: "/classes/\(hit.id.urlQueryEncoded)")
            }, more: classes.count > SearchQueries.limit))
        }

        let students = try await roster.searchStudents(like, schools: policy.studentSearchSchools, teacher: viewer.id, limit: SearchQueries.limit + 1)
        if !students.isEmpty {
            groups.append(.init(heading: "Students", hits: students.prefix(SearchQueries.limit).map { hit in
                .init(label: "\(hit.familyName), \(hit.preferredName.isEmpty ? hit.givenName : hit.preferredName)",
                      detail: "\(GradeLevel.label(hit.grade)) · \(school(hit.schoolId)) · ID \(hit.identifier)", href: "/students/\(hit.id.urlQueryEncoded)")
            }, more: students.count > SearchQueries.limit))
        }

        let standards = try await StandardsQueries(db: req.db).search(like, limit: SearchQueries.limit + 1)
        if !standards.isEmpty {
            groups.append(.init(heading: "Standards", hits: standards.prefix(SearchQueries.limit).map { hit in
                .init(label: hit.code.isEmpty ? "Standard" : hit.code, detail: String(hit.statement.prefix(160)), href: "/standards/\(hit.id.urlQueryEncoded)")
            }, more: standards.count > SearchQueries.limit))
        }
        return try await render(groups, message: nil)
    }
}
