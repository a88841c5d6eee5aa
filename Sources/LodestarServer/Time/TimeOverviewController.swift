import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// A leader's time over longer spans: importing a calendar, the year's weekly share on instruction
/// against the target, the CSV export, and the district leaders' list of school leaders.
struct TimeOverviewController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("time", "leaders", use: leaders)
        routes.get("time", ":leaderId", "import", use: importPage)
        routes.upload("time", ":leaderId", "import", use: upload)
        routes.get("time", ":leaderId", "year", use: year)
        routes.get("time", ":leaderId", "time.csv", use: csv)
    }

    // MARK: Calendar import

    struct ImportPage: Encodable {
        let page: PageContext
        let leaderId: String
        let from: String
        let through: String
        let fileName: String?
        let error: String?
        let report: Report?
        struct Report: Encodable { let added: Int; let updated: Int; let removed: Int; let allDay: Int; let guessed: Int; let warnings: [String] }
    }

    private func renderImport(_ req: Request, leaderId: String, from: String, through: String, fileName: String? = nil,
                              error: String? = nil, report: CalendarImport.Report? = nil) async throws -> Response {
        let response = try await req.view.render("time/import", ImportPage(
            page: PageContext(request: req, title: "Import a calendar"), leaderId: leaderId, from: from, through: through, fileName: fileName,
            error: error, report: report.map { .init(added: $0.added, updated: $0.updated, removed: $0.removed, allDay: $0.allDay, guessed: $0.guessed, warnings: $0.warnings) }
        )).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    func importPage(req: Request) async throws -> Response {
        let context = try await TimeController.LeaderContext.load(req)
        try context.requireEdit(req)
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let start = DisplayTime.schoolYearStart(of: today)
        return try await renderImport(req, leaderId: context.id, from: start, through: DisplayTime.isoDay(DisplayTime.isoDay(start, plus: 365), plus: -1))
    }

    func upload(req: Request) async throws -> Response {
        let context = try await TimeController.LeaderContext.load(req)
        try context.requireEdit(req)
        return try await req.withUpload(limit: 20, file: "calendar") { form in
            let from = form.fields["from"] ?? "", through = form.fields["through"] ?? ""
            guard DisplayTime.date(fromISODay: from) != nil, DisplayTime.date(fromISODay: through) != nil else {
                return try await renderImport(req, leaderId: context.id, from: from, through: through, error: "Give the first and last day to import.")
            }
            guard let file = form.file else {
                return try await renderImport(req, leaderId: context.id, from: from, through: through, error: "Choose the calendar file (.ics) first.")
            }
            do {
                let report = try await CalendarImport.run(try file.bytes(), fileName: file.name, leaderId: context.id,
                                                          from: from, through: through, on: req.db)
                try await req.auditImport("calendar for \(context.id)", fileName: file.name, link: "/time/\(context.id)/import")
                return try await renderImport(req, leaderId: context.id, from: from, through: through, fileName: file.name, report: report)
            } catch let error as LodestarError {
                try await req.auditImport("calendar for \(context.id)", fileName: file.name, refused: error, link: "/time/\(context.id)/import")
                return try await renderImport(req, leaderId: context.id, from: from, through: through, fileName: file.name, error: error.description)
            }
        }
    }

    // MARK: The year

    /// One week of a leader's year.
    struct WeekShare: Encodable {
        let monday: String
        let label: String
        let share: String
        let instructionalHours: String
        let totalHours: String
        let met: Bool
    }

    /// Weekly shares from the start of the school year to this week (weeks with no time left out).
    static func weeks(of leaderId: String, through today: String, on db: any Database) async throws -> [(monday: String, ledger: TimeLedger)] {
        let first = DisplayTime.monday(of: DisplayTime.schoolYearStart(of: today))
        let last = DisplayTime.monday(of: today)
        let queries = TimeQueries(db: db)
        let instructional = Set(try await queries.categories().filter(\.instructional).map(\.key))
        let entries = try await queries.entries(leaders: [leaderId], from: DisplayTime.startOfDay(first), to: DisplayTime.startOfDay(DisplayTime.isoDay(last, plus: 7)))
        var result: [(String, TimeLedger)] = []
        var monday = first
        var index = entries.startIndex
        while monday <= last {
            let end = DisplayTime.startOfDay(DisplayTime.isoDay(monday, plus: 7))
            var week: [TimeLedger.Entry] = []
            while index < entries.endIndex, entries[index].start < end { week.append(entries[index].ledgerEntry); index += 1 }
            let ledger = TimeLedger(week, instructional: instructional)
            if ledger.totalMinutes > 0 { result.append((monday, ledger)) }
            monday = DisplayTime.isoDay(monday, plus: 7)
        }
        return result
    }

    struct YearPage: Encodable {
        let page: PageContext
        let leaderId: String
        let leaderName: String
        let canEdit: Bool
        let chart: String
        let weeks: [WeekShare]
        let target: String
        let weeksMet: Int
        let average: String
    }

    func year(req: Request) async throws -> View {
        let context = try await TimeController.LeaderContext.load(req)
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let weeks = try await Self.weeks(of: context.id, through: today, on: req.db)
        let target = try await TimeQueries(db: req.db).target(of: context.id)
        let points = weeks.map { (x: ChartTime.time($0.monday), y: ($0.ledger.instructionalShare ?? 0) * 100) }
        let start = ChartTime.time(DisplayTime.schoolYearStart(of: today)), end = max(ChartTime.time(today), start + 86_400 * 7)
        let total = weeks.reduce(0) { $0 + $1.ledger.totalMinutes }, instructional = weeks.reduce(0) { $0 + $1.ledger.instructionalMinutes }
        let average = total > 0 ? instructional / total : nil
        let chart = LineChart(
            id: "time-year", title: "Share of \(context.leader.displayName)'s time on instruction, week by week",
            description: weeks.isEmpty ? "No time recorded this school year yet."
                : "\(weeks.count) weeks recorded; \(Percent.text(average)) on instruction overall against a target of \(Percent.text(target)).",
            series: [LineChart.Series(name: "Weekly share", style: .measured, points: points),
                     LineChart.Series(name: "Target \(Percent.text(target))", style: .reference, points: [(start, target * 100), (end, target * 100)])],
            xTicks: ChartTime.monthTicks(from: start, to: end), xRange: start...end, yRange: 0...100, yUnit: "%").svg()
        return try await req.view.render("time/year", YearPage(
            page: PageContext(request: req, title: "Time this year"), leaderId: context.id, leaderName: context.leader.displayName,
            canEdit: context.canEdit, chart: chart,
            weeks: weeks.reversed().map { week in
                WeekShare(monday: week.monday, label: "Week of \(DisplayTime.shortDay(DisplayTime.startOfDay(week.monday) + 43_200))",
                          share: Percent.text(week.ledger.instructionalShare), instructionalHours: Hours.text(minutes: week.ledger.instructionalMinutes),
                          totalHours: Hours.text(minutes: week.ledger.totalMinutes), met: (week.ledger.instructionalShare ?? 0) >= target - 1e-9)
            },
            target: Percent.text(target), weeksMet: weeks.filter { ($0.ledger.instructionalShare ?? 0) >= target - 1e-9 }.count,
            average: Percent.text(average)))
    }

    // MARK: Export

    func csv(req: Request) async throws -> Response {
        let context = try await TimeController.LeaderContext.load(req)
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let start = DisplayTime.startOfDay(DisplayTime.schoolYearStart(of: today))
        let queries = TimeQueries(db: req.db)
        let categories = Dictionary(uniqueKeysWithValues: try await queries.categories().map { ($0.key, $0) })
        var csv = CSVWriter(header: ["day", "start", "end", "minutes", "title", "category", "instructional", "source", "counted_minutes"])
        let entries = try await queries.entries(leaders: [context.id], from: start, to: DisplayTime.startOfDay(DisplayTime.isoDay(today, plus: 1)))
        // The ledger's rule: time shared with an entry that began earlier, or automatic time inside recorded time, counts once.
        for (entry, counted) in zip(entries, TimeLedger.countedMinutes(entries.map(\.ledgerEntry))) {
            csv.append([DisplayTime.isoDay(entry.start), entry.allDay ? "" : DisplayTime.clock(entry.start), entry.allDay ? "" : DisplayTime.clock(entry.end),
                        String((entry.end - entry.start) / 60), entry.title, categories[entry.category]?.name ?? entry.category,
                        categories[entry.category]?.instructional == true ? "yes" : "no", entry.allDay ? "calendar (all day)" : entry.source,
                        String(Int(counted.rounded()))])
        }
        return try await req.csvDownload(csv, named: "time-\(context.leader.username.isEmpty ? context.id : context.leader.username).csv")
    }

    // MARK: District leaders' view

    struct LeadersPage: Encodable {
        struct Row: Encodable {
            let id: String
            let name: String
            let school: String
            let role: String
            let share: String
            let sharePercent: Int
            let target: String
            let met: Bool
            let hours: String
        }
        let page: PageContext
        let rows: [Row]
        let from: String
        let through: String
    }

    /// Each school leader's share on instruction over the last four weeks, lowest first.
    func leaders(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.seesLeadersTime)
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let window = TimeQueries.recentWeeks(today: today)
        let grants = try await StaffDirectory(db: req.db).holders(of: StaffRole.schoolAdministrators)
        let shares = try await TimeQueries(db: req.db).recentShares(leaders: Array(Set(grants.map(\.id))), today: today)
        let schools = try await RosterQueries(req.db).schoolNames()
        var rows: [LeadersPage.Row] = []
        for grant in grants {
            let time = shares[grant.id]!
            rows.append(.init(id: grant.id, name: grant.name, school: grant.schoolId.flatMap { schools[$0] } ?? "",
                              role: grant.staffRole?.label ?? grant.role, share: Percent.text(time.ledger.instructionalShare),
                              sharePercent: Percent.whole(time.ledger.instructionalShare ?? 0), target: Percent.text(time.target),
                              met: time.met, hours: Hours.text(minutes: time.ledger.totalMinutes)))
        }
        rows.sort { ($0.sharePercent, $0.school, $0.name) < ($1.sharePercent, $1.school, $1.name) }
        return try await req.view.render("time/leaders", LeadersPage(
            page: PageContext(request: req, title: "School leaders' time"), rows: rows, from: DisplayTime.date(window.from),
            through: DisplayTime.date(DisplayTime.isoDay(window.until, plus: -1))))
    }
}
