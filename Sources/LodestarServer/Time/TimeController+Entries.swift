import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

extension TimeController {
    // MARK: Entries

    struct EntryForm: Content { var day: String; var start: String; var end: String; var title: String; var category: String }

    func addEntry(req: Request) async throws -> Response {
        let context = try await LeaderContext.load(req)
        try context.requireEdit(req)
        let form = try req.content.decode(EntryForm.self)
        guard DisplayTime.date(fromISODay: form.day) != nil else { throw LodestarError("Give the day of the entry.") }
        guard let from = Self.minutes(form.start), let to = Self.minutes(form.end), to > from else {
            throw LodestarError("Give a start and an end time, the end after the start.")
        }
        let title = form.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw LodestarError("Say what the time was spent on.") }
        guard try await TimeCategoryRecord.find(form.category, on: req.db) != nil else { throw LodestarError("Choose a category.") }
        let entry = TimeEntry()
        entry.id = UUID().uuidString.lowercased()
        entry.leaderId = context.id
        entry.startsAt = DisplayTime.startOfDay(form.day) + from * 60
        entry.endsAt = DisplayTime.startOfDay(form.day) + to * 60
        entry.title = String(title.prefix(300))
        entry.category = form.category
        entry.source = "manual"
        entry.guessed = false
        entry.allDay = false
        entry.createdAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in try await entry.create(on: db) }
        return backToWeek(req, context, day: form.day)
    }

    struct CategoryForm: Content { var category: String }

    /// Corrects an entry's category. For a calendar event the correction is remembered for its title
    /// and applied to the leader's other entries with that title.
    func changeEntry(req: Request) async throws -> Response {
        let context = try await LeaderContext.load(req)
        try context.requireEdit(req)
        guard let entry = try await TimeEntry.find(try req.parameters.require("entryId"), on: req.db), entry.leaderId == context.id else { throw LodestarError.notFound }
        let form = try req.content.decode(CategoryForm.self)
        guard try await TimeCategoryRecord.find(form.category, on: req.db) != nil else { throw LodestarError("Choose a category.") }
        let changed = try await req.db.writeTransaction { db -> Int in
            entry.category = form.category
            entry.guessed = false
            try await entry.save(on: db)
            guard entry.source == "calendar" else { return 1 }
            let title = TimeCategory.normalize(entry.title)
            let correctionId = "\(context.id)|\(title)"
            let correction = try await TimeCorrection.find(correctionId, on: db) ?? TimeCorrection()
            correction.id = correctionId
            correction.leaderId = context.id
            correction.title = title
            correction.category = form.category
            try await correction.save(on: db)
            let same = try await TimeEntry.query(on: db).filter(\.$leaderId == context.id).filter(\.$source == "calendar")
                .filter(\.$title == entry.title).filter(\.$id != entry.id!).all()
            var changed = 1
            for other in same where other.category != form.category || other.guessed {
                other.category = form.category
                other.guessed = false
                try await other.save(on: db)
                changed += 1
            }
            return changed
        }
        let notice = changed > 1 ? "Changed \(changed) entries titled “\(entry.title)”; later imports will use this category too." : nil
        return backToWeek(req, context, day: DisplayTime.isoDay(entry.startsAt), notice: notice)
    }

    func deleteEntry(req: Request) async throws -> Response {
        let context = try await LeaderContext.load(req)
        try context.requireEdit(req)
        guard let entry = try await TimeEntry.find(try req.parameters.require("entryId"), on: req.db), entry.leaderId == context.id else { throw LodestarError.notFound }
        try await req.db.writeTransaction { db in try await entry.delete(on: db) }
        return backToWeek(req, context, day: DisplayTime.isoDay(entry.startsAt))
    }

    // MARK: Target and protected blocks

    struct TargetForm: Content { var percent: String }

    func setTarget(req: Request) async throws -> Response {
        let context = try await LeaderContext.load(req)
        try context.requireEdit(req)
        let form = try req.content.decode(TargetForm.self)
        guard let percent = Double(form.percent.trimmingCharacters(in: .whitespaces)), percent > 0, percent <= 100 else {
            throw LodestarError("Give the target as a percentage between 1 and 100.")
        }
        try await req.db.writeTransaction { db in
            let target = try await TimeTarget.find(context.id, on: db) ?? TimeTarget()
            target.id = context.id
            target.share = percent / 100
            try await target.save(on: db)
        }
        return backToWeek(req, context)
    }

    struct BlockForm: Content { var weekday: Int; var start: String; var end: String; var label: String }

    func addBlock(req: Request) async throws -> Response {
        let context = try await LeaderContext.load(req)
        try context.requireEdit(req)
        let form = try req.content.decode(BlockForm.self)
        guard (1...5).contains(form.weekday) else { throw LodestarError("Choose a school day.") }
        guard let from = Self.minutes(form.start), let to = Self.minutes(form.end), to > from else {
            throw LodestarError("Give a start and an end time, the end after the start.")
        }
        let label = form.label.trimmingCharacters(in: .whitespacesAndNewlines)
        let block = ProtectedBlock()
        block.id = UUID().uuidString.lowercased()
        block.leaderId = context.id
        block.weekday = form.weekday
        block.startMinute = from
        block.endMinute = to
        block.label = label.isEmpty ? "Classroom visits" : String(label.prefix(120))
        try await req.db.writeTransaction { db in try await block.create(on: db) }
        return backToWeek(req, context)
    }

    func deleteBlock(req: Request) async throws -> Response {
        let context = try await LeaderContext.load(req)
        try context.requireEdit(req)
        guard let block = try await ProtectedBlock.find(try req.parameters.require("blockId"), on: req.db), block.leaderId == context.id else { throw LodestarError.notFound }
        try await req.db.writeTransaction { db in try await block.delete(on: db) }
        return backToWeek(req, context)
    }
}
