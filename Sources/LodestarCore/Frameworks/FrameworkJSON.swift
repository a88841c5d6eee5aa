import Foundation

/// The framework file format: UTF-8 JSON, documented in the README.
///
/// ```json
/// { "format": "lodestar-framework-1",
///   "framework": { "key": "…", "name": "…", "description": "…",
///                  "scale": { "type": "observation" }            // or { "type": "rating", "levels": [ … ] }
///                  "domains": [ { "key": "…", "name": "…",
///                                 "indicators": [ { "key": "…", "shortName": "…", "description": "…",
///                                                   "lookFors": [ "…" ], "questions": [ "…" ] } ] } ] } }
/// ```
public enum FrameworkJSON {
    public static let format = "lodestar-framework-1"

    public static func encode(_ framework: Framework) -> [UInt8] { FrameworkFile.encode(framework, format: format) }

    /// Reads and checks a framework file; errors name the file and the field.
    public static func decode(_ bytes: [UInt8], fileName: String) throws(LodestarError) -> Framework {
        let framework = try FrameworkFile.decode(Framework.self, from: bytes, format: format, fileName: fileName)
        try validate(framework, fileName: fileName)
        return framework
    }

    /// The rules a framework must meet, so walkthroughs and trends can rely on it.
    public static func validate(_ framework: Framework, fileName: String) throws(LodestarError) {
        func fail(_ field: String, _ message: String) -> LodestarError {
            LodestarError(message, at: FileLocation(file: fileName, field: field))
        }
        func isKey(_ text: String) -> Bool {
            !text.isEmpty && text.count <= 60 && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        }
        guard isKey(framework.key) else { throw fail("framework.key", "a key of lower-case letters, digits, - or _ is required, found “\(framework.key)”") }
        guard !framework.name.trimmed.isEmpty else { throw fail("framework.name", "a name is required") }
        if case .rating(let levels) = framework.scale {
            guard (2...7).contains(levels.count) else { throw fail("framework.scale.levels", "a rating scale needs 2 to 7 levels, found \(levels.count)") }
            guard Set(levels).count == levels.count, levels.allSatisfy({ !$0.trimmed.isEmpty && $0 != "not_applicable" }) else {
                throw fail("framework.scale.levels", "levels must be different, non-empty names")
            }
        }
        guard !framework.domains.isEmpty else { throw fail("framework.domains", "at least one domain is required") }
        var domainKeys: Set<String> = [], indicatorKeys: Set<String> = []
        for (d, domain) in framework.domains.enumerated() {
            let path = "framework.domains[\(d)]"
            guard isKey(domain.key) else { throw fail("\(path).key", "a key of lower-case letters, digits, - or _ is required, found “\(domain.key)”") }
            guard domainKeys.insert(domain.key).inserted else { throw fail("\(path).key", "the domain key “\(domain.key)” is used twice") }
            guard !domain.name.trimmed.isEmpty else { throw fail("\(path).name", "a name is required") }
            guard !domain.indicators.isEmpty else { throw fail("\(path).indicators", "each domain needs at least one indicator") }
            for (i, indicator) in domain.indicators.enumerated() {
                let path = "\(path).indicators[\(i)]"
                guard isKey(indicator.key) else { throw fail("\(path).key", "a key of lower-case letters, digits, - or _ is required, found “\(indicator.key)”") }
                guard indicatorKeys.insert(indicator.key).inserted else { throw fail("\(path).key", "the indicator key “\(indicator.key)” is used twice") }
                guard !indicator.shortName.trimmed.isEmpty, indicator.shortName.count <= 60 else {
                    throw fail("\(path).shortName", "a short name of 1 to 60 characters is required")
                }
                guard !indicator.lookFors.isEmpty, indicator.lookFors.allSatisfy({ !$0.trimmed.isEmpty }) else {
                    throw fail("\(path).lookFors", "at least one look-for is required, and none may be empty")
                }
                guard !indicator.questions.isEmpty, indicator.questions.allSatisfy({ !$0.trimmed.isEmpty }) else {
                    throw fail("\(path).questions", "at least one reflective question is required, and none may be empty")
                }
            }
        }
    }

    static func describe(_ error: DecodingError, fileName: String) -> LodestarError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce("") { result, key in
                if let index = key.intValue { return result + "[\(index)]" }
                return result.isEmpty ? key.stringValue : result + "." + key.stringValue
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return LodestarError("the field “\(key.stringValue)” is missing",
                                 at: FileLocation(file: fileName, field: parent.isEmpty ? key.stringValue : parent + "." + key.stringValue))
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return LodestarError("expected \(describe(type)) here", at: FileLocation(file: fileName, field: path(context.codingPath)))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return LodestarError("the file is not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))",
                                     at: FileLocation(file: fileName))
            }
            return LodestarError(context.debugDescription, at: FileLocation(file: fileName, field: path(context.codingPath)))
        @unknown default:
            return LodestarError("the file could not be read as a framework", at: FileLocation(file: fileName))
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is [String].Type: "a list of texts"
        case is Int.Type, is Double.Type: "a number"
        default: type is any Collection.Type ? "a list" : "an object"
        }
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// A framework file of either kind: `{"format": "…", "framework": {…}}`, read with errors that name the file and the field.
enum FrameworkFile {
    struct File<Content: Codable>: Codable {
        var format: String
        var framework: Content
    }

    static func encode<Content: Codable>(_ framework: Content, format: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try! encoder.encode(File(format: format, framework: framework)))
    }

    static func decode<Content: Codable>(_ type: Content.Type, from bytes: [UInt8], format: String, fileName: String) throws(LodestarError) -> Content {
        let file: File<Content>
        do {
            file = try JSONDecoder().decode(File<Content>.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw FrameworkJSON.describe(error, fileName: fileName)
        } catch {
            throw LodestarError("the file is not valid JSON", at: FileLocation(file: fileName))
        }
        guard file.format == format else {
            throw LodestarError("expected format “\(format)”, found “\(file.format)”", at: FileLocation(file: fileName, field: "format"))
        }
        return file.framework
    }
}
