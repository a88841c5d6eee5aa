import LodestarCore
import Vapor

/// For `lodestar serve --demo`: loads the small demo district into an empty database and prints
/// one sign-in per role, at the address the server will answer on (`arguments`: the command line).
public func loadDemoIfEmpty(_ app: Application, arguments: [String]) async throws {
    let address = signInAddress(arguments: arguments, configuration: app.http.server.configuration)
    if try await DemoLoader.databaseIsEmpty(app.db) {
        app.logger.info("Empty database: loading the small demo district…")
        DemoLoader.printAccounts(try await DemoLoader.load(size: .small, seed: 1, on: app.db), address: address, console: app.console)
    } else if try await Staff.find(DemoLoader.adminId, on: app.db) != nil {
        DemoLoader.printAccounts(DemoDistrict(size: .small, seed: 1), address: address, console: app.console)
    } else {
        app.logger.warning("--demo: the database already holds a roster that is not the demo; it was left as it is.")
    }
}

/// The address `serve` will listen on, read from its flags as Vapor's serve command reads them (`--bind host:port`,
/// `--hostname`/`-H`, `--port`/`-p`, else the configuration's), so the printed sign-in address is the real one.
/// A server bound to every interface is reached on this machine at 127.0.0.1.
func signInAddress(arguments: [String], configuration: HTTPServer.Configuration) -> String {
    func value(_ names: String...) -> String? {
        for (index, argument) in arguments.enumerated() {
            for name in names {
                if argument == name, index + 1 < arguments.count { return arguments[index + 1] }
                if argument.hasPrefix(name + "=") { return String(argument.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }
    var host = configuration.hostname, port = configuration.port
    if let bind = value("--bind", "-b"), let colon = bind.lastIndex(of: ":") {
        host = String(bind[..<colon])
        port = Int(bind[bind.index(after: colon)...]) ?? port
    }
    host = value("--hostname", "-H") ?? host
    port = value("--port", "-p").flatMap(Int.init) ?? port
    if ["0.0.0.0", "::", "[::]"].contains(host) { host = "127.0.0.1" }
    return "http://\(host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host):\(port)"
}
