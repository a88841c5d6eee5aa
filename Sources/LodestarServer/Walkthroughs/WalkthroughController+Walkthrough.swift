import Fluent
import Foundation
import LodestarCore
import Vapor

extension WalkthroughController {
    // MARK: One walkthrough

    struct ShowPage: Encodable {
        struct MarkItem: Encodable { let domain: String; let indicator: String; let mark: String; let seen: Bool; let lookFors: [String] }
        struct NoteItem: Encodable { let time: String; let text: String }
        struct ReplyItem: Encodable { let author: String; let when: String; let body: String; let mine: Bool }
        let page: PageContext
        let id: String
        let teacherName: String
        /// The teacher's page, for those who may open it.
        let teacherHref: String?
        let observerName: String
        let classTitle: String
        let visitType: String
        let announced: Bool
        let when: String
        let engagement: String?
        let frameworkName: String
        let marks: [MarkItem]
        let notes: [NoteItem]
        let glow: String
        let grow: String
        let question: String
        let shared: Bool
        let sharedWhen: String?
        let canShare: Bool
        let canReply: Bool
        let isTeacher: Bool
        /// For the coach who made the visit: where to record the coaching conversation.
        let coachingLink: String?
        let replies: [ReplyItem]
        /// For the observer: what they may still change.
        let isObserver: Bool
        let canUnshare: Bool
        let unshareHours: Int
        /// "Edited Tuesday, December 1, 3:05 PM" when shared feedback was changed after the teacher was shown it.
        let edited: String?
        let notice: String?
        /// For the observer: library resources on the visit's practices, to share with the teacher with the feedback.
        struct Suggestion: Encodable { let id: String; let title: String; let kind: String }
        let suggestions: [Suggestion]
        let teacherId: String
    }

    /// The walkthrough if `viewer` may see it: its observer, its teacher once shared, and those who see the teacher's walkthroughs.
    func visible(_ req: Request, _ viewer: Viewer) async throws -> Walkthrough {
        guard let walkthrough = try await Walkthrough.find(try req.parameters.require("id"), on: req.db) else { throw LodestarError.notFound }
        // A teacher's own visit not yet shared does not exist for them; anyone else is refused.
        guard try await WalkthroughQueries(db: req.db).mayOpen(walkthrough, viewer: viewer) else {
            throw walkthrough.teacherId == viewer.id ? LodestarError.notFound : LodestarError.forbidden
        }
        return walkthrough
    }

    func show(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let walkthrough = try await visible(req, viewer)
        if walkthrough.teacherId == viewer.id, walkthrough.readAt == nil {
            walkthrough.readAt = Int(Date().timeIntervalSince1970)
            try await req.db.writeTransaction { db in try await walkthrough.save(on: db) }
        }
        let framework = try await FrameworkStore.framework(id: walkthrough.frameworkId, on: req.db) ?? .lodestarDefault
        let marks = try await IndicatorMark.query(on: req.db).filter(\.$walkthroughId == walkthrough.id!).all()
        let markByKey = Dictionary(marks.map { ($0.indicatorKey, $0) }, uniquingKeysWith: { first, _ in first })
        let markItems: [ShowPage.MarkItem] = framework.domains.flatMap { domain in
            domain.indicators.compactMap { indicator in
                markByKey[indicator.key].map {
                    ShowPage.MarkItem(domain: domain.name, indicator: indicator.shortName, mark: framework.scale.label($0.mark),
                                      seen: framework.scale.isSeen($0.mark), lookFors: $0.lookFors.split(separator: "\n").map(String.init))
                }
            }
        }
        let notes = (try? JSONDecoder().decode([WalkthroughSubmission.Note].self, from: Data(walkthrough.notes.utf8))) ?? []
        let names = try await StaffDirectory(db: req.db).people(ids: [walkthrough.teacherId, walkthrough.observerId])
        let name = { (id: String) in names.first { $0.id == id }?.displayName ?? "Former staff member" }
        let replies = try await FeedbackReply.query(on: req.db).filter(\.$walkthroughId == walkthrough.id!).sort(\.$createdAt).all()
        let authors = try await StaffDirectory(db: req.db).people(ids: Set(replies.map(\.authorId)))
        let schoolClass = try await walkthrough.classId.asyncMap { try await RosterQueries(req.db).schoolClass($0) } ?? nil
        var engagement: String?
        if let onTask = walkthrough.studentsOnTask, let present = walkthrough.studentsPresent {
            engagement = "\(onTask) of \(present) students on task"
        }
        let isObserver = walkthrough.observerId == viewer.id, isTeacher = walkthrough.teacherId == viewer.id
        let teacherSchools = try await StaffDirectory(db: req.db).teachingSchools(of: walkthrough.teacherId)
        let onCaseload = try await CoachingQueries(db: req.db).isOnCaseload(coach: viewer.id, teacher: walkthrough.teacherId)
        let teacherHref = !teacherSchools.isEmpty && viewer.policy.canViewTeacher(at: teacherSchools, isSelf: isTeacher, onCaseload: onCaseload)
            ? "/teachers/\(walkthrough.teacherId.urlQueryEncoded)" : nil
        // Practices not seen come first: what the feedback's "grow" is most likely about.
        let practices = marks.sorted { !framework.scale.isSeen($0.mark) && framework.scale.isSeen($1.mark) }.map(\.indicatorKey)
        let suggestions = isObserver && !teacherSchools.isEmpty && viewer.policy.canShareResource(withTeacherAt: teacherSchools, onCaseload: onCaseload)
            ? try await LibraryQueries(db: req.db).suggestions(practices: practices, standards: [], schools: teacherSchools) : []
        return try await req.view.render("walkthroughs/show", ShowPage(
            page: PageContext(request: req, title: "Walkthrough of \(name(walkthrough.teacherId))"), id: walkthrough.id!,
            teacherName: name(walkthrough.teacherId), teacherHref: teacherHref, observerName: name(walkthrough.observerId),
            classTitle: schoolClass?.title ?? "", visitType: VisitType(rawValue: walkthrough.visitType)?.label ?? walkthrough.visitType,
            announced: walkthrough.announced, when: DisplayTime.dateTime(walkthrough.observedAt), engagement: engagement,
            frameworkName: framework.name, marks: markItems,
            notes: notes.map { .init(time: DisplayTime.dateTime(Int($0.at)), text: $0.text) },
            glow: walkthrough.glow, grow: walkthrough.grow, question: walkthrough.question,
            shared: walkthrough.sharedAt != nil, sharedWhen: walkthrough.sharedAt.map(DisplayTime.dateTime),
            canShare: isObserver && walkthrough.sharedAt == nil, canReply: (isObserver || isTeacher) && walkthrough.sharedAt != nil,
            isTeacher: isTeacher,
            coachingLink: isObserver && walkthrough.visitType == VisitType.coaching.rawValue
                ? "/coaching/teachers/\(walkthrough.teacherId.urlQueryEncoded)?walkthrough=\(walkthrough.id!.urlQueryEncoded)" : nil,
            replies: replies.map { reply in
                .init(author: authors.first { $0.id == reply.authorId }?.displayName ?? "Former staff member",
                      when: DisplayTime.dateTime(reply.createdAt), body: reply.body, mine: reply.authorId == viewer.id)
            },
            isObserver: isObserver, canUnshare: isObserver ? try await WalkthroughEditController.canUnshare(walkthrough, on: req.db) : false,
            unshareHours: WalkthroughEditController.unshareHours, edited: walkthrough.editedAt.map { "Edited " + DisplayTime.dateTime($0) },
            notice: req.takeNotice(),
            suggestions: suggestions.map { .init(id: $0.id!, title: $0.title, kind: $0.kind) }, teacherId: walkthrough.teacherId))
    }

    func share(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let walkthrough = try await visible(req, viewer)
        try req.require(walkthrough.observerId == viewer.id)
        if walkthrough.sharedAt == nil {
            guard !(walkthrough.glow.isEmpty && walkthrough.grow.isEmpty && walkthrough.question.isEmpty) else {
                throw LodestarError("This walkthrough has no feedback to share yet.")
            }
            walkthrough.sharedAt = Int(Date().timeIntervalSince1970)
            try await req.db.writeTransaction { db in
                try await walkthrough.save(on: db)
                try await db.announce(.feedbackShared(walkthrough, edited: false))
            }
        }
        return req.redirect(to: "/walkthroughs/\(walkthrough.id!)")
    }

    struct ReplyForm: Content { var body: String }

    func reply(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let walkthrough = try await visible(req, viewer)
        try req.require((walkthrough.observerId == viewer.id || walkthrough.teacherId == viewer.id) && walkthrough.sharedAt != nil)
        let body = try req.content.decode(ReplyForm.self).body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty, body.count <= 4_000 else { throw LodestarError("Write a reply of up to 4,000 characters.") }
        let reply = FeedbackReply()
        reply.id = UUID().uuidString.lowercased()
        reply.walkthroughId = walkthrough.id!
        reply.authorId = viewer.id
        reply.body = body
        reply.createdAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in
            try await reply.create(on: db)
            if reply.authorId == walkthrough.teacherId { try await WalkthroughQueries(db: db).recountTeacherReplies([walkthrough.id!]) }
            try await db.announce(.replied(reply, on: walkthrough))
        }
        return req.redirect(to: "/walkthroughs/\(walkthrough.id!)#replies")
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
