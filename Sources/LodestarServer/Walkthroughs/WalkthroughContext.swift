import Fluent
import LodestarCore
import SQLKit

/// Each walkthrough keeps the grade band and subject of its class as they were at the visit, so trends
/// do not shift when a roster changes later.
enum WalkthroughContext {
    /// Fills grade band and subject for walkthroughs with a class and none set yet.
    static func backfill(on db: any Database) async throws {
        let sql = db.sql
        let classIds = try await sql.raw("SELECT DISTINCT class_id FROM walkthroughs WHERE class_id IS NOT NULL AND grade_band = '' AND subject = ''").all()
            .map { try $0.decode(column: "class_id", as: String.self) }
        var byContext: [[String]: [String]] = [:]
        for batch in classIds.chunks(of: 1_000) {
            for schoolClass in try await RosterQueries(db).schoolClasses(batch) {
                let band = ClassContext.gradeBand(ClassContext.list(schoolClass.grades))
                let subject = ClassContext.subject(ClassContext.list(schoolClass.subjects))
                byContext[[band, subject], default: []].append(schoolClass.id!)
            }
        }
        for (context, ids) in byContext where context != ["", ""] {
            for chunk in ids.chunks(of: 5_000) {
                try await sql.raw("""
                    UPDATE walkthroughs SET grade_band = \(bind: context[0]), subject = \(bind: context[1])
                    WHERE class_id IN (\(binds: chunk)) AND grade_band = '' AND subject = ''
                    """).run()
            }
        }
    }
}
