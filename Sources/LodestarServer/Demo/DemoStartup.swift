import LodestarCore
import Vapor

/// For `lodestar serve --demo`: loads the small demo district into an empty database and prints
/// one sign-in per role.
public func loadDemoIfEmpty(_ app: Application) async throws {
    if try await DemoLoader.databaseIsEmpty(app.db) {
        app.logger.info("Empty database: loading the small demo district…")
        DemoLoader.printAccounts(try await DemoLoader.load(size: .small, seed: 1, on: app.db), console: app.console)
    } else if try await Staff.find(DemoLoader.adminId, on: app.db) != nil {
        DemoLoader.printAccounts(DemoDistrict(size: .small, seed: 1), console: app.console)
    } else {
        app.logger.warning("--demo: the database already holds a roster that is not the demo; it was left as it is.")
    }
}
