import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// The leader's own time: a week view of entries (recorded, imported and automatic), the week's
/// share on instruction against the leader's target, protected instructional blocks, and corrections.
struct TimeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("time", use: index)
        routes.get("time", ":leaderId", use: week)
        routes.post("time", ":leaderId", "entries", use: addEntry)
        routes.post("time", ":leaderId", "entries", ":entryId", use: changeEntry)
        routes.post("time", ":leaderId", "entries", ":entryId", "delete", use: deleteEntry)
        routes.post("time", ":leaderId", "target", use: setTarget)
        routes.post("time", ":leaderId", "blocks", use: addBlock)
        routes.post("time", ":leaderId", "blocks", ":blockId", "delete", use: deleteBlock)
    }

    /// The leader whose time a request is about, and whether the viewer may change it (only the leader may).
    struct LeaderContext {
        let leader: Staff
        let canEdit: Bool
        var id: String { leader.id! }

        static func load(_ req: Request) async throws -> LeaderContext {
            let viewer = try await req.viewer()
            let leaderId = try req.parameters.require("leaderId")
            try req.require(viewer.policy.canViewTime(ofLeader: leaderId, viewerId: viewer.id))
            guard let leader = try await StaffDirectory(db: req.db).person(leaderId) else { throw LodestarError.notFound }
            return LeaderContext(leader: leader, canEdit: leaderId == viewer.id)
        }

        func requireEdit(_ req: Request) throws {
            guard canEdit else { throw LodestarError(.forbidden, "Only \(leader.displayName) can change their own time.") }
        }
    }

    func index(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        if viewer.policy.tracksOwnTime { return req.redirect(to: "/time/\(viewer.id.urlQueryEncoded)") }
        try req.require(viewer.policy.seesLeadersTime)
        return req.redirect(to: "/time/leaders")
    }

    // MARK: The week

    struct WeekPage: Encodable {
        struct Day: Encodable {
            let label: String
            let iso: String
            let entries: [Entry]
            let allDay: [String]
            let blocks: [Block]
        }
        struct Entry: Encodable {
            let id: String
            let time: String
            let title: String
            let category: String
            let categoryName: String
            let kind: String
            let source: String
            let guessed: Bool
            let link: String?
            let editable: Bool
            let noDuration: Bool
            /// Where the entry's time is already counted for another entry, how much of it counts.
            let overlap: String?
        }
        struct Block: Encodable { let label: String; let time: String; let state: String }
        struct CategoryTotal: Encodable { let name: String; let hours: String; let kind: String; let percent: Int }
        struct BlockSetting: Encodable { let id: String; let label: String; let when: String }
        let page: PageContext
        let leaderId: String
        let leaderName: String
        let canEdit: Bool
        let weekLabel: String
        let previousWeek: String
        let nextWeek: String
        let thisWeek: String
        let days: [Day]
        let share: String
        let sharePercent: Int
        let target: String
        let targetPercent: Int
        let metTarget: Bool
        let instructionalHours: String
        let totalHours: String
        let totals: [CategoryTotal]
        let blocksKept: Int
        let blocksPast: Int
        let categories: [SelectOption]
        let blockSettings: [BlockSetting]
        let weekdays: [SelectOption]
        let notice: String?
    }

    /// "Overlaps earlier entries: 30 of 120 min counted", for an entry whose time is partly counted already.
    static func overlap(minutes: Double, counted: Double, automatic: Bool) -> String? {
        guard minutes > 0, counted < minutes - 1e-9 else { return nil }
        if automatic { return "Inside time you recorded: counted there, not again" }
        return counted <= 0 ? "Inside an earlier entry: counted there, not again"
            : "Overlaps an earlier entry: \(Int(counted.rounded())) of \(Int(minutes.rounded())) min counted"
    }

    static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    func week(req: Request) async throws -> View {
        let context = try await LeaderContext.load(req)
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let requested = (try? req.query.get(String.self, at: "week")).flatMap { DisplayTime.date(fromISODay: $0) != nil ? $0 : nil } ?? today
        let monday = DisplayTime.monday(of: requested)
        let start = DisplayTime.startOfDay(monday), end = DisplayTime.startOfDay(DisplayTime.isoDay(monday, plus: 7))
        let queries = TimeQueries(db: req.db)
        let categories = try await queries.categories()
        let byKey = Dictionary(uniqueKeysWithValues: categories.map { ($0.key, $0) })
        let instructional = Set(categories.filter(\.instructional).map(\.key))
        let entries = try await queries.entries(leaders: [context.id], from: start, to: end)
        let ledgerEntries = entries.map(\.ledgerEntry)
        let ledger = TimeLedger(ledgerEntries, instructional: instructional)
        let counted = Dictionary(uniqueKeysWithValues: zip(entries.map(\.id), TimeLedger.countedMinutes(ledgerEntries)))
        let blocks = try await ProtectedBlock.query(on: req.db).filter(\.$leaderId == context.id).sort(\.$weekday).sort(\.$startMinute).all()
        let now = Int(Date().timeIntervalSince1970)

        var days: [WeekPage.Day] = []
        var kept = 0, past = 0
        for offset in 0..<7 {
            let iso = DisplayTime.isoDay(monday, plus: offset)
            let dayStart = DisplayTime.startOfDay(iso), dayEnd = DisplayTime.startOfDay(DisplayTime.isoDay(iso, plus: 1))
            let dayEntries = entries.filter { $0.start >= dayStart && $0.start < dayEnd }
            let dayBlocks = blocks.filter { $0.weekday == offset + 1 }
            // Weekends appear only when something happened on them.
            if offset >= 5 && dayEntries.isEmpty { continue }
            var blockViews: [WeekPage.Block] = []
            for block in dayBlocks {
                let from = dayStart + block.startMinute * 60, to = dayStart + block.endMinute * 60
                let state: String
                if to > now {
                    state = "ahead"
                } else {
                    past += 1
                    let wasKept = TimeLedger.kept(block: Double(from)..<Double(to), entries: dayEntries.map(\.ledgerEntry), instructional: instructional)
                    if wasKept { kept += 1 }
                    state = wasKept ? "kept" : "interrupted"
                }
                blockViews.append(.init(label: block.label, time: "\(DisplayTime.clock(from))–\(DisplayTime.clock(to))", state: state))
            }
            days.append(.init(
                label: DisplayTime.shortDay(dayStart + 43_200), iso: iso,
                entries: dayEntries.filter { !$0.allDay }.map { entry in
                    let category = byKey[entry.category]
                    return WeekPage.Entry(
                        id: entry.id, time: entry.end > entry.start ? "\(DisplayTime.clock(entry.start))–\(DisplayTime.clock(entry.end))" : DisplayTime.clock(entry.start),
                        title: entry.title, category: entry.category, categoryName: category?.name ?? "Uncategorized",
                        kind: category?.instructional == true ? "instructional" : "management",
                        source: ["walkthrough": "automatic, from the walkthrough", "coaching": "automatic, from the coaching record",
                                 "calendar": "from your calendar", "manual": "added by hand"][entry.source] ?? entry.source,
                        guessed: entry.guessed, link: entry.link, editable: context.canEdit && !entry.automatic, noDuration: entry.end <= entry.start,
                        overlap: Self.overlap(minutes: Double(entry.end - entry.start) / 60, counted: counted[entry.id] ?? 0, automatic: entry.automatic))
                },
                allDay: dayEntries.filter(\.allDay).map(\.title), blocks: blockViews))
        }
        let target = try await TimeQueries(db: req.db).target(of: context.id)
        let share = ledger.instructionalShare
        let totals = categories.compactMap { category -> WeekPage.CategoryTotal? in
            guard let minutes = ledger.minutesByCategory[category.key], minutes > 0 else { return nil }
            return .init(name: category.name, hours: Hours.text(minutes: minutes), kind: category.instructional ? "instructional" : "management",
                         percent: Percent.whole(minutes / max(ledger.totalMinutes, 1)))
        }
        let sunday = DisplayTime.isoDay(monday, plus: 6)
        return try await req.view.render("time/week", WeekPage(
            page: PageContext(request: req, title: context.canEdit ? "My time" : "Time: \(context.leader.displayName)"),
            leaderId: context.id, leaderName: context.leader.displayName, canEdit: context.canEdit,
            weekLabel: "\(DisplayTime.shortDay(start + 43_200)) – \(DisplayTime.shortDay(DisplayTime.startOfDay(sunday) + 43_200))",
            previousWeek: DisplayTime.isoDay(monday, plus: -7), nextWeek: DisplayTime.isoDay(monday, plus: 7), thisWeek: DisplayTime.monday(of: today),
            days: days, share: Percent.text(share), sharePercent: Percent.whole(share ?? 0),
            target: Percent.text(target), targetPercent: Percent.whole(target), metTarget: (share ?? 0) >= target - 1e-9,
            instructionalHours: Hours.text(minutes: ledger.instructionalMinutes), totalHours: Hours.text(minutes: ledger.totalMinutes), totals: totals,
            blocksKept: kept, blocksPast: past,
            categories: categories.map { SelectOption(value: $0.key, label: "\($0.name) (\($0.instructional ? "instructional" : "management"))") },
            blockSettings: blocks.map { .init(id: $0.id!, label: $0.label, when: "\(Self.weekdayNames[$0.weekday - 1])s \(Self.clockText($0.startMinute))–\(Self.clockText($0.endMinute))") },
            weekdays: Self.weekdayNames.prefix(5).enumerated().map { SelectOption(value: String($0.offset + 1), label: $0.element) },
            notice: req.takeNotice()))
    }

    /// "9:30 AM" from minutes after midnight.
    static func clockText(_ minute: Int) -> String {
        let hour = minute / 60, suffix = hour >= 12 ? "PM" : "AM"
        return "\(hour % 12 == 0 ? 12 : hour % 12):\(String(format: "%02d", minute % 60)) \(suffix)"
    }

    /// "14:30" → minutes after midnight.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else { return nil }
        return parts[0] * 60 + parts[1]
    }

    func backToWeek(_ req: Request, _ context: LeaderContext, day: String? = nil, notice: String? = nil) -> Response {
        var path = "/time/\(context.id.urlQueryEncoded)"
        var query: [String] = []
        if let day { query.append("week=\(day)") }
        if let notice { req.leaveNotice(notice) }
        if !query.isEmpty { path += "?" + query.joined(separator: "&") }
        return req.redirect(to: path)
    }
}
