import LodestarCore
import LodestarServer
import Vapor

// `lodestar serve --demo` serves with the small demo district loaded when the database is empty.
var arguments = CommandLine.arguments
let loadDemo = arguments.contains("--demo")
arguments.removeAll { $0 == "--demo" }

// `lodestar restore FILE` replaces the database file before anything opens it.
if arguments.count >= 2, arguments[1] == "restore" {
    guard arguments.count == 3 else {
        FileHandle.standardError.write(Data("usage: lodestar restore FILE (with the server stopped)\n".utf8))
        exit(1)
    }
    do {
        let kept = try await restoreBackup(arguments[2])
        print("Restored \(arguments[2]). The database it replaced is kept as \(kept). Start the server to use it.")
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
}

var environment = try Environment.detect(arguments: arguments)
if Environment.get("LODESTAR_LOG_FORMAT") == "json" {
    try LoggingSystem.bootstrap(from: &environment) { level in { label in JSONLogHandler(label: label, level: level) } }
} else {
    try LoggingSystem.bootstrap(from: &environment)
}
let app = try await Application.make(environment)
do {
    try await configure(app)
    if loadDemo { try await loadDemoIfEmpty(app, arguments: arguments) }
    try await app.execute()
} catch let error as LodestarError {
    // A command refused: the sentence goes to standard error whatever the log level.
    FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
    try? await app.asyncShutdown()
    exit(1)
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
