import Fluent

extension Database {
    /// Creates new rows of any models with one multi-row `INSERT` per model and batch, not one statement (and
    /// one round trip) per row: what the demo writes by the thousand. Rows go model by model in the order each
    /// model first appears, so a list built parent first (a group before its members) keeps parents first.
    func createAll(_ rows: [any Model]) async throws {
        var order: [ObjectIdentifier] = []
        var byModel: [ObjectIdentifier: [any Model]] = [:]
        for row in rows {
            let model = ObjectIdentifier(type(of: row))
            if byModel[model] == nil { order.append(model) }
            byModel[model, default: []].append(row)
        }
        for model in order {
            let group = byModel[model]!
            try await type(of: group[0]).createBatches(of: group, on: self)
        }
    }
}

private extension Model {
    /// 200 rows a statement keeps the widest model's parameters far under either database's limit.
    static func createBatches(of rows: [any Model], on db: any Database) async throws {
        for batch in rows.compactMap({ $0 as? Self }).chunks(of: 200) { try await batch.create(on: db) }
    }
}
