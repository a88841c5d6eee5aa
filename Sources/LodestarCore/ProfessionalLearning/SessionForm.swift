import Foundation

/// The form that plans a professional learning session, checked without a database: a title, a day with a
/// start before the end, materials that are web links, one look-for per line, standard codes listed by
/// comma, space or semicolon, and every text cut to the length the district stores. What needs the
/// district's data — the facilitator, the linked need, whether the standards exist — the server checks.
public struct SessionForm: Codable, Sendable, Equatable {
    public var scope: String
    public var title: String
    public var series: String?
    public var needId: String?
    public var facilitatorId: String
    public var audience: String?
    public var day: String
    public var startTime: String
    public var endTime: String
    public var location: String?
    public var materials: String?
    public var lookFors: String?
    public var indicators: [String]?
    /// Standard codes, separated by commas or spaces.
    public var standards: String?

    public init(scope: String, title: String, facilitatorId: String, day: String, startTime: String, endTime: String) {
        self.scope = scope; self.title = title; self.facilitatorId = facilitatorId
        self.day = day; self.startTime = startTime; self.endTime = endTime
    }

    /// What the form says once checked: trimmed, cut to length, lists split.
    public struct Checked: Sendable, Equatable {
        public var title: String
        public var series: String
        public var audience: String
        public var location: String
        public var day: String
        public var startTime: String
        public var endTime: String
        public var materials: [String]
        public var lookFors: [String]
        public var standardCodes: [String]
        public var needId: String?
    }

    public func checked() throws -> Checked {
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw LodestarError("Give the session a title.") }
        guard ISODay.number(day) != nil, let start = Self.minute(startTime), let end = Self.minute(endTime) else {
            throw LodestarError("Give the day and the start and end times.")
        }
        guard end > start else { throw LodestarError("The session must end after it starts.") }
        let materials = Self.lines(materials)
        for link in materials where !(link.hasPrefix("https://") || link.hasPrefix("http://")) {
            throw LodestarError("Materials are links, one per line, starting with https:// (“\(link.prefix(60))” is not).")
        }
        var codes: [String] = []
        for code in (standards ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init) where !codes.contains(code) {
            codes.append(code)
        }
        let need = needId.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        return Checked(title: String(title.prefix(200)), series: Self.text(series, limit: 200), audience: Self.text(audience, limit: 300),
                       location: Self.text(location, limit: 200), day: day, startTime: startTime, endTime: endTime,
                       materials: materials, lookFors: Self.lines(lookFors), standardCodes: codes, needId: need)
    }

    /// "08:30" → minutes after midnight; nil unless a real time of day.
    static func minute(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return hour * 60 + minute
    }

    static func text(_ value: String?, limit: Int) -> String { String((value ?? "").trimmingCharacters(in: .whitespaces).prefix(limit)) }

    static func lines(_ value: String?) -> [String] {
        (value ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
