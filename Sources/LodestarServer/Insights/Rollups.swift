import Fluent
import LodestarCore

/// Insights' listener: keeps its rollup tables (`IndicatorRollup` for walkthrough marks, `MasteryRollup` for
/// monthly standings) equal to a rebuild from the records, change by change. Only this file and the
/// `rollups rebuild` command touch them from outside their own files.
enum Rollups {
    static func follow(_ change: Change, on db: any Database) async throws {
        switch change {
        case .walkthroughsAdded(let added):
            try await IndicatorRollup.add(added, on: db)
        case .walkthroughsLeaving(let ids):
            try await IndicatorRollup.remove(walkthroughs: ids, on: db)
        case .walkthroughsEdited(let ids):
            try await IndicatorRollup.add(walkthroughs: ids, on: db)
        case .walkthroughsLoaded:
            try await IndicatorRollup.recompute(on: db)
        case .scoresChanged(let students, let standards, let imported):
            try await MasteryRollup.refresh(students: students, standards: standards, imported: imported, on: db)
        case .scoresLoaded(let imported):
            try await MasteryRollup.recompute(imported: imported, on: db)
        case .masteryRulesChanged:
            try await MasteryRollup.recompute(on: db)
        case .studentsMoved(let students):
            try await MasteryRollup.reattribute(students: students, on: db)
        case .walkthroughsDeleting, .feedbackShared, .feedbackTakenBack, .replied, .visitPlanned, .stepAssigned, .sessionPlanned, .needAccepted, .importFinished:
            break
        }
    }

    /// Both rollups recomputed from every record, one transaction each (`lodestar rollups rebuild`).
    static func rebuildAll(on db: any Database) async throws {
        try await IndicatorRollup.rebuild(on: db)
        try await MasteryRollup.rebuild(on: db)
    }
}
