import LodestarServer
import Vapor

// `lodestar serve --demo` serves with the small demo district loaded when the database is empty.
var arguments = CommandLine.arguments
let loadDemo = arguments.contains("--demo")
arguments.removeAll { $0 == "--demo" }

var environment = try Environment.detect(arguments: arguments)
try LoggingSystem.bootstrap(from: &environment)
let app = try await Application.make(environment)
do {
    try await configure(app)
    if loadDemo { try await loadDemoIfEmpty(app) }
    try await app.execute()
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
