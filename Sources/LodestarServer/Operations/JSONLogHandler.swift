import Foundation
import Logging

/// Log lines as JSON objects, one per line, for a log collector (`LODESTAR_LOG_FORMAT=json`): `time` (UTC, ISO 8601
/// with milliseconds), `level`, `label`, `message` and the line's metadata as fields (`request-id`, `status`,
/// `milliseconds` on each request's line). Without the setting, lines are Vapor's plain ones.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        FileHandle.standardOutput.write(Data((Self.line(time: Date(), level: level, label: label, message: "\(message)",
                                                        metadata: metadata.merging(extra ?? [:]) { $1 }) + "\n").utf8))
    }

    /// One log line's JSON; the fixed fields win over metadata of the same name.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var object: [String: Any] = metadata.mapValues(Self.json)
        object["time"] = time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        object["level"] = level.rawValue
        object["label"] = label
        object["message"] = message
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): (value as? Int).map { $0 as Any } ?? (value as? UInt).map { $0 as Any } ?? (value as? Double).map { $0 as Any } ?? value.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }
}
