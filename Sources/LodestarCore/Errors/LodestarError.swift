/// Where in an uploaded file a problem was found, so a person can open the file and fix it.
public struct FileLocation: Sendable, Equatable, Hashable {
    public var file: String
    /// 1-based line number of the record (the line where the record starts).
    public var line: Int?
    /// 1-based column number of the field.
    public var column: Int?
    /// The header name of that column, when the file has a header.
    public var columnName: String?
    /// For structured files (JSON), the path to the field, e.g. `domains[1].indicators[0].shortName`.
    public var field: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil, field: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.field = field
    }

    public var description: String {
        var parts = [file]
        if let line { parts.append("line \(line)") }
        if let column {
            parts.append(columnName.map { "column \(column) (\($0))" } ?? "column \(column)")
        } else if let columnName {
            parts.append("column \(columnName)")
        }
        if let field { parts.append("field \(field)") }
        return parts.joined(separator: ", ")
    }
}

/// The one error type for problems a user can cause and fix: a bad file, a bad form, a refused action.
/// Its message is written for a person; it never carries a stack trace or SQL.
public struct LodestarError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The input (file or form) is not acceptable.
        case invalidInput
        /// The thing asked for does not exist (or is not visible to the asker).
        case notFound
        /// The signed-in person may not do this.
        case forbidden
        /// Too many attempts; try again later.
        case tooManyAttempts
        /// More was sent than this place takes (a file over its upload limit).
        case tooLarge
    }

    public var kind: Kind
    public var message: String
    public var location: FileLocation?

    public init(_ kind: Kind, _ message: String, at location: FileLocation? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    /// What was asked for does not exist, or is not the asker's to know about: one sentence for both, so a
    /// refusal does not reveal that a record exists.
    public static let notFound = LodestarError(.notFound, "We could not find that page. It may have moved, or you may not have access to it.")

    /// The signed-in person's roles do not cover this.
    public static let forbidden = LodestarError(.forbidden, "Your roles do not give you access to this page.")

    /// An invalid-input error, the common case.
    public init(_ message: String, at location: FileLocation? = nil) {
        self.init(.invalidInput, message, at: location)
    }

    public var description: String {
        guard let location else { return message }
        return "\(location.description): \(message)"
    }
}
