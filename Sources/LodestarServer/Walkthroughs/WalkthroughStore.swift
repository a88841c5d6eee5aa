import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Saves walkthroughs from the capture page. Saving the same id twice gives one walkthrough.
enum WalkthroughStore {
    enum Outcome: String, Codable { case created, alreadySaved = "already_saved" }

    /// A walkthrough checked and ready to write, with what it was taken on.
    struct Ready: Sendable {
        let walkthrough: Walkthrough
        let framework: Framework
        let marks: [WalkthroughSubmission.Mark]
    }

    /// Walkthroughs that arrive together are written together (`GroupCommit`): a hundred at most, whose marks make
    /// well under the statement limits of both databases.
    static func groupCommit() -> GroupCommit<Ready> {
        GroupCommit(largest: 100) { group, db in try await write(group, on: db) }
    }

    /// Checks a submission and saves it, with others sent at the same moment when `together` is given (the web);
    /// without it, in its own transaction (the demo loader).
    static func save(_ submission: WalkthroughSubmission, by viewer: Viewer, on db: any Database,
                     together writes: GroupCommit<Ready>? = nil) async throws -> Outcome {
        let id = submission.id.lowercased()
        if let observer = try await db.sql.raw("SELECT observer_id FROM walkthroughs WHERE id = \(bind: id)").first()?.decode(column: "observer_id", as: String.self) {
            guard observer == viewer.id else {
                throw LodestarError("another walkthrough already has the id \(id); reload the capture page")
            }
            return .alreadySaved
        }
        let (frameworkId, framework) = try await FrameworkStore.active(on: db)
        let now = Date().timeIntervalSince1970
        try submission.validate(against: framework, now: now)

        let teacherSchools = try await StaffDirectory(db: db).teachingSchools(of: submission.teacherId)
        guard !teacherSchools.isEmpty else { throw LodestarError(.notFound, "that person is not a teacher in Lodestar") }
        let onCaseload = try await CoachingQueries(db: db).isOnCaseload(coach: viewer.id, teacher: submission.teacherId)
        try requireAccess(viewer.policy.canObserve(teacherAt: teacherSchools, visitType: submission.visitType, onCaseload: onCaseload)
                          && submission.teacherId != viewer.id)

        var schoolId = teacherSchools.sorted().first!
        var (gradeBand, subject) = ("", "")
        if let classId = submission.classId {
            guard let taught = try await RosterQueries(db).taughtClass(staffId: submission.teacherId, classId: classId) else {
                throw LodestarError("that class is not one the teacher teaches", at: FileLocation(file: "walkthrough", field: "classId"))
            }
            schoolId = taught.schoolId
            gradeBand = ClassContext.gradeBand(ClassContext.list(taught.grades))
            subject = ClassContext.subject(ClassContext.list(taught.subjects))
        }

        let walkthrough = Walkthrough()
        walkthrough.id = id
        walkthrough.frameworkId = frameworkId
        walkthrough.observerId = viewer.id
        walkthrough.teacherId = submission.teacherId
        walkthrough.classId = submission.classId
        walkthrough.schoolId = schoolId
        walkthrough.gradeBand = gradeBand
        walkthrough.subject = subject
        walkthrough.visitType = submission.visitType.rawValue
        walkthrough.announced = submission.announced
        walkthrough.observedAt = Int(submission.observedAt)
        walkthrough.studentsOnTask = submission.studentsOnTask
        walkthrough.studentsPresent = submission.studentsPresent
        walkthrough.glow = submission.glow.trimmingCharacters(in: .whitespacesAndNewlines)
        walkthrough.grow = submission.grow.trimmingCharacters(in: .whitespacesAndNewlines)
        walkthrough.question = submission.question.trimmingCharacters(in: .whitespacesAndNewlines)
        walkthrough.notes = String(decoding: try JSONEncoder().encode(submission.notes), as: UTF8.self)
        walkthrough.sharedAt = submission.share ? Int(now) : nil
        walkthrough.createdAt = Int(now)
        let ready = Ready(walkthrough: walkthrough, framework: framework, marks: submission.marks)
        do {
            if let writes { try await writes.submit(ready, on: db) } else { try await db.writeTransaction { db in try await write([ready], on: db) } }
        } catch {
            // Two copies of one queued walkthrough can arrive together: the second finds the first.
            if let existing = try await Walkthrough.find(id, on: db), existing.observerId == viewer.id { return .alreadySaved }
            throw error
        }
        return .created
    }

    /// Every column of the model, in the order `write` inserts them (a test holds them equal to `Walkthrough.keys`, so a
    /// field added to the model cannot be left out).
    static let columns = ["id", "framework_id", "observer_id", "teacher_id", "class_id", "school_id", "grade_band", "subject", "visit_type", "announced",
                          "observed_at", "students_on_task", "students_present", "glow", "grow", "question", "notes", "shared_at", "read_at",
                          "created_at", "edited_at"]

    /// Writes walkthroughs in three statements however many there are — the walkthroughs, their marks (in
    /// statements of 500), the rollups — and what their changes call for.
    private static func write(_ group: [Ready], on db: any Database) async throws {
        // By SQLKit, not Fluent's `create`, whose reflection over each model was 7 % of the server's time under load.
        let visits = db.sql.insert(into: Walkthrough.schema).columns(columns)
        for visit in group.map(\.walkthrough) {
            visits.values(SQLBind(visit.id!), SQLBind(visit.frameworkId), SQLBind(visit.observerId), SQLBind(visit.teacherId), SQLBind(visit.classId),
                          SQLBind(visit.schoolId), SQLBind(visit.gradeBand), SQLBind(visit.subject), SQLBind(visit.visitType), SQLBind(visit.announced),
                          SQLBind(visit.observedAt), SQLBind(visit.studentsOnTask), SQLBind(visit.studentsPresent), SQLBind(visit.glow),
                          SQLBind(visit.grow), SQLBind(visit.question), SQLBind(visit.notes), SQLBind(visit.sharedAt), SQLBind(visit.readAt),
                          SQLBind(visit.createdAt), SQLBind(visit.editedAt))
        }
        try await visits.run()
        let marks = group.flatMap { ready in ready.marks.map { (ready.walkthrough.id!, $0) } }
        for batch in marks.chunks(of: 500) {
            let insert = db.sql.insert(into: IndicatorMark.schema).columns("id", "walkthrough_id", "indicator_key", "mark", "look_fors")
            for (id, mark) in batch {
                insert.values(SQLBind("\(id)|\(mark.indicator)"), SQLBind(id), SQLBind(mark.indicator), SQLBind(mark.mark),
                              SQLBind(mark.lookFors.joined(separator: "\n")))
            }
            try await insert.run()
        }
        try await db.announce(.walkthroughsAdded(group.map { ready in
            (ready.walkthrough, ready.framework, Dictionary(ready.marks.map { ($0.indicator, $0.mark) }, uniquingKeysWith: { _, last in last }))
        }))
    }

    private static func requireAccess(_ allowed: Bool) throws {
        guard allowed else { throw LodestarError(.forbidden, "Your roles do not let you visit this teacher.") }
    }
}

struct WalkthroughWritesKey: StorageKey { typealias Value = GroupCommit<WalkthroughStore.Ready> }

extension Application {
    /// Walkthroughs sent at the same moment, written together; made in `configure`, before requests arrive.
    var walkthroughWrites: GroupCommit<WalkthroughStore.Ready> {
        get { storage[WalkthroughWritesKey.self]! }
        set { storage[WalkthroughWritesKey.self] = newValue }
    }
}
