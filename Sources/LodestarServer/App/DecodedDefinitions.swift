import Synchronization

/// Definitions already read, by their stored JSON: a framework version is read on every walkthrough saved and every
/// self-assessment page, and reading and validating its JSON each time took a tenth of the server's time under load.
final class DecodedDefinitions<Value: Sendable>: Sendable {
    private let cache = Mutex<[String: Value]>([:])
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func value(of definition: String, decode: () throws -> Value) throws -> Value {
        if let known = cache.withLock({ $0[definition] }) { return known }
        let value = try decode()
        cache.withLock { cache in
            if cache.count > limit { cache.removeAll() }
            cache[definition] = value
        }
        return value
    }
}
