/// Kinds of classroom visit.
public enum VisitType: String, Sendable, CaseIterable, Codable {
    case informal, coaching, peer, rounds

    public var label: String {
        switch self {
        case .informal: "Informal walkthrough"
        case .coaching: "Coaching visit"
        case .peer: "Peer visit"
        case .rounds: "Instructional rounds"
        }
    }
}

/// A walkthrough as the capture page sends it. The id is made on the device, so a walkthrough
/// saved offline and sent twice is still one walkthrough.
public struct WalkthroughSubmission: Sendable, Codable, Equatable {
    public struct Mark: Sendable, Codable, Equatable {
        public var indicator: String
        public var mark: String
        /// Look-fors ticked, as their text in the framework version used.
        public var lookFors: [String]

        public init(indicator: String, mark: String, lookFors: [String] = []) {
            self.indicator = indicator; self.mark = mark; self.lookFors = lookFors
        }
    }

    public struct Note: Sendable, Codable, Equatable {
        /// Seconds since 1970, taken on the device when the note was added.
        public var at: Double
        public var text: String

        public init(at: Double, text: String) { self.at = at; self.text = text }
    }

    public var id: String
    public var teacherId: String
    public var classId: String?
    public var visitType: VisitType
    public var announced: Bool
    /// Seconds since 1970, when the visit started.
    public var observedAt: Double
    public var studentsOnTask: Int?
    public var studentsPresent: Int?
    public var marks: [Mark]
    public var notes: [Note]
    public var glow: String
    public var grow: String
    public var question: String
    /// Share the feedback with the teacher now, or keep it as a draft to share later.
    public var share: Bool

    public init(id: String, teacherId: String, classId: String? = nil, visitType: VisitType = .informal, announced: Bool = false,
                observedAt: Double, studentsOnTask: Int? = nil, studentsPresent: Int? = nil, marks: [Mark], notes: [Note] = [],
                glow: String = "", grow: String = "", question: String = "", share: Bool = true) {
        self.id = id; self.teacherId = teacherId; self.classId = classId; self.visitType = visitType; self.announced = announced
        self.observedAt = observedAt; self.studentsOnTask = studentsOnTask; self.studentsPresent = studentsPresent
        self.marks = marks; self.notes = notes; self.glow = glow; self.grow = grow; self.question = question; self.share = share
    }

    /// Checks the submission against the framework it is marked on.
    /// - Parameter now: the server's clock; visits more than a day in the future are refused.
    public func validate(against framework: Framework, now: Double) throws(LodestarError) {
        func fail(_ field: String, _ message: String) -> LodestarError {
            LodestarError(message, at: FileLocation(file: "walkthrough", field: field))
        }
        guard Self.isUUID(id) else { throw fail("id", "the walkthrough id must be a UUID made by the device") }
        guard !teacherId.isEmpty else { throw fail("teacherId", "choose the teacher you visited") }
        guard observedAt > 946_684_800, observedAt < now + 86_400 else { throw fail("observedAt", "the visit time is not a plausible date") }
        if let onTask = studentsOnTask, let present = studentsPresent {
            guard present >= 0, present <= 200, onTask >= 0, onTask <= present else {
                throw fail("studentsOnTask", "students on task must be between 0 and the number present")
            }
        } else if studentsOnTask != nil || studentsPresent != nil {
            throw fail("studentsPresent", "give both students on task and students present, or neither")
        }
        guard !marks.isEmpty else { throw fail("marks", "mark at least one indicator") }
        var seen: Set<String> = []
        for (index, mark) in marks.enumerated() {
            guard let indicator = framework.indicator(mark.indicator) else {
                throw fail("marks[\(index)].indicator", "“\(mark.indicator)” is not an indicator of \(framework.name)")
            }
            guard seen.insert(mark.indicator).inserted else { throw fail("marks[\(index)].indicator", "\(indicator.shortName) is marked twice") }
            guard framework.scale.marks.contains(mark.mark) else {
                throw fail("marks[\(index)].mark", "expected one of \(framework.scale.marks.joined(separator: ", ")), found “\(mark.mark)”")
            }
            for lookFor in mark.lookFors where !indicator.lookFors.contains(lookFor) {
                throw fail("marks[\(index)].lookFors", "“\(lookFor)” is not a look-for of \(indicator.shortName)")
            }
        }
        for (index, note) in notes.enumerated() where note.text.count > 4_000 {
            throw fail("notes[\(index)]", "a note can have at most 4,000 characters")
        }
        for (field, text) in [("glow", glow), ("grow", grow), ("question", question)] where text.count > 4_000 {
            throw fail(field, "at most 4,000 characters")
        }
        if share && glow.trimmed.isEmpty && grow.trimmed.isEmpty && question.trimmed.isEmpty {
            throw fail("glow", "write a glow, a grow or a question before sharing feedback, or save without sharing")
        }
    }

    static func isUUID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12]
            && parts.allSatisfy { $0.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) } }
    }
}

extension Framework {
    /// The reflective question offered after marking: the first question of the first marked indicator
    /// (in framework order) that was seen, else of the first marked at all. The observer can edit it.
    public func suggestedQuestion(for marks: [WalkthroughSubmission.Mark]) -> String? {
        let marked = Dictionary(marks.map { ($0.indicator, $0.mark) }, uniquingKeysWith: { first, _ in first })
        let inOrder = indicators.filter { marked[$0.key] != nil && marked[$0.key] != "not_applicable" }
        let seen = inOrder.first { scale.isSeen(marked[$0.key]!) }
        return (seen ?? inOrder.first)?.questions.first
    }
}
