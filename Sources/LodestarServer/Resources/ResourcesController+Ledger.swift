import Fluent
import Foundation
import LodestarCore
import Vapor

/// A school's ledger for a school year, recording an allocation, and an allocation's decision and change log.
extension ResourcesController {
    /// What an allocation may serve and reach at a school, with the words pages show for each.
    struct Options: Sendable {
        var priorities: [SelectOption]
        var reaches: [SelectOption]
        func label(priority value: String) -> String { value.isEmpty ? "None named" : priorities.first { $0.value == value }?.label ?? "Removed since" }
        func label(reach value: String) -> String { reaches.first { $0.value == value }?.label ?? "Removed since" }
    }

    static func options(atSchool schoolId: String, on db: any Database) async throws -> Options {
        let goals = GoalsQueries(db: db)
        let roster = RosterQueries(db)
        let groups = try await AssessmentQueries(db: db).interventionGroups(atSchool: schoolId)
        func short(_ text: String) -> String { text.count > 90 ? String(text.prefix(89)) + "…" : text }
        let priorities = [SelectOption(value: "", label: "None named")]
            + (try await goals.goals(ofScope: schoolId)).map { SelectOption(value: "goal:\($0.id!)", label: "School goal: \(short($0.statement))") }
            + (try await goals.goals(ofScope: "district")).map { SelectOption(value: "goal:\($0.id!)", label: "District goal: \(short($0.statement))") }
            + (try await LearningQueries(db: db).needs(scope: schoolId)).map { SelectOption(value: "need:\($0.id!)", label: "Need: \(short($0.title))") }
            + groups.map { SelectOption(value: "intervention:\($0.id!)", label: "Intervention group: \(short($0.name))") }
        let reaches = [SelectOption(value: "school", label: "The whole school")]
            + (try await roster.grades(inSchool: schoolId)).map { SelectOption(value: "grade:\($0)", label: GradeLevel.label($0)) }
            + StudentGroup.all.map { SelectOption(value: "group:\($0.key)", label: "Student group: \($0.label)") }
            + groups.map { SelectOption(value: "intervention:\($0.id!)", label: "Intervention group: \(short($0.name))") }
            + (try await roster.teachers(inSchool: schoolId)).map { SelectOption(value: "teacher:\($0.id)", label: "Students of \($0.givenName) \($0.familyName)") }
            + (try await roster.classes(inSchool: schoolId)).map { SelectOption(value: "class:\($0.id)", label: "Class: \(short($0.title))") }
        return Options(priorities: priorities, reaches: reaches)
    }

    struct LedgerPage: Encodable {
        struct Allocation: Encodable {
            let href: String; let kind: String; let amount: String; let period: String; let funding: String
            let priority: String; let reaches: String; let students: Int; let decidedBy: String
        }
        struct Total: Encodable { let kind: String; let amount: String; let allocations: Int; let equityHref: String }
        struct Counted: Encodable { let name: String; let amount: String; let rule: String; let equityHref: String }
        struct Result: Encodable {
            let goal: String; let href: String; let received: String; let before: String; let latest: String; let target: String; let status: String
            /// From the month the first allocation began to this one: what was in effect beside the measure.
            let months: [Month]
        }
        struct Month: Encodable { let month: String; let inEffect: String; let measure: String }
        struct Form: Encodable { let kind: String; let amount: String; let startsOn: String; let endsOn: String; let funding: String; let priority: String; let reaches: String; let decidedBy: String; let evidence: String; let reason: String }
        let page: PageContext
        let schoolId: String
        let schoolName: String
        let year: String
        let yearValue: Int
        let years: [SelectOption]
        let allocations: [Allocation]
        let totals: [Total]
        let counted: [Counted]
        let results: [Result]
        let canAllocate: Bool
        let kinds: [SelectOption]
        let priorities: [SelectOption]
        let reaches: [SelectOption]
        let form: Form
        let error: String?
        let notice: String?
        let budgetHidden: Bool
    }

    func ledger(req: Request) async throws -> View {
        try await renderLedger(req, form: nil, error: nil)
    }

    static func school(_ req: Request, _ viewer: Viewer) async throws -> RosterQueries.SchoolSummary {
        let id = try req.parameters.require("school")
        try req.require(viewer.policy.canViewResources(ofSchool: id))
        guard let school = try await RosterQueries(req.db).school(id) else { throw LodestarError.notFound }
        return school
    }

    private func renderLedger(_ req: Request, form: LedgerPage.Form?, error: String?) async throws -> View {
        let viewer = try await req.viewer()
        let school = try await Self.school(req, viewer)
        let period = Self.year(req)
        let queries = ResourceQueries(db: req.db)
        let kinds = try await queries.kinds()
        let kindsById = Dictionary(uniqueKeysWithValues: kinds.map { ($0.id!, $0) })
        let hidden = !viewer.policy.seesBudgetFigures(atSchool: school.id, hiddenFromCoaches: try await queries.hidesBudget())
        let options = try await Self.options(atSchool: school.id, on: req.db)
        let reach = try await queries.reach(ofSchool: school.id)
        let allocations = try await queries.allocations(atSchools: [school.id], from: period.from, through: period.through)
        func amount(_ value: Double, _ kind: ResourceKind?) -> String {
            guard let kind else { return AllocationDraft.number(value) }
            return kind.budget && hidden ? "Hidden by the district" : "\(AllocationDraft.number(value)) \(kind.unit)"
        }
        let rows = allocations.map { a in
            LedgerPage.Allocation(href: "/resources/allocations/\(a.id!)", kind: kindsById[a.kindId]?.name ?? "Removed kind", amount: amount(a.amount, kindsById[a.kindId]),
                                  period: "\(DisplayTime.date(a.startsOn)) – \(DisplayTime.date(a.endsOn))", funding: a.funding.isEmpty ? "—" : a.funding,
                                  priority: options.label(priority: a.priority), reaches: options.label(reach: a.reaches),
                                  students: reach.students(reached: a.reaches).count, decidedBy: a.decidedBy)
        }
        let equityBase = "/resources/schools/\(school.id.urlQueryEncoded)/equity?year=\(period.year)&kind="
        let totals = kinds.compactMap { kind -> LedgerPage.Total? in
            let mine = allocations.filter { $0.kindId == kind.id }
            guard !mine.isEmpty else { return nil }
            return .init(kind: kind.name, amount: amount(mine.reduce(0) { $0 + $1.amount }, kind), allocations: mine.count, equityHref: equityBase + kind.id!.urlQueryEncoded)
        }
        var counted: [LedgerPage.Counted] = []
        for resource in CountedResource.allCases {
            let total = try await queries.counted(resource, atSchool: school.id, reach: reach, from: period.start, to: period.end).total
            counted.append(.init(name: resource.name, amount: "\(AllocationDraft.number(total)) \(resource.unit)",
                                 rule: resource.rule(coachingMinutes: TimeQueries.coachingMinutes), equityHref: equityBase + "counted:\(resource.rawValue)"))
        }
        let results = try await Self.results(allocations, kinds: kindsById, hidden: hidden, schoolId: school.id, on: req.db)
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let current = SchoolYear.current()
        return try await req.view.render("resources/ledger", LedgerPage(
            page: PageContext(request: req, title: "Resources at \(school.name)"),
            schoolId: school.id, schoolName: school.name, year: SchoolYear.label(period.year), yearValue: period.year,
            years: (current - 3...current + 1).reversed().map { SelectOption(value: String($0), label: SchoolYear.label($0), selected: $0 == period.year) },
            allocations: rows, totals: totals, counted: counted, results: results,
            canAllocate: viewer.policy.canAllocateResources(atSchool: school.id),
            kinds: kinds.map { SelectOption(value: $0.id!, label: "\($0.name) (\($0.unit))", selected: $0.id == form?.kind) },
            priorities: options.priorities.map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == form?.priority) },
            reaches: options.reaches.map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == (form?.reaches ?? "school")) },
            form: form ?? .init(kind: "", amount: "", startsOn: max(today, period.from) > period.through ? period.from : max(today, period.from), endsOn: period.through,
                                funding: "", priority: "", reaches: "school", decidedBy: "", evidence: "", reason: ""),
            error: error, notice: req.takeNotice(), budgetHidden: hidden))
    }

    /// Each goal that allocations this year served: what it received beside how its measure moved, from its value
    /// when the first allocation began to its latest.
    static func results(_ allocations: [ResourceAllocation], kinds: [String: ResourceKind], hidden: Bool, schoolId: String, on db: any Database) async throws -> [LedgerPage.Result] {
        let served = Dictionary(grouping: allocations.filter { $0.priority.hasPrefix("goal:") }) { String($0.priority.dropFirst(5)) }
        guard !served.isEmpty else { return [] }
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        // Only the goals served are measured: measuring a goal can mean recomputing mastery for its whole scope.
        let goals = GoalsQueries(db: db)
        var candidates: [SmartGoal] = []
        for scope in [schoolId, "district"] { candidates += try await goals.goals(ofScope: scope).filter { served[$0.id!] != nil } }
        return try await goals.progress(of: candidates, today: today).map { progress in
            let mine = served[progress.goal.id!]!
            let first = mine.map(\.startsOn).min()!
            // What allocations add up to, by kind: the whole amount of each, never a share of its period.
            func amounts(_ allocations: [ResourceAllocation]) -> String {
                let byKind = Dictionary(grouping: allocations, by: \.kindId)
                return byKind.keys.sorted().map { id in
                    let kind = kinds[id]
                    let total = byKind[id]!.reduce(0) { $0 + $1.amount }
                    return kind.map { $0.budget && hidden ? "\($0.name): hidden" : "\(AllocationDraft.number(total)) \($0.unit) of \($0.name.lowercased())" } ?? AllocationDraft.number(total)
                }.joined(separator: "; ")
            }
            let received = amounts(mine)
            var months: [LedgerPage.Month] = []
            var month = String(first.prefix(7))
            while month <= String(today.prefix(7)) {
                let start = month + "-01", next = Self.month(after: month)
                let end = DisplayTime.isoDay(next + "-01", plus: -1)
                let measured = progress.points.last { $0.day <= min(end, today) }
                let inEffect = amounts(mine.filter { $0.startsOn <= end && $0.endsOn >= start })
                months.append(.init(month: DisplayTime.month(start), inEffect: inEffect.isEmpty ? "Nothing" : inEffect,
                                    measure: measured.map { "\(progress.format($0.value)) on \(DisplayTime.date($0.day))" } ?? "Not measured yet"))
                month = next
            }
            let before = progress.points.last { $0.day <= first }
            let latest = progress.points.count > 1 ? progress.points.last : nil
            return .init(goal: progress.goal.statement, href: "/goals/\(progress.goal.scope.urlQueryEncoded)/\(progress.goal.id!)", received: received,
                         before: before.map { "\(progress.format($0.value)) on \(DisplayTime.date($0.day))" }
                            ?? progress.points.first.map { "\(progress.format($0.value)) on \(DisplayTime.date($0.day)) (its baseline, set after the first allocation began)" } ?? "—",
                         latest: latest.map { "\(progress.format($0.value)) on \(DisplayTime.date($0.day))" } ?? "Not measured yet",
                         target: "\(progress.format(progress.goal.target)) by \(DisplayTime.date(progress.goal.deadline))", status: progress.projection.status.rawValue,
                         months: months)
        }
    }

    /// "2026-09" → "2026-10".
    static func month(after month: String) -> String {
        let year = Int(month.prefix(4))!, number = Int(month.suffix(2))!
        return number == 12 ? "\(year + 1)-01" : "\(year)-" + (number < 9 ? "0" : "") + "\(number + 1)"
    }

    struct AllocationForm: Content {
        var kind: String?
        var amount: String
        var startsOn: String
        var endsOn: String
        var funding: String
        var priority: String
        var reaches: String
        var decidedBy: String
        var evidence: String
        var reason: String
        /// Why it changed: required when changing an allocation.
        var changeReason: String?

        var echo: LedgerPage.Form {
            func cut(_ s: String, _ n: Int) -> String { String(s.prefix(n)) }
            return .init(kind: cut(kind ?? "", 100), amount: cut(amount, 40), startsOn: cut(startsOn, 20), endsOn: cut(endsOn, 20), funding: cut(funding, 200),
                         priority: cut(priority, 200), reaches: cut(reaches, 200), decidedBy: cut(decidedBy, 300), evidence: cut(evidence, 6_000), reason: cut(reason, 3_000))
        }

        func draft(options: Options) throws -> AllocationDraft {
            guard options.priorities.contains(where: { $0.value == priority }) else { throw AllocationDraft.FormError(description: "Choose the priority from the list.") }
            guard options.reaches.contains(where: { $0.value == reaches }) else { throw AllocationDraft.FormError(description: "Choose whom it reaches from the list.") }
            return try AllocationDraft.fromForm(amount: amount, startsOn: startsOn, endsOn: endsOn, funding: funding, decidedBy: decidedBy, evidence: evidence, reason: reason)
        }
    }

    func allocate(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let school = try await Self.school(req, viewer)
        try req.require(viewer.policy.canAllocateResources(atSchool: school.id))
        let form = try req.content.decode(AllocationForm.self)
        let queries = ResourceQueries(db: req.db)
        do {
            guard let kindId = form.kind, let kind = try await queries.kind(kindId) else { throw AllocationDraft.FormError(description: "Choose the kind of resource.") }
            let draft = try form.draft(options: try await Self.options(atSchool: school.id, on: req.db))
            let allocation = try await queries.add(draft, schoolId: school.id, kindId: kind.id!, priority: form.priority, reaches: form.reaches, by: viewer.id)
            try await req.audit("allocated a resource", subject: "allocation \(allocation.id!)")
            req.leaveNotice("\(AllocationDraft.number(draft.amount)) \(kind.unit) of \(kind.name.lowercased()) is on the ledger, with the decision behind it.")
            return req.redirect(to: "/resources/schools/\(school.id.urlQueryEncoded)?year=\(SchoolYear.of(day: draft.startsOn))")
        } catch let error as AllocationDraft.FormError {
            let response = try await renderLedger(req, form: form.echo, error: error.description).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }

    // MARK: One allocation: its decision and its changes

    struct RecordPage: Encodable {
        struct Change: Encodable { let when: String; let who: String; let what: [String]; let reason: String }
        struct Link: Encodable { let href: String; let external: Bool }
        let page: PageContext
        let id: String
        let schoolName: String
        let ledgerHref: String
        let kind: String
        let amount: String
        let period: String
        let funding: String
        let priority: String
        let reaches: String
        let students: Int
        let decidedBy: String
        let reason: String
        let evidence: [Link]
        let recorded: String
        let changes: [Change]
        let canChange: Bool
        let priorities: [SelectOption]
        let reachOptions: [SelectOption]
        let form: LedgerPage.Form
        let changeReason: String
        let error: String?
        let notice: String?
        let amountHidden: Bool
    }

    func record(req: Request) async throws -> View {
        try await renderRecord(req, form: nil, changeReason: "", error: nil)
    }

    private func allocation(_ req: Request, _ viewer: Viewer) async throws -> ResourceAllocation {
        guard let allocation = try await ResourceQueries(db: req.db).allocation(try req.parameters.require("id")) else { throw LodestarError.notFound }
        try req.require(viewer.policy.canViewResources(ofSchool: allocation.schoolId))
        return allocation
    }

    private func renderRecord(_ req: Request, form: LedgerPage.Form?, changeReason: String, error: String?) async throws -> View {
        let viewer = try await req.viewer()
        let allocation = try await allocation(req, viewer)
        let queries = ResourceQueries(db: req.db)
        let kind = try await queries.kind(allocation.kindId)
        let hidesBudget = try await queries.hidesBudget()
        let hidden = (kind?.budget ?? false) && !viewer.policy.seesBudgetFigures(atSchool: allocation.schoolId, hiddenFromCoaches: hidesBudget)
        let options = try await Self.options(atSchool: allocation.schoolId, on: req.db)
        let changes = try await queries.changes(of: allocation.id!)
        let names = try await Staff.names(of: changes.map(\.changedBy) + [allocation.recordedBy], on: req.db)
        let school = try await RosterQueries(req.db).school(allocation.schoolId)
        let reach = try await queries.reach(ofSchool: allocation.schoolId)
        let d = allocation.draft
        let current = LedgerPage.Form(kind: allocation.kindId, amount: AllocationDraft.number(d.amount).replacingOccurrences(of: ",", with: ""), startsOn: d.startsOn, endsOn: d.endsOn,
                                      funding: d.funding, priority: allocation.priority, reaches: allocation.reaches, decidedBy: d.decidedBy,
                                      evidence: d.evidence.joined(separator: "\n"), reason: d.reason)
        let shown = form ?? current
        return try await req.view.render("resources/allocation", RecordPage(
            page: PageContext(request: req, title: "\(kind?.name ?? "Resource") at \(school?.name ?? "a school")"), id: allocation.id!,
            schoolName: school?.name ?? "A school", ledgerHref: "/resources/schools/\(allocation.schoolId.urlQueryEncoded)?year=\(SchoolYear.of(day: allocation.startsOn))",
            kind: kind?.name ?? "Removed kind",
            amount: hidden ? "Hidden by the district" : "\(AllocationDraft.number(allocation.amount)) \(kind?.unit ?? "")",
            period: "\(DisplayTime.date(allocation.startsOn)) – \(DisplayTime.date(allocation.endsOn))", funding: allocation.funding.isEmpty ? "Not named" : allocation.funding,
            priority: options.label(priority: allocation.priority), reaches: options.label(reach: allocation.reaches),
            students: reach.students(reached: allocation.reaches).count, decidedBy: allocation.decidedBy, reason: allocation.reason,
            evidence: d.evidence.map { .init(href: $0, external: !$0.hasPrefix("/")) },
            recorded: "\(names[allocation.recordedBy] ?? "Former staff member"), \(DisplayTime.date(DisplayTime.isoDay(allocation.createdAt)))",
            changes: changes.map { .init(when: DisplayTime.date(DisplayTime.isoDay($0.changedAt)), who: names[$0.changedBy] ?? "Former staff member",
                                        what: $0.what.split(separator: "\n").map(String.init), reason: $0.reason) },
            canChange: viewer.policy.canAllocateResources(atSchool: allocation.schoolId) && !hidden,
            priorities: options.priorities.map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == shown.priority) },
            reachOptions: options.reaches.map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == shown.reaches) },
            form: shown, changeReason: changeReason, error: error, notice: req.takeNotice(), amountHidden: hidden))
    }

    func change(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let allocation = try await allocation(req, viewer)
        try req.require(viewer.policy.canAllocateResources(atSchool: allocation.schoolId))
        let form = try req.content.decode(AllocationForm.self)
        let why = (form.changeReason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            let draft = try form.draft(options: try await Self.options(atSchool: allocation.schoolId, on: req.db))
            var what = draft.changes(from: allocation.draft)
            if form.priority != allocation.priority { what.append("Priority changed") }
            if form.reaches != allocation.reaches { what.append("Whom it reaches changed") }
            guard !what.isEmpty else { throw AllocationDraft.FormError(description: "Nothing was changed.") }
            guard !why.isEmpty, why.count <= AllocationDraft.limits.reason else {
                throw AllocationDraft.FormError(description: "Say why it changed (up to \(AllocationDraft.limits.reason) characters): the change is logged with its reason.")
            }
            try await ResourceQueries(db: req.db).change(allocation, to: draft, priority: form.priority, reaches: form.reaches, what: what, reason: why, by: viewer.id)
            try await req.audit("changed an allocation", subject: "allocation \(allocation.id!)")
            req.leaveNotice("The change is saved and logged.")
            return req.redirect(to: "/resources/allocations/\(allocation.id!)")
        } catch let error as AllocationDraft.FormError {
            let response = try await renderRecord(req, form: form.echo, changeReason: String(why.prefix(3_000)), error: error.description).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }
}
