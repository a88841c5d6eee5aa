import Foundation

/// Writes a `CASEPackage` as CASE 1.0 JSON (`CFDocument`, `CFItems`, `CFAssociations` with `isChildOf` and its links),
/// which `CASEPackage.parse` reads back to the same package.
public enum CASEWriter {
    /// - Parameter baseURI: where the package's items would be published; each node's `uri` is this plus its identifier.
    public static func json(_ package: CASEPackage, baseURI: String, changedAt: String = "2026-08-01T00:00:00Z") -> [UInt8] {
        func uri(_ identifier: String) -> String { "\(baseURI)/\(identifier)" }
        func node(_ identifier: String, title: String) -> [String: Any] {
            ["identifier": identifier, "uri": uri(identifier), "title": title]
        }
        let document = node(package.identifier, title: package.title)
        var items: [[String: Any]] = []
        var associations: [[String: Any]] = []
        let titles = Dictionary(uniqueKeysWithValues: package.items.map { ($0.identifier, $0.code.isEmpty ? $0.statement : $0.code) })
        for item in package.items {
            var object: [String: Any] = [
                "identifier": item.identifier, "uri": uri(item.identifier), "CFDocumentURI": document,
                "fullStatement": item.statement, "humanCodingScheme": item.code, "CFItemType": item.type,
                "educationalLevel": item.grades, "lastChangeDateTime": changedAt,
            ]
            if !item.abbreviatedStatement.isEmpty { object["abbreviatedStatement"] = item.abbreviatedStatement }
            items.append(object)
            let parent = item.parentIdentifier.map { node($0, title: titles[$0] ?? $0) } ?? document
            associations.append([
                "identifier": "\(item.identifier)-isChildOf", "uri": uri("\(item.identifier)-isChildOf"), "associationType": "isChildOf",
                "originNodeURI": node(item.identifier, title: titles[item.identifier] ?? item.identifier), "destinationNodeURI": parent,
                "CFDocumentURI": document, "sequenceNumber": item.position + 1, "lastChangeDateTime": changedAt,
            ])
        }
        for link in package.links {
            let id = "\(link.origin)-\(link.kind.rawValue)-\(link.destination)"
            associations.append([
                "identifier": id, "uri": uri(id), "associationType": link.kind.rawValue,
                "originNodeURI": node(link.origin, title: titles[link.origin] ?? link.origin),
                "destinationNodeURI": node(link.destination, title: titles[link.destination] ?? link.destination),
                "CFDocumentURI": document, "lastChangeDateTime": changedAt,
            ])
        }
        var documentObject: [String: Any] = [
            "identifier": package.identifier, "uri": uri(package.identifier), "title": package.title, "creator": package.creator,
            "lastChangeDateTime": changedAt, "CFPackageURI": document,
        ]
        if !package.subject.isEmpty { documentObject["subject"] = [package.subject] }
        if !package.adoptionStatus.isEmpty { documentObject["adoptionStatus"] = package.adoptionStatus }
        let root: [String: Any] = ["CFDocument": documentObject, "CFItems": items, "CFAssociations": associations]
        let data = try! JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return Array(data)
    }
}
