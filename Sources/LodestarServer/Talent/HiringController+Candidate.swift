import Fluent
import Foundation
import LodestarCore
import Vapor

/// A candidate: at each step every committee member rates every criterion with evidence, and sees the others'
/// ratings of that step only once their own are in; the aggregate shows the spread; the decision and its reason
/// are recorded and audited; the record can be exported and deleted on request.
extension HiringController {
    struct CandidatePage: Encodable {
        struct Criterion: Encodable { let key: String; let name: String; let descriptor: String; let level: String; let evidence: String }
        struct Aggregate: Encodable { let name: String; let spread: String; let wide: Bool; let ratings: [String] }
        struct Step: Encodable {
            let number: Int; let name: String; let rated: String; let mineDone: Bool; let seesOthers: Bool
            let form: [Criterion]; let aggregate: [Aggregate]
        }
        let page: PageContext
        let base: String
        let href: String
        let opening: String
        let name: String
        let email: String
        let phone: String
        let source: String
        let decision: String?
        let deletedOn: String
        let levels: [SelectOption]
        let steps: [Step]
        let canRate: Bool
        let runs: Bool
        let notice: String?
        let error: String?
    }

    private func candidate(_ context: OpeningContext, _ req: Request) async throws -> Candidate {
        guard let candidate = try await HiringQueries(db: req.db).candidate(try req.parameters.require("candidateId"), of: context.opening.id!) else {
            throw LodestarError.notFound
        }
        return candidate
    }

    func candidatePage(req: Request) async throws -> Response {
        try await renderCandidate(req, error: nil)
    }

    private func renderCandidate(_ req: Request, error: String?) async throws -> Response {
        let context = try await Self.context(req)
        let candidate = try await candidate(context, req)
        let ratings = try await HiringQueries(db: req.db).ratings(of: [candidate.id!])
        let names = try await Staff.names(of: ratings.map(\.memberId), on: req.db)
        let levels = HiringProfile.levels
        let steps = context.opening.steps.enumerated().map { number, name in
            let here = ratings.filter { $0.step == number }
            let mine = here.filter { $0.memberId == context.viewer.id }
            let mineDone = context.profile.criteria.allSatisfy { criterion in mine.contains { $0.criterionKey == criterion.key } }
            // Blind: a member sees the others' ratings of a step once their own are all in; those who run hiring without
            // sitting on the committee see them as they come.
            let seesOthers = mineDone || !context.isMember
            let counted = here.filter { context.committee.contains($0.memberId) }
            return CandidatePage.Step(
                number: number, name: name, rated: "\(Set(counted.map(\.memberId)).count) of \(context.committee.count) members have rated this step",
                mineDone: mineDone, seesOthers: seesOthers,
                form: context.profile.criteria.map { criterion in
                    let own = mine.first { $0.criterionKey == criterion.key }
                    return .init(key: criterion.key, name: criterion.name, descriptor: criterion.descriptor, level: own.map { String($0.level) } ?? "", evidence: own?.evidence ?? "")
                },
                aggregate: seesOthers ? context.profile.criteria.map { criterion in
                    let given = counted.filter { $0.criterionKey == criterion.key }
                    let spread = RatingSpread(given.map(\.level), levels: levels.count)
                    return .init(name: criterion.name, spread: spread.text, wide: spread.isWide,
                                 ratings: given.map { "\(names[$0.memberId] ?? "Former staff member"): \($0.level) · \(levels[$0.level - 1]). \($0.evidence)" })
                } : [])
        }
        let response = try await req.view.render("talent/candidate", CandidatePage(
            page: PageContext(request: req, title: "Candidate: \(candidate.name)"), base: context.base, href: "\(context.base)/candidates/\(candidate.id!)",
            opening: context.opening.title, name: candidate.name, email: candidate.email, phone: candidate.phone, source: candidate.source,
            decision: candidate.decision.map { "\($0.capitalizedFirst): \(candidate.decisionReason ?? "")" },
            deletedOn: DisplayTime.date(DisplayTime.isoDay(candidate.deleteAfter)),
            levels: levels.enumerated().map { .init(value: String($0.offset + 1), label: "\($0.offset + 1) · \($0.element)") }, steps: steps,
            canRate: context.isMember, runs: context.runs, notice: req.takeNotice(), error: error)).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    func rate(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.isMember)
        let candidate = try await candidate(context, req)
        let fields = try req.content.decode([String: String].self)
        guard let step = fields["step"].flatMap(Int.init), context.opening.steps.indices.contains(step) else {
            return try await renderCandidate(req, error: "Choose one of the opening's steps.")
        }
        var levels: [String: (level: Int, evidence: String)] = [:]
        for criterion in context.profile.criteria {
            let evidence = (fields["evidence_\(step)_\(criterion.key)"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard let level = fields["level_\(step)_\(criterion.key)"].flatMap(Int.init), (1...HiringProfile.levels.count).contains(level),
                  !evidence.isEmpty, evidence.count <= 2_000 else {
                return try await renderCandidate(req, error: "Rate every criterion and write what you saw or heard for each (up to 2,000 characters): “\(criterion.name)” is missing.")
            }
            levels[criterion.key] = (level, evidence)
        }
        try await HiringQueries(db: req.db).rate(candidate.id!, step: step, by: context.viewer.id, levels: levels)
        req.leaveNotice("Your ratings of \(context.opening.steps[step]) are saved. The committee's are now shown.")
        return req.redirect(to: "\(context.base)/candidates/\(candidate.id!)")
    }

    struct DecisionForm: Content { var decision: String; var reason: String }

    func decide(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.runs)
        let candidate = try await candidate(context, req)
        let form = try req.content.decode(DecisionForm.self)
        let reason = form.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let decision = Candidate.Decision(rawValue: form.decision), !reason.isEmpty, reason.count <= 2_000 else {
            return try await renderCandidate(req, error: "Choose the decision and give its reason (up to 2,000 characters).")
        }
        let now = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in
            try await Candidate.query(on: db).filter(\.$id == candidate.id!)
                .set(\.$decision, to: decision.rawValue).set(\.$decisionReason, to: reason).set(\.$decidedBy, to: context.viewer.id)
                .set(\.$decidedAt, to: now).set(\.$deleteAfter, to: now + DistrictSettings.candidateRetentionDays * 86_400).update()
            if decision == .hired {
                try await Opening.query(on: db).filter(\.$id == context.opening.id!).set(\.$status, to: "filled").set(\.$closedAt, to: now).update()
            }
            try await req.audit("hiring decision: \(decision.rawValue)", subject: "candidate \(candidate.id!)", on: db)
        }
        req.leaveNotice("The decision is recorded.")
        return req.redirect(to: "\(context.base)/candidates/\(candidate.id!)")
    }

    /// The candidate's whole record as JSON, for a request to see one's data.
    func export(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.runs)
        let candidate = try await candidate(context, req)
        let ratings = try await HiringQueries(db: req.db).ratings(of: [candidate.id!])
        let names = try await Staff.names(of: ratings.map(\.memberId), on: req.db)
        struct Record: Encodable {
            struct Rating: Encodable { let step: String; let criterion: String; let member: String; let level: Int; let evidence: String; let ratedAt: String }
            let name, email, phone, source, opening, school, addedAt: String
            let decision, decisionReason: String?
            let deletedAfter: String
            let ratings: [Rating]
        }
        let criteria = Dictionary(uniqueKeysWithValues: context.profile.criteria.map { ($0.key, $0.name) })
        let record = Record(
            name: candidate.name, email: candidate.email, phone: candidate.phone, source: candidate.source, opening: context.opening.title,
            school: context.schoolName, addedAt: DisplayTime.isoDay(candidate.addedAt), decision: candidate.decision, decisionReason: candidate.decisionReason,
            deletedAfter: DisplayTime.isoDay(candidate.deleteAfter),
            ratings: ratings.map { .init(step: context.opening.steps[safe: $0.step] ?? String($0.step), criterion: criteria[$0.criterionKey] ?? $0.criterionKey,
                                         member: names[$0.memberId] ?? "Former staff member", level: $0.level, evidence: $0.evidence,
                                         ratedAt: DisplayTime.isoDay($0.ratedAt)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try await req.audit("exported a candidate's record", subject: "candidate \(candidate.id!)")
        let response = Response(status: .ok, body: .init(data: try encoder.encode(record)))
        response.headers.contentType = .json
        response.headers.setDownload(named: "candidate-\(candidate.id!).json")
        return response
    }

    struct DeleteForm: Content { var confirm: String }

    func deleteCandidate(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.runs)
        let candidate = try await candidate(context, req)
        guard try req.content.decode(DeleteForm.self).confirm == "delete" else {
            return try await renderCandidate(req, error: "Type delete to confirm: the candidate's record and every rating of them go, for good.")
        }
        try await req.db.writeTransaction { db in
            try await HiringQueries(db: db).delete(candidate: candidate.id!)
            try await req.audit("deleted a candidate's record on request", subject: "candidate \(candidate.id!)", on: db)
        }
        req.leaveNotice("The candidate's record is deleted.")
        return req.redirect(to: context.base)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
