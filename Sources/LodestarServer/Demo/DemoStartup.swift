import LodestarCore
import Vapor

/// For `lodestar serve --demo`: loads the small demo district into an empty database and prints
/// one sign-in per role.
public func loadDemoIfEmpty(_ app: Application) async throws {
    let district: DemoDistrict
    if try await DemoLoader.databaseIsEmpty(app.db) {
        app.logger.info("Empty database: loading the small demo district…")
        district = try await DemoLoader.load(size: .small, seed: 1, on: app.db)
    } else {
        district = DemoDistrict(size: .small, seed: 1)
    }
    DemoLoader.printAccounts(district, console: app.console)
}
