import Fluent
import Foundation
import LodestarCore
import Vapor

/// The practice library: links, files and notes tagged with the framework's practices, standards and grade bands.
/// Anyone with a role reads and adds; a teacher's addition waits for a leader of their school; leaders share a
/// resource with a teacher (often from a walkthrough's feedback), and teachers save and rate what they use.
struct LibraryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("library", use: index)
        routes.upload("library", use: add)
        routes.get("library", ":id", use: show)
        routes.get("library", ":id", "file", use: download)
        routes.post("library", ":id", "save", use: save)
        routes.post("library", ":id", "share", use: share)
        routes.post("library", ":id", "approve", use: approve)
        routes.post("library", ":id", "remove", use: remove)
    }

    struct Item: Encodable {
        let id: String; let href: String; let title: String; let kind: String; let practices: String; let bands: String
        let rating: String?; let waiting: Bool
    }

    /// Practice names of the active framework, by key.
    static func practiceNames(on db: any Database) async throws -> [(key: String, name: String)] {
        try await FrameworkStore.active(on: db).framework.indicators.map { ($0.key, $0.shortName) }
    }

    static func rows(_ items: [LibraryItem], names: [String: String], on db: any Database) async throws -> [Item] {
        let ratings = try await LibraryQueries(db: db).ratings(of: items.compactMap(\.id))
        return items.map { item in
            Item(id: item.id!, href: "/library/\(item.id!)", title: item.title, kind: item.kind,
                 practices: item.practiceKeys.compactMap { names[$0] }.joined(separator: ", "), bands: item.bandList.joined(separator: ", "),
                 rating: ratings[item.id!].map { String(format: "%.1f of 5 (%d)", $0.average, $0.count) }, waiting: item.status == LibraryItem.pending)
        }
    }

    // MARK: The library

    struct IndexPage: Encodable {
        struct Form: Encodable { let kind: String; let title: String; let url: String; let note: String; let standards: String; let practices: [String]; let bands: [String] }
        struct Shared: Encodable { let item: Item; let from: String; let when: String; let note: String }
        let page: PageContext
        let items: [Item]
        let shared: [Shared]
        let pending: [Item]
        let practices: [SelectOption]
        let bands: [SelectOption]
        let view: String
        let q: String
        let form: Form
        let error: String?
        let notice: String?
        let reviewed: Bool
        let fileLimit: Int
        let accepted: String
        /// The add form's checkboxes: practices (`practice_KEY`) and grade bands (`band_N`).
        struct Check: Encodable { let name: String; let label: String; let checked: Bool }
        let practiceChecks: [Check]
        let bandChecks: [Check]
    }

    func index(req: Request) async throws -> View {
        try await render(req, form: nil, error: nil)
    }

    private func render(_ req: Request, form: IndexPage.Form?, error: String?) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.hasAnyRole)
        let queries = LibraryQueries(db: req.db)
        let names = try await Self.practiceNames(on: req.db)
        let byKey = Dictionary(names.map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
        let practice = req.query[String.self, at: "practice"] ?? "", band = req.query[String.self, at: "band"] ?? ""
        let q = String((req.query[String.self, at: "q"] ?? "").prefix(100)).trimmingCharacters(in: .whitespaces)
        let requested = req.query[String.self, at: "view"]
        let view: String = ["saved", "mine"].first { $0 == requested } ?? "all"
        let visible = try await queries.items(approvedAt: viewer.policy.seesWholeDistrict ? nil : viewer.policy.schoolIds) { item in
            item.addedBy == viewer.id || viewer.policy.moderatesLibrary(ofSchool: item.schoolId)
        }
        let saved = Set(try await queries.saves(of: viewer.id).map(\.itemId))
        let listed = visible.filter { item in
            (practice.isEmpty || item.practiceKeys.contains(practice)) && (band.isEmpty || item.bandList.contains(band))
                && (q.isEmpty || item.title.localizedCaseInsensitiveContains(q) || item.note.localizedCaseInsensitiveContains(q))
                && (view != "saved" || saved.contains(item.id!)) && (view != "mine" || item.addedBy == viewer.id)
                && (item.status == LibraryItem.approved || item.addedBy == viewer.id)
        }
        let pending = visible.filter { $0.status == LibraryItem.pending && viewer.policy.moderatesLibrary(ofSchool: $0.schoolId) }
        let shown = form ?? .init(kind: "link", title: "", url: "", note: "", standards: "", practices: [], bands: [])
        let sharedRows = try await queries.sharedWith(viewer.id, limit: 20)
        let sharers = try await Staff.names(of: sharedRows.map(\.share.fromId), on: req.db)
        let sharedItems = try await Self.rows(sharedRows.map(\.item), names: byKey, on: req.db)
        return try await req.view.render("library/index", IndexPage(
            page: PageContext(request: req, title: "Practice library"),
            items: try await Self.rows(listed, names: byKey, on: req.db),
            shared: zip(sharedRows, sharedItems).map { row, item in
                .init(item: item, from: sharers[row.share.fromId] ?? "Former staff member", when: DisplayTime.date(DisplayTime.isoDay(row.share.sharedAt)), note: row.share.note)
            },
            pending: try await Self.rows(pending, names: byKey, on: req.db),
            practices: [SelectOption(value: "", label: "Every practice")] + names.map { SelectOption(value: $0.key, label: $0.name, selected: $0.key == practice) },
            bands: [SelectOption(value: "", label: "Every grade band")] + LibraryEntry.gradeBands.map { SelectOption(value: $0, label: $0, selected: $0 == band) },
            view: view, q: q,
            form: shown,
            error: error, notice: req.takeNotice(), reviewed: !viewer.policy.addsToLibraryWithoutReview,
            fileLimit: LibraryEntry.limits.fileMegabytes, accepted: LibraryFileType.accepted,
            practiceChecks: names.map { .init(name: "practice_\($0.key)", label: $0.name, checked: shown.practices.contains($0.key)) },
            bandChecks: LibraryEntry.gradeBands.enumerated().map { .init(name: "band_\($0.offset)", label: $0.element, checked: shown.bands.contains($0.element)) }))
    }

    /// Adds a link, a file or a note. The form comes as multipart when it carries a file.
    func add(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.hasAnyRole)
        let names = try await Self.practiceNames(on: req.db)
        return try await req.withUpload(limit: LibraryEntry.limits.fileMegabytes, file: "file") { upload in
            let fields = upload.fields
            func cut(_ key: String, _ n: Int) -> String { String((fields[key] ?? "").prefix(n)) }
            let chosenPractices = names.map(\.key).filter { fields["practice_\($0)"] == "on" }
            let chosenBands = LibraryEntry.gradeBands.enumerated().filter { fields["band_\($0.offset)"] == "on" }.map(\.element)
            let echo = IndexPage.Form(kind: cut("kind", 10), title: cut("title", 300), url: cut("url", 600), note: cut("note", 5_000), standards: cut("standards", 600),
                                      practices: chosenPractices, bands: chosenBands)
            do {
                var codes: [String: String] = [:]
                for code in (fields["standards"] ?? "").prefix(2_000).split(whereSeparator: { $0 == "," || $0.isNewline }).map({ $0.trimmingCharacters(in: .whitespaces) }).prefix(20) {
                    if let standard = try await StandardsQueries(db: req.db).standard(code: code) { codes[code] = standard.id }
                }
                let entry = try LibraryEntry.fromForm(kind: fields["kind"] ?? "", title: fields["title"] ?? "", url: fields["url"] ?? "", note: fields["note"] ?? "",
                                                      practices: chosenPractices, standards: fields["standards"] ?? "", bands: chosenBands,
                                                      knownPractices: Set(names.map(\.key)), standardId: { codes[$0] })
                var file: (name: String, type: LibraryFileType, data: Data)?
                if entry.kind == .file {
                    guard let sent = upload.file else { throw LibraryEntry.FormError("Choose the file (\(LibraryFileType.accepted), up to \(LibraryEntry.limits.fileMegabytes) MB).") }
                    let bytes = try sent.bytes()
                    guard !bytes.isEmpty, let type = LibraryFileType.of(name: sent.name, bytes: bytes) else {
                        throw LibraryEntry.FormError("“\(String(sent.name.prefix(80)))” is not a file the library keeps: \(LibraryFileType.accepted), with its extension matching what it is.")
                    }
                    file = (String(sent.name.suffix(120)), type, Data(bytes))
                }
                let schoolId = viewer.policy.seesWholeDistrict ? nil : (viewer.policy.schoolsLed.isEmpty ? viewer.policy.schoolIds : viewer.policy.schoolsLed).sorted().first
                let item = try await LibraryQueries(db: req.db).add(entry, schoolId: schoolId, approved: viewer.policy.addsToLibraryWithoutReview, by: viewer.id, file: file)
                try await req.audit("added to the practice library", subject: "library item \(item.id!)")
                req.leaveNotice(item.status == LibraryItem.approved ? "“\(item.title)” is in the library." : "“\(item.title)” is saved and waits for a leader of your school to approve it.")
                return req.redirect(to: "/library/\(item.id!)")
            } catch let error as LibraryEntry.FormError {
                let response = try await render(req, form: echo, error: error.description).encodeResponse(for: req)
                response.status = .unprocessableEntity
                return response
            }
        }
    }

    // MARK: One resource

    struct ShowPage: Encodable {
        let page: PageContext
        let id: String
        let title: String
        let kind: String
        let url: String
        let note: String
        let file: String?
        let practices: [String]
        let standards: [SelectOption]
        let bands: String
        let addedBy: String
        let waiting: Bool
        let rating: String?
        let saved: Bool
        let myRating: Int
        let teachers: [SelectOption]
        let canModerate: Bool
        let canRemove: Bool
        let sharedCount: Int
        let notice: String?
        let error: String?
    }

    /// The resource if `viewer` may see it.
    static func visible(_ req: Request, _ viewer: Viewer) async throws -> LibraryItem {
        guard let item = try await LibraryQueries(db: req.db).item(try req.parameters.require("id")) else { throw LodestarError.notFound }
        guard viewer.policy.canSeeLibraryItem(ofSchool: item.schoolId, approved: item.status == LibraryItem.approved, isAuthor: item.addedBy == viewer.id) else {
            throw LodestarError.notFound
        }
        return item
    }

    func show(req: Request) async throws -> View {
        try await renderItem(req, error: nil)
    }

    private func renderItem(_ req: Request, error: String?) async throws -> View {
        let viewer = try await req.viewer()
        let item = try await Self.visible(req, viewer)
        let queries = LibraryQueries(db: req.db)
        let names = Dictionary(try await Self.practiceNames(on: req.db).map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
        let standards = try await StandardsQueries(db: req.db).standards(ids: item.standardIds)
        let mine = try await queries.save(of: item.id!, by: viewer.id)
        let rating = try await queries.ratings(of: [item.id!])[item.id!]
        // Teachers this person may share it with: their schools' teachers (leaders) or their caseload (coaches).
        var teachers: [SelectOption] = []
        if !viewer.policy.seesWholeDistrict {
            let caseload = try await CoachingQueries(db: req.db).caseload(of: viewer.id)
            var seen = Set<String>()
            for person in try await StaffDirectory(db: req.db).people(holding: [.teacher], atSchools: Array(viewer.policy.schoolsLed).sorted())
            where person.id != viewer.id && !seen.contains(person.id) && (item.schoolId == nil || person.schoolId == item.schoolId) {
                guard let school = person.schoolId, viewer.policy.canShareResource(withTeacherAt: [school], onCaseload: caseload.contains(person.id)) else { continue }
                seen.insert(person.id)
                teachers.append(SelectOption(value: person.id, label: person.listName))
            }
        }
        let author = try await Staff.names(of: [item.addedBy], on: req.db)[item.addedBy] ?? "Former staff member"
        return try await req.view.render("library/item", ShowPage(
            page: PageContext(request: req, title: item.title), id: item.id!, title: item.title, kind: item.kind, url: item.url, note: item.note,
            file: item.fileName.map { "\($0) (\(ByteCountFormatter.string(fromByteCount: Int64(item.fileSize ?? 0), countStyle: .file)))" },
            practices: item.practiceKeys.compactMap { names[$0] },
            standards: standards.map { SelectOption(value: $0.id!, label: $0.code) }, bands: item.bandList.joined(separator: ", "),
            addedBy: "\(author), \(DisplayTime.date(DisplayTime.isoDay(item.addedAt)))", waiting: item.status == LibraryItem.pending,
            rating: rating.map { String(format: "%.1f of 5, from %d %@", $0.average, $0.count, $0.count == 1 ? "rating" : "ratings") },
            saved: mine != nil, myRating: mine?.rating ?? 0, teachers: teachers.sorted { $0.label < $1.label },
            canModerate: viewer.policy.moderatesLibrary(ofSchool: item.schoolId), canRemove: viewer.policy.canRemoveLibraryItem(ofSchool: item.schoolId, approved: item.status == LibraryItem.approved, isAuthor: item.addedBy == viewer.id),
            sharedCount: try await queries.shares(of: item.id!).count, notice: req.takeNotice(), error: error))
    }

    /// The file, always as a download (never shown in the page's origin), with a safe name.
    func download(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let item = try await Self.visible(req, viewer)
        guard let type = item.fileType.flatMap(LibraryFileType.init(rawValue:)), let file = try await LibraryQueries(db: req.db).file(of: item.id!) else { throw LodestarError.notFound }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: type.contentType)
        headers.setDownload(named: item.fileName ?? "resource")
        headers.replaceOrAdd(name: "Content-Security-Policy", value: "sandbox")
        return Response(status: .ok, headers: headers, body: .init(data: file.data))
    }

    struct SaveForm: Content { var action: String?; var rating: String? }

    /// Saves or unsaves the resource; a rating (1–5) saves it too.
    func save(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let item = try await Self.visible(req, viewer)
        let form = try req.content.decode(SaveForm.self)
        let queries = LibraryQueries(db: req.db)
        if let text = form.rating, !text.isEmpty {
            guard let rating = Int(text), (1...5).contains(rating), item.status == LibraryItem.approved else { throw LodestarError("A rating is a whole number from 1 to 5.") }
            try await queries.save(item.id!, for: viewer.id, saved: true, rating: rating)
            req.leaveNotice("Rated \(rating) of 5 and saved.")
        } else {
            let keep = form.action != "unsave"
            try await queries.save(item.id!, for: viewer.id, saved: keep)
            req.leaveNotice(keep ? "Saved to your library." : "Taken off your saved resources.")
        }
        return req.redirect(to: "/library/\(item.id!)")
    }

    struct ShareForm: Content { var teacherId: String; var note: String?; var walkthroughId: String? }

    /// Shares the resource with a teacher, who finds it on their Today page.
    func share(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let item = try await Self.visible(req, viewer)
        let form = try req.content.decode(ShareForm.self)
        let schools = try await StaffDirectory(db: req.db).teachingSchools(of: form.teacherId)
        let onCaseload = try await CoachingQueries(db: req.db).isOnCaseload(coach: viewer.id, teacher: form.teacherId)
        guard !schools.isEmpty, viewer.policy.canShareResource(withTeacherAt: schools, onCaseload: onCaseload) else { throw LodestarError.forbidden }
        let note = (form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard item.status == LibraryItem.approved, item.schoolId.map(schools.contains) ?? true, note.count <= 500 else {
            let response = try await renderItem(req, error: "Share an approved resource of the teacher's school or the district's, with a note of up to 500 characters.").encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        // A walkthrough named as the occasion must be this teacher's and open to the person sharing.
        let walkthrough = try await form.walkthroughId.asyncMap { try await WalkthroughQueries(db: req.db).walkthrough($0) } ?? nil
        let occasion = walkthrough.flatMap { $0.teacherId == form.teacherId && $0.observerId == viewer.id ? $0.id : nil }
        try await LibraryQueries(db: req.db).share(item.id!, from: viewer.id, to: form.teacherId, note: note, walkthroughId: occasion)
        try await req.audit("shared a library resource", subject: "library item \(item.id!)", staffId: form.teacherId)
        let name = try await Staff.names(of: [form.teacherId], on: req.db)[form.teacherId] ?? "the teacher"
        req.leaveNotice("“\(item.title)” is shared with \(name).")
        return req.redirect(to: occasion.map { "/walkthroughs/\($0)#library" } ?? "/library/\(item.id!)")
    }

    func approve(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let item = try await Self.visible(req, viewer)
        try req.require(viewer.policy.moderatesLibrary(ofSchool: item.schoolId))
        try await LibraryQueries(db: req.db).approve(item, by: viewer.id)
        try await req.audit("approved a library resource", subject: "library item \(item.id!)")
        req.leaveNotice("“\(item.title)” is approved and open to the school.")
        return req.redirect(to: "/library/\(item.id!)")
    }

    func remove(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let item = try await Self.visible(req, viewer)
        try req.require(viewer.policy.canRemoveLibraryItem(ofSchool: item.schoolId, approved: item.status == LibraryItem.approved, isAuthor: item.addedBy == viewer.id))
        try await LibraryQueries(db: req.db).remove(item.id!)
        try await req.audit("removed a library resource", subject: "library item \(item.id!)")
        req.leaveNotice("“\(item.title)” is removed from the library.")
        return req.redirect(to: "/library")
    }
}
