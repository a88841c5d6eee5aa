import Fluent
import Foundation
import LodestarCore
import Vapor

/// What every insight page is about: one school or (for district roles) all schools the viewer may
/// see, and a span of months (this school year so far unless chosen).
struct InsightsScope {
    /// The chosen school; "" for all schools.
    let school: String
    /// The schools the viewer may see, by name.
    let schools: [Org]
    let seesDistrict: Bool
    let fromMonth: String
    let throughMonth: String

    /// nil for every school.
    var schoolIds: [String]? { school.isEmpty ? nil : [school] }
    var schoolName: String { schools.first { $0.id == school }?.name ?? "All schools" }

    static func load(_ req: Request) async throws -> InsightsScope {
        let viewer = try await req.viewer()
        let visible = try await RosterQueries(req.db).schoolOrgs()
            .filter { viewer.policy.canViewTrends(ofSchool: $0.id!) }
        try req.require(!visible.isEmpty)
        let seesDistrict = viewer.policy.seesWholeDistrict
        var school = (try? req.query.get(String.self, at: "school")) ?? ""
        if !seesDistrict && school.isEmpty { school = visible[0].id! }
        if !school.isEmpty { try req.require(visible.contains { $0.id == school }) }
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let from = (try? req.query.get(String.self, at: "from")).flatMap(month) ?? String(DisplayTime.schoolYearStart(of: today).prefix(7))
        let through = (try? req.query.get(String.self, at: "through")).flatMap(month) ?? String(today.prefix(7))
        return InsightsScope(school: school, schools: visible, seesDistrict: seesDistrict, fromMonth: from, throughMonth: max(from, through))
    }

    /// "2026-09" when the text is a month.
    static func month(_ text: String) -> String? {
        ISODay.number(text + "-01") != nil ? text : nil
    }

    /// "Sep 2026": with the year in full, so a month is never read as a day ("SEP 26").
    static func label(month: String) -> String {
        "\(ChartTime.monthNames[(Int(month.suffix(2)) ?? 1) - 1]) \(month.prefix(4))"
    }

    /// The month after "2026-12": "2027-01".
    static func month(after month: String) -> String {
        String(ISODay.adding(32, to: month + "-01").prefix(7))
    }

    /// The months from the first to the last, at most three years.
    var months: [String] { Self.months(from: fromMonth, through: throughMonth) }

    /// The months from `first` to `last` ("2026-09"), at most three years.
    static func months(from first: String, through last: String) -> [String] {
        var months: [String] = []
        var month = first
        while month <= last, months.count < 36 {
            months.append(month)
            month = self.month(after: month)
        }
        return months
    }

    /// The school choices for a filter: "All schools" for district roles, then each school.
    var schoolOptions: [SelectOption] {
        (seesDistrict ? [SelectOption(value: "", label: "All schools", selected: school.isEmpty)] : [])
            + schools.map { SelectOption(value: $0.id!, label: $0.name, selected: $0.id == school) }
    }

    /// The query string for this scope and a page's filters.
    func query(_ extra: [String: String] = [:]) -> String {
        var fields = ["school": school, "from": fromMonth, "through": throughMonth]
        fields.merge(extra) { $1 }
        return fields.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
    }
}
