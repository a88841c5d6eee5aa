import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

struct ReadingBenchmarkMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("reading_benchmarks")
            .field("id", .string, .identifier(auto: false))
            .field("school_id", .string, .required).field("standard_id", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("reading_benchmarks").delete()
    }
}
