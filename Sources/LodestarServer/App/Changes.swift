import Fluent
import LodestarCore

/// What a write changed. A writer announces it inside its own transaction (`db.announce(_:)`), and whatever
/// is derived from that data or points at it — the monthly rollups Insights keeps for its dashboards, the
/// coaching conversations that name a visit, the notifications people receive — follows in the same transaction, so a dashboard never
/// disagrees with the records. Writers say what happened; they do not
/// know who listens, and the listeners never call back into the writer's feature.
enum Change {
    /// Walkthroughs were saved (sent together, written in one transaction), each taken on its framework with its
    /// marks (indicator → mark).
    case walkthroughsAdded([(walkthrough: Walkthrough, framework: Framework, marks: [String: String])])
    /// Walkthroughs are about to be edited or deleted: announce before the change, while their rows are old.
    case walkthroughsLeaving([String])
    /// Walkthroughs are being deleted: announce after `walkthroughsLeaving`, before their rows go.
    case walkthroughsDeleting([String])
    /// Walkthroughs were edited: announce after the change.
    case walkthroughsEdited([String])
    /// Walkthroughs were loaded in bulk (the demo district): everything derived from them is recomputed.
    case walkthroughsLoaded
    /// Scores of these students changed, on these standards (nil: any standard); by an import, with what it wrote.
    case scoresChanged(students: [String], standards: [String]?, imported: ImportedScores? = nil)
    /// Scores were loaded in bulk: everything derived from them is recomputed, with what the load wrote.
    case scoresLoaded(imported: ImportedScores)
    /// These students' school, grade or groups changed in the roster.
    case studentsMoved([String])
    /// A mastery method or scale changed, so every standing is read again.
    case masteryRulesChanged
    /// Feedback on a walkthrough was shared with its teacher after it was saved, or shared feedback was edited.
    /// (Feedback shared as the walkthrough is saved comes with `walkthroughsAdded`.)
    case feedbackShared(Walkthrough, edited: Bool)
    /// Shared feedback was taken back: the walkthrough is a draft again.
    case feedbackTakenBack(Walkthrough)
    /// Someone replied to a walkthrough's feedback.
    case replied(FeedbackReply, on: Walkthrough)
    /// An announced visit was planned.
    case visitPlanned(ScheduledVisit)
    /// An action step was given to its owner (added, or its owner changed) by `by`; `link` is its goal's page.
    case stepAssigned(ActionStep, link: String, by: String)
    /// A professional-learning session was planned by `by`.
    case sessionPlanned(LearningSession, by: String)
    /// A professional-learning need was accepted by `by`; `scope` is a school's id or the district's.
    case needAccepted(LearningNeed, by: String)
    /// An import `by` started was refused (`refused`) or finished with `warnings`; `link` is its page.
    case importFinished(what: String, fileName: String, by: String, refused: Bool, warnings: Int, link: String)
}

extension Database {
    /// Call inside the write's transaction, with its `db`.
    func announce(_ change: Change) async throws {
        try await Rollups.follow(change, on: self)
        try await FeedbackDays.follow(change, on: self)
        try await CoachingQueries(db: self).follow(change)
        try await NotificationQueries(db: self).follow(change)
    }
}
