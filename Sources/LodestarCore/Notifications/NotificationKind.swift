/// What a notification is about. Each kind goes only to the people the event names (the teacher of a visit,
/// the owner of a step), so who receives one never depends on anyone's roles beyond that.
public enum NotificationKind: String, CaseIterable, Sendable, Codable {
    /// Feedback on a visit was shared with its teacher, or shared feedback was edited.
    case feedback
    /// Someone replied to feedback: the observer hears of the teacher's reply, the teacher of the observer's.
    case reply
    /// An announced visit was planned: the teacher hears beforehand.
    case visitPlanned = "visit_planned"
    /// An action step was assigned to someone, or given to a new owner.
    case stepAssigned = "step_assigned"
    /// An action step one owns is due within three days, or overdue: once each.
    case stepDue = "step_due"
    /// A coaching next step is due tomorrow: to the coach and the teacher.
    case coachingStepDue = "coaching_step_due"
    /// A professional-learning session was planned for one's school (or, for a district session, for its leaders).
    case sessionPlanned = "session_planned"
    /// A professional-learning need was accepted at a school one plans learning for.
    case needAccepted = "need_accepted"
    /// An import one started was refused, or finished with warnings.
    case importResult = "import_result"
    /// A school leader's Monday summary (an email only; "in a daily email" means the same as "at once").
    case weeklySummary = "weekly_summary"

    /// As the email choices and the unsubscribe page name it (after "email about").
    public var label: String {
        switch self {
        case .feedback: "feedback on visits to your class"
        case .reply: "replies to feedback"
        case .visitPlanned: "announced visits planned to your class"
        case .stepAssigned: "action steps given to you"
        case .stepDue: "action steps of yours due soon or overdue"
        case .coachingStepDue: "coaching next steps due tomorrow"
        case .sessionPlanned: "professional-learning sessions planned for your school"
        case .needAccepted: "learning needs accepted where you plan learning"
        case .importResult: "imports you started that were refused, gave warnings, or ended after you left their page"
        case .weeklySummary: "the Monday summary of your school"
        }
    }

    /// Unless a person chooses otherwise: what a teacher waits for comes at once; a reply can wait for the
    /// day's digest, since an observer with many teachers would otherwise get a message for each.
    public var defaultDelivery: Delivery {
        switch self {
        case .feedback, .visitPlanned, .stepAssigned, .coachingStepDue, .importResult, .weeklySummary: .immediately
        case .reply, .stepDue, .sessionPlanned, .needAccepted: .dailyDigest
        }
    }
}

/// How a person hears of one kind of notification by email. Every notification is also on the
/// notifications page, whatever this says.
public enum Delivery: String, CaseIterable, Sendable, Codable {
    case immediately
    case dailyDigest = "daily_digest"
    case off

    public var label: String {
        switch self {
        case .immediately: "Email at once"
        case .dailyDigest: "In a daily email"
        case .off: "No email"
        }
    }
}
