import Fluent
import Foundation
import LodestarCore
import SQLKit

/// The practice library's front door: resources and their tags, moderation, saves and ratings, shares, and the
/// suggestions other pages show for the practices and standards they are about.
struct LibraryQueries {
    let db: any Database

    func item(_ id: String) async throws -> LibraryItem? { try await LibraryItem.find(id, on: db) }

    func items(ids: some Collection<String>) async throws -> [LibraryItem] {
        guard !ids.isEmpty else { return [] }
        return try await LibraryItem.query(on: db).filter(\.$id ~~ Array(Set(ids))).all()
    }

    /// Approved resources of `schools` and the district's (nil: every school's), and those waiting that `pendingFor`
    /// lets the reader see; newest first.
    func items(approvedAt schools: Set<String>?, pendingFor: (LibraryItem) -> Bool) async throws -> [LibraryItem] {
        try await LibraryItem.query(on: db).sort(\.$addedAt, .descending).sort(\.$title).sort(\.$id).all().filter { item in
            item.status == LibraryItem.approved ? (item.schoolId == nil || schools?.contains(item.schoolId!) ?? true) : pendingFor(item)
        }
    }

    /// What other pages suggest: approved resources open at `schools` (nil: all) tagged with one of `practices` or
    /// `standards`, those with the most matching tags first, then the best rated.
    func suggestions(practices: [String], standards: [String], schools: Set<String>?, limit: Int = 5) async throws -> [LibraryItem] {
        try await suggestions(for: ["": (practices, standards)], schools: schools, limit: limit)[""] ?? []
    }

    /// Suggestions for several subjects at once (a page's needs, each its practice or standard), the library read once.
    func suggestions(for subjects: [String: (practices: [String], standards: [String])], schools: Set<String>?, limit: Int) async throws -> [String: [LibraryItem]] {
        let asked = subjects.filter { !$0.value.practices.isEmpty || !$0.value.standards.isEmpty }
        guard !asked.isEmpty else { return [:] }
        let open = try await items(approvedAt: schools) { _ in false }
        let ratings = try await ratings(of: open.compactMap(\.id))
        return asked.mapValues { subject in
            let wanted = Set(subject.practices), standardsWanted = Set(subject.standards)
            func matches(_ item: LibraryItem) -> Int { Set(item.practiceKeys).intersection(wanted).count + Set(item.standardIds).intersection(standardsWanted).count }
            return open.filter { matches($0) > 0 }
                .sorted { (matches($1), ratings[$1.id!]?.average ?? 0, $0.title) < (matches($0), ratings[$0.id!]?.average ?? 0, $1.title) }
                .prefix(limit).map { $0 }
        }
    }

    /// A suggestion as a page lists it (the `library/suggested` template).
    struct Link: Encodable, Sendable {
        let href: String; let title: String; let kind: String
        init(_ item: LibraryItem) { (href, title, kind) = ("/library/\(item.id!)", item.title, item.kind) }
    }

    func links(practices: [String], standards: [String], schools: Set<String>?, limit: Int = 5) async throws -> [Link] {
        try await suggestions(practices: practices, standards: standards, schools: schools, limit: limit).map(Link.init)
    }

    func add(_ entry: LibraryEntry, schoolId: String?, approved: Bool, by staffId: String, file: (name: String, type: LibraryFileType, data: Data)?) async throws -> LibraryItem {
        let item = LibraryItem()
        item.id = UUID().uuidString.lowercased()
        item.schoolId = schoolId
        item.kind = entry.kind.rawValue
        item.title = entry.title
        item.url = entry.url
        item.note = entry.note
        item.practices = entry.practices.joined(separator: ",")
        item.standards = entry.standards.joined(separator: ",")
        item.bands = entry.bands.joined(separator: ",")
        item.fileName = file?.name
        item.fileType = file?.type.rawValue
        item.fileSize = file?.data.count
        item.status = approved ? LibraryItem.approved : LibraryItem.pending
        item.addedBy = staffId
        item.addedAt = Int(Date().timeIntervalSince1970)
        if approved { (item.approvedBy, item.approvedAt) = (staffId, item.addedAt) }
        try await db.writeTransaction { db in
            try await item.create(on: db)
            if let file {
                let stored = LibraryFile()
                stored.id = item.id
                stored.data = file.data
                try await stored.create(on: db)
            }
        }
        return item
    }

    func approve(_ item: LibraryItem, by staffId: String) async throws {
        item.status = LibraryItem.approved
        item.approvedBy = staffId
        item.approvedAt = Int(Date().timeIntervalSince1970)
        try await db.writeTransaction { db in try await item.update(on: db) }
    }

    /// Removes a resource with its file, saves and shares.
    func remove(_ itemId: String) async throws {
        try await db.writeTransaction { db in
            try await LibraryShare.query(on: db).filter(\.$itemId == itemId).delete()
            try await LibrarySave.query(on: db).filter(\.$itemId == itemId).delete()
            try await LibraryFile.query(on: db).filter(\.$id == itemId).delete()
            try await LibraryItem.query(on: db).filter(\.$id == itemId).delete()
        }
    }

    func file(of itemId: String) async throws -> LibraryFile? { try await LibraryFile.find(itemId, on: db) }

    // MARK: Saves and ratings

    func saves(of staffId: String) async throws -> [LibrarySave] {
        try await LibrarySave.query(on: db).filter(\.$staffId == staffId).sort(\.$savedAt, .descending).all()
    }

    /// One person's save of one resource, if they saved it.
    func save(of itemId: String, by staffId: String) async throws -> LibrarySave? { try await LibrarySave.find(Self.saveId(itemId, staffId), on: db) }

    static func saveId(_ itemId: String, _ staffId: String) -> String { "\(itemId)|\(staffId)" }

    /// Saves (or keeps) the resource for `staffId`, with a rating when given; `saved` false takes it away.
    func save(_ itemId: String, for staffId: String, saved: Bool, rating: Int? = nil) async throws {
        let id = Self.saveId(itemId, staffId)
        try await db.writeTransaction { db in
            guard saved else { try await LibrarySave.query(on: db).filter(\.$id == id).delete(); return }
            let row = try await LibrarySave.find(id, on: db) ?? { let made = LibrarySave(); made.id = id; made.itemId = itemId; made.staffId = staffId; return made }()
            if let rating { row.rating = rating }
            row.savedAt = Int(Date().timeIntervalSince1970)
            try await row.save(on: db)
        }
    }

    struct Rating: Sendable { let average: Double; let count: Int }

    func ratings(of items: [String]) async throws -> [String: Rating] {
        guard !items.isEmpty else { return [:] }
        var result: [String: Rating] = [:]
        for chunk in items.chunks(of: 500) {
            let rated = try await LibrarySave.query(on: db).filter(\.$itemId ~~ Array(chunk)).all().filter { $0.rating != nil }
            for (item, rows) in Dictionary(grouping: rated, by: \.itemId) {
                result[item] = Rating(average: Double(rows.reduce(0) { $0 + $1.rating! }) / Double(rows.count), count: rows.count)
            }
        }
        return result
    }

    // MARK: Shares

    func share(_ itemId: String, from: String, to: String, note: String, walkthroughId: String?) async throws {
        let share = LibraryShare()
        share.id = UUID().uuidString.lowercased()
        share.itemId = itemId
        share.fromId = from
        share.toId = to
        share.note = note
        share.walkthroughId = walkthroughId
        share.sharedAt = Int(Date().timeIntervalSince1970)
        try await db.writeTransaction { db in try await share.create(on: db) }
    }

    /// What was shared with `staffId`, newest first, with the resources (a removed one drops out).
    func sharedWith(_ staffId: String, limit: Int = 50) async throws -> [(share: LibraryShare, item: LibraryItem)] {
        let shares = try await LibraryShare.query(on: db).filter(\.$toId == staffId).sort(\.$sharedAt, .descending).range(..<limit).all()
        let items = Dictionary(uniqueKeysWithValues: try await items(ids: shares.map(\.itemId)).map { ($0.id!, $0) })
        return shares.compactMap { share in items[share.itemId].map { (share, $0) } }
    }

    /// Shares of one resource, for its page.
    func shares(of itemId: String) async throws -> [LibraryShare] {
        try await LibraryShare.query(on: db).filter(\.$itemId == itemId).sort(\.$sharedAt, .descending).all()
    }
}
