import SQLKit
import Synchronization

extension SQLRowDecoder.KeyDecodingStrategy {
    /// Reads `assessedOn` from the column `assessed_on`, like SQLKit's `.convertFromSnakeCase`, but converts
    /// each name once per process instead of once per row and field: that conversion was half the time of
    /// a class's mastery tracker.
    static let snakeCase = Self.custom { path in
        let name = path.last!.stringValue
        if let column = columns.withLock({ $0[name] }) { return ColumnKey(stringValue: column) }
        let column = name.reduce(into: "") { result, character in
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
        columns.withLock { $0[name] = column }
        return ColumnKey(stringValue: column)
    }

    private static let columns = Mutex<[String: String]>([:])

    private struct ColumnKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
