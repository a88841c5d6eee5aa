import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

extension LearningController {
    // MARK: Sessions

    struct SessionFormPage: Encodable {
        let page: PageContext
        let scope: String
        let scopeName: String
        let needs: [SelectOption]
        let facilitators: [SelectOption]
        let indicators: [SelectOption]
        let form: SessionForm
        let error: String?
    }

    func newSession(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let scope = try await Self.scope(req, requested: req.query[String.self, at: "scope"])
        try req.require(scope.canPlan)
        var form = SessionForm(scope: scope.id, title: "", facilitatorId: viewer.id,
                               day: DisplayTime.isoDay(Int(Date().timeIntervalSince1970) + 7 * 86_400), startTime: "15:30", endTime: "16:30")
        form.needId = req.query[String.self, at: "need"]
        (form.series, form.audience, form.location, form.materials, form.lookFors, form.standards, form.indicators) = ("", "", "", "", "", "", [])
        if let needId = form.needId, let need = try await LearningNeed.find(needId, on: req.db), need.scope == scope.id {
            form.title = need.title
            switch LearningNeeds.Kind(rawValue: need.kind) {
            case .practice: form.indicators = [need.subjectKey]
            case .mastery, .equity:
                let standardId = String(need.subjectKey.split(separator: "|").first ?? "")
                form.standards = try await StandardsQueries(db: req.db).standard(standardId)?.code ?? ""
            case nil: break
            }
        }
        return try await renderSessionForm(req, scope: scope, form: form, error: nil)
    }

    func renderSessionForm(_ req: Request, scope: Scope, form: SessionForm, error: String?) async throws -> View {
        let framework = try await FrameworkStore.active(on: req.db).framework
        let needs = try await LearningNeed.query(on: req.db).filter(\.$scope == scope.id).filter(\.$status == "open").sort(\.$acceptedAt, .descending).all()
        let plan = PlanScope(id: scope.id, name: scope.name, canEdit: false)
        let chosen = Set(form.indicators ?? [])
        return try await req.view.render("learning/session-form", SessionFormPage(
            page: PageContext(request: req, title: "Plan a session"), scope: scope.id, scopeName: scope.name,
            needs: [SelectOption(value: "", label: "No need linked")] + needs.map { SelectOption(value: $0.id!, label: $0.title, selected: $0.id == form.needId) },
            facilitators: try await plan.staffOptions(on: req.db, selected: form.facilitatorId),
            indicators: framework.indicators.map { SelectOption(value: $0.key, label: $0.shortName, selected: chosen.contains($0.key)) },
            form: form, error: error))
    }

    func createSession(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode(SessionForm.self)
        let scope = try await Self.scope(req, requested: form.scope)
        try req.require(scope.canPlan)
        do {
            let session = try await validated(form, scope: scope, on: req.db)
            session.createdBy = viewer.id
            try await req.db.writeTransaction { db in
                try await session.create(on: db)
                try await db.announce(.sessionPlanned(session, by: viewer.id))
            }
            return req.redirect(to: "/learning/sessions/\(session.id!)")
        } catch let error as LodestarError {
            let response = try await renderSessionForm(req, scope: scope, form: form, error: error.description).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }

    /// The form checked in Core (`SessionForm.checked`), then against the district: the facilitator is on
    /// the scope's staff list, the need is the scope's, and every standard code exists.
    func validated(_ form: SessionForm, scope: Scope, on db: any Database) async throws -> LearningSession {
        let checked = try form.checked()
        guard let start = DisplayTime.date(fromISODay: checked.day, time: checked.startTime),
              let end = DisplayTime.date(fromISODay: checked.day, time: checked.endTime) else { throw LodestarError("Give the day and the start and end times.") }
        let facilitators = try await PlanScope(id: scope.id, name: scope.name, canEdit: false).staffOptions(on: db)
        guard facilitators.contains(where: { $0.value == form.facilitatorId }) else { throw LodestarError("Choose a facilitator from the list.") }
        if let id = checked.needId {
            guard let need = try await LearningNeed.find(id, on: db), need.scope == scope.id else { throw LodestarError("Choose one of the accepted needs.") }
        }
        let framework = try await FrameworkStore.active(on: db).framework
        let indicators = (form.indicators ?? []).filter { framework.indicator($0) != nil }
        var standardIds: [String] = []
        for code in checked.standardCodes {
            guard let standard = try await StandardsQueries(db: db).standard(code: code) else {
                throw LodestarError("No standard has the code “\(code)”. Use codes as the standards pages show them.")
            }
            if !standardIds.contains(standard.id!) { standardIds.append(standard.id!) }
        }
        let session = LearningSession()
        session.id = UUID().uuidString.lowercased()
        session.scope = scope.id
        session.title = checked.title
        session.series = checked.series
        session.needId = checked.needId
        session.facilitatorId = form.facilitatorId
        session.audience = checked.audience
        session.startsAt = Int(start.timeIntervalSince1970)
        session.endsAt = Int(end.timeIntervalSince1970)
        session.location = checked.location
        session.materials = checked.materials.joined(separator: "\n")
        session.lookFors = checked.lookFors.joined(separator: "\n")
        session.indicators = indicators.joined(separator: ",")
        session.standards = standardIds.joined(separator: ",")
        session.createdAt = Int(Date().timeIntervalSince1970)
        return session
    }

    struct SessionPage: Encodable {
        struct Person: Encodable { let id: String; let name: String; let role: String; let attended: Bool }
        let page: PageContext
        let id: String
        let title: String
        let series: String
        let seriesSessions: [SelectOption]
        let scope: String
        let scopeName: String
        let when: String
        let facilitator: String
        let audience: String
        let location: String
        let need: String?
        let materials: [String]
        let lookFors: [String]
        let practices: [String]
        let standards: [String]
        let canPlan: Bool
        let people: [Person]
        let attendedCount: Int
        let attendanceSchools: [SelectOption]
        let notice: String?
        /// Library resources on the session's practices and standards.
        let suggested: [LibraryQueries.Link]
    }

    func loadSession(_ req: Request) async throws -> (LearningSession, Scope) {
        guard let session = try await LearningSession.find(try req.parameters.require("sessionId"), on: req.db) else { throw LodestarError.notFound }
        return (session, try await Self.scope(req, requested: session.scope))
    }

    func session(req: Request) async throws -> View {
        let (session, scope) = try await loadSession(req)
        let viewer = try await req.viewer()
        let framework = try await FrameworkStore.active(on: req.db).framework
        let attended = Set(try await SessionAttendance.query(on: req.db).filter(\.$sessionId == session.id!).all().map(\.staffId))
        var people: [SessionPage.Person] = []
        var schools: [SelectOption] = []
        if scope.canPlan {
            // Attendance is taken from a school's staff list: the session's school, or one chosen school for a district session.
            let school: String
            if let schoolId = scope.schoolId {
                school = schoolId
            } else {
                let all = try await RosterQueries(req.db).schoolOrgs()
                school = req.query[String.self, at: "school"].flatMap { id in all.first { $0.id == id }?.id } ?? all.first?.id ?? ""
                schools = all.map { SelectOption(value: $0.id!, label: $0.name, selected: $0.id == school) }
            }
            people = try await Self.staff(ofSchool: school, on: req.db).map { .init(id: $0.id, name: $0.name, role: $0.role, attended: attended.contains($0.id)) }
        }
        let standards = try await StandardsQueries(db: req.db).standards(ids: session.standardIds)
        let series = session.series.isEmpty ? [] : try await LearningSession.query(on: req.db).filter(\.$scope == session.scope).filter(\.$series == session.series).sort(\.$startsAt).all()
        return try await req.view.render("learning/session", SessionPage(
            page: PageContext(request: req, title: session.title), id: session.id!, title: session.title, series: session.series,
            seriesSessions: series.map { SelectOption(value: $0.id!, label: "\(DisplayTime.day($0.startsAt)) — \($0.title)", selected: $0.id == session.id) },
            scope: scope.id, scopeName: scope.name,
            when: "\(DisplayTime.dateTime(session.startsAt))–\(DisplayTime.clock(session.endsAt))",
            facilitator: try await StaffDirectory(db: req.db).person(session.facilitatorId)?.displayName ?? "—",
            audience: session.audience, location: session.location,
            need: try await session.needId.asyncMap { try await LearningNeed.find($0, on: req.db)?.title } ?? nil,
            materials: session.materials.split(separator: "\n").map(String.init), lookFors: session.lookFors.split(separator: "\n").map(String.init),
            practices: session.indicatorKeys.compactMap { framework.indicator($0)?.shortName },
            standards: standards.map { "\($0.code): \($0.statement.prefix(100))" },
            canPlan: scope.canPlan, people: people, attendedCount: attended.count, attendanceSchools: schools,
            notice: req.takeNotice(),
            suggested: try await LibraryQueries(db: req.db).links(practices: session.indicatorKeys, standards: session.standardIds,
                                                                  schools: LearningScope.schoolId(scope.id).map { [$0] } ?? (viewer.policy.seesWholeDistrict ? nil : viewer.policy.schoolIds))))
    }

    /// Staff with a role at a school, teachers first, by family name.
    static func staff(ofSchool school: String, on db: any Database) async throws -> [(id: String, name: String, role: String)] {
        var byId: [String: (person: StaffDirectory.Member, roles: Set<StaffRole>)] = [:]
        for holder in try await StaffDirectory(db: db).holders(atSchools: [school]) {
            byId[holder.id, default: (holder, [])].roles.formUnion(holder.staffRole.map { [$0] } ?? [])
        }
        return byId.values.map { (person: $0.person, role: StaffRole.leading(of: $0.roles)) }
            .sorted { ($0.role.isTeacher ? 1 : 0, $1.person.familyName, $1.person.name) > ($1.role.isTeacher ? 1 : 0, $0.person.familyName, $0.person.name) }
            .map { ($0.person.id, $0.person.name, $0.role.label) }
    }

    struct AttendanceForm: Content {
        var school: String?
        var attended: [String]?
    }

    /// Records who attended from one school's staff list: those ticked are added, those unticked removed.
    func recordAttendance(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let (session, scope) = try await loadSession(req)
        try req.require(scope.canPlan)
        let form = try req.content.decode(AttendanceForm.self)
        guard let school = scope.schoolId ?? form.school else { throw LodestarError("Choose the school whose staff attended.") }
        let listed = Set(try await Self.staff(ofSchool: school, on: req.db).map(\.id))
        let ticked = Set(form.attended ?? [])
        guard ticked.isSubset(of: listed) else { throw LodestarError("Attendance can only be recorded for staff of the school.") }
        let now = Int(Date().timeIntervalSince1970), sessionId = session.id!
        try await req.db.writeTransaction { db in
            let existing = try await SessionAttendance.query(on: db).filter(\.$sessionId == sessionId).all()
            for record in existing where listed.contains(record.staffId) && !ticked.contains(record.staffId) { try await record.delete(on: db) }
            let present = Set(existing.map(\.staffId))
            for staffId in ticked.subtracting(present).sorted() {
                let record = SessionAttendance()
                record.id = "\(sessionId)|\(staffId)"
                record.sessionId = sessionId
                record.staffId = staffId
                record.recordedBy = viewer.id
                record.recordedAt = now
                try await record.create(on: db)
            }
        }
        let count = try await SessionAttendance.query(on: req.db).filter(\.$sessionId == sessionId).count()
        req.leaveNotice("Attendance saved: \(count) attended.")
        return req.redirect(to: "/learning/sessions/\(sessionId)")
    }

    func attendanceCSV(req: Request) async throws -> Response {
        let (session, scope) = try await loadSession(req)
        try req.require(scope.canPlan)
        let records = try await SessionAttendance.query(on: req.db).filter(\.$sessionId == session.id!).all()
        let people = try await StaffDirectory(db: req.db).people(ids: records.map(\.staffId))
        var csv = CSVWriter(header: ["session", "day", "staff_id", "given_name", "family_name", "email"])
        for person in people.sorted(by: { ($0.familyName, $0.givenName) < ($1.familyName, $1.givenName) }) {
            csv.append([session.title, DisplayTime.isoDay(session.startsAt), person.id!, person.givenName, person.familyName, person.email])
        }
        return try await req.csvDownload(csv, named: "session-attendance.csv")
    }
}
