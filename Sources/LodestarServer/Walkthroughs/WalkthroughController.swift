import Fluent
import Foundation
import LodestarCore
import Vapor

/// Capturing walkthroughs (online or offline), the observer's visits, the teacher's feedback inbox,
/// a walkthrough's page with its conversation.
struct WalkthroughController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("walkthroughs", use: visits)
        routes.get("walkthroughs", "new", use: capture)
        routes.get("walkthroughs", "capture-data", use: captureData)
        routes.on(.POST, "api", "walkthroughs", body: .collect(maxSize: "1mb"), use: submit)
        routes.get("walkthroughs", ":id", use: show)
        routes.post("walkthroughs", ":id", "share", use: share)
        routes.post("walkthroughs", ":id", "replies", use: reply)
        routes.get("feedback", use: inbox)
    }

    // MARK: Capture

    struct CapturePage: Encodable {
        let page: PageContext
    }

    func capture(req: Request) async throws -> View {
        _ = try await req.viewer()
        return try await req.view.render("walkthroughs/capture", CapturePage(page: PageContext(request: req, title: "New walkthrough")))
    }

    /// Everything the capture page needs to work offline: teachers with classes, the framework, the bell schedule.
    struct CaptureData: Content {
        let frameworkId: String
        let framework: Framework
        let teachers: [WalkthroughQueries.CaptureTeacher]
        let schedule: BellSchedule
        let visitTypes: [SelectOption]
        let observer: String
    }

    func captureData(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let (frameworkId, framework) = try await FrameworkStore.active(on: req.db)
        let data = CaptureData(frameworkId: frameworkId, framework: framework,
                               teachers: try await WalkthroughQueries(db: req.db).teachersToVisit(by: viewer),
                               schedule: .standard,
                               visitTypes: VisitType.allCases.map { .init(value: $0.rawValue, label: $0.label) },
                               observer: viewer.staff.displayName)
        let response = try await data.encodeResponse(for: req)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    struct SubmitResult: Content {
        let id: String
        let outcome: WalkthroughStore.Outcome
    }

    /// Saves a walkthrough sent as JSON. Idempotent: the device's UUID makes one walkthrough however often it is sent.
    func submit(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let submission: WalkthroughSubmission
        do {
            submission = try req.content.decode(WalkthroughSubmission.self, as: .json)
        } catch {
            throw LodestarError("the walkthrough could not be read; update the capture page and try again")
        }
        let outcome = try await WalkthroughStore.save(submission, by: viewer, on: req.db, together: req.application.walkthroughWrites)
        let response = try await SubmitResult(id: submission.id.lowercased(), outcome: outcome).encodeResponse(for: req)
        response.status = outcome == .created ? .created : .ok
        return response
    }

    // MARK: Visits and inbox

    struct ListPage: Encodable {
        struct Item: Encodable {
            let id: String
            let who: String
            /// The teacher's page, for those who may open it.
            var teacherHref: String? = nil
            let classTitle: String
            let visitType: String
            let when: String
            let status: String
            let glow: String
            let grow: String
            let question: String
            let replies: Int
            let unread: Bool
        }
        struct Loop: Encodable {
            let visits: Int
            let shared: Int
            let medianTime: String
            let withinADay: String
            let replyRate: String
        }
        struct Upcoming: Encodable { let who: String; let when: String; let visitType: String; let note: String }
        let page: PageContext
        let items: [Item]
        let loop: Loop?
        let upcoming: [Upcoming]
        let canSeeCoverage: Bool
        var notice: String? = nil
        var filters: Filters? = nil
    }

    /// The visits list's filters as chosen, their choices, and the pages.
    struct Filters: Encodable {
        let teachers: [SelectOption]
        let practices: [SelectOption]
        let statuses: [SelectOption]
        let from: String
        let through: String
        let active: Bool
        /// "51–100 of 134"
        let showing: String
        let newer: String?
        let older: String?
    }

    /// Visits per page of the list.
    static let pageSize = 50

    func upcoming(_ visits: [WalkthroughQueries.UpcomingVisit], teacherView: Bool) -> [ListPage.Upcoming] {
        visits.map { .init(who: teacherView ? $0.observerName : $0.teacherName, when: DisplayTime.dateTime($0.scheduledFor),
                           visitType: VisitType(rawValue: $0.visitType)?.label ?? $0.visitType, note: $0.note) }
    }

    func visits(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let queries = WalkthroughQueries(db: req.db)
        let framework = try await FrameworkStore.active(on: req.db).framework
        let teachers = try await queries.teachersVisited(by: viewer.id)
        let text = { (name: String) in req.query[String.self, at: name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 } }
        let filter = WalkthroughQueries.ListFilter(
            teacherId: text("teacher").flatMap { id in teachers.contains { $0.id == id } ? id : nil },
            indicator: text("practice").flatMap { framework.indicator($0)?.key },
            from: text("from").flatMap { ISODate.isValid($0) ? $0 : nil }, through: text("through").flatMap { ISODate.isValid($0) ? $0 : nil },
            status: text("status").flatMap(WalkthroughQueries.ListFilter.Status.init(rawValue:)))
        let total = try await queries.count(.madeBy(viewer.id), filter: filter)
        let page = max(1, min(req.query[Int.self, at: "page"] ?? 1, max(1, (total + Self.pageSize - 1) / Self.pageSize)))
        let caseload = try await CoachingQueries(db: req.db).caseload(of: viewer.id)
        let items = try await queries.list(.madeBy(viewer.id), filter: filter, limit: Self.pageSize, offset: (page - 1) * Self.pageSize).map { row in
            var listed = item(row, who: row.teacherName)
            if viewer.policy.canViewTeacher(at: [row.schoolId], isSelf: false, onCaseload: caseload.contains(row.teacherId)) {
                listed.teacherHref = "/teachers/\(row.teacherId.urlQueryEncoded)"
            }
            return listed
        }
        func link(_ page: Int) -> String {
            var parts = ["page=\(page)"]
            for (name, value) in [("teacher", filter.teacherId), ("practice", filter.indicator), ("from", filter.from), ("through", filter.through),
                                  ("status", filter.status?.rawValue)] {
                if let value { parts.append("\(name)=\(value.urlQueryEncoded)") }
            }
            return "/walkthroughs?" + parts.joined(separator: "&")
        }
        let first = (page - 1) * Self.pageSize
        let filters = Filters(
            teachers: [SelectOption(value: "", label: "Every teacher")] + teachers.map { SelectOption(value: $0.id, label: $0.name, selected: $0.id == filter.teacherId) },
            practices: [SelectOption(value: "", label: "Any practice")] + framework.indicators.map { SelectOption(value: $0.key, label: $0.shortName, selected: $0.key == filter.indicator) },
            statuses: [SelectOption(value: "", label: "Any")] + WalkthroughQueries.ListFilter.Status.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == filter.status) },
            from: filter.from ?? "", through: filter.through ?? "", active: filter != WalkthroughQueries.ListFilter(),
            showing: total == 0 ? "none" : "\(first + 1)–\(first + items.count) of \(total)",
            newer: page > 1 ? link(page - 1) : nil, older: first + items.count < total ? link(page + 1) : nil)
        let loop = try await queries.feedbackLoop(.madeBy(viewer.id))
        let percent = Percent.text
        let policy = viewer.policy
        return try await req.view.render("walkthroughs/visits", ListPage(
            page: PageContext(request: req, title: "Visits"), items: items,
            loop: loop.visits == 0 ? nil : .init(visits: loop.visits, shared: loop.shared,
                                                  medianTime: loop.medianHoursToFeedback.map(DisplayTime.duration) ?? "—",
                                                  withinADay: percent(loop.sharedWithinADay), replyRate: percent(loop.replyRate)),
            upcoming: upcoming(try await queries.upcomingVisits(.byObserver(viewer.id)), teacherView: false),
            canSeeCoverage: policy.observesTeachers, notice: req.takeNotice(),
            filters: filters))
    }

    func inbox(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let queries = WalkthroughQueries(db: req.db)
        let items = try await queries.list(.sharedWith(viewer.id)).map { item($0, who: $0.observerName) }
        return try await req.view.render("walkthroughs/inbox", ListPage(
            page: PageContext(request: req, title: "Feedback"), items: items, loop: nil,
            upcoming: upcoming(try await queries.upcomingVisits(.forTeacher(viewer.id)), teacherView: true), canSeeCoverage: false))
    }

    func item(_ row: WalkthroughQueries.ListItem, who: String) -> ListPage.Item {
        ListPage.Item(id: row.id, who: who, classTitle: row.classTitle ?? "", visitType: VisitType(rawValue: row.visitType)?.label ?? row.visitType,
                      when: DisplayTime.dateTime(row.observedAt),
                      status: row.feedbackStatus,
                      glow: row.glow, grow: row.grow, question: row.question, replies: row.replies, unread: row.readAt == nil)
    }
}
