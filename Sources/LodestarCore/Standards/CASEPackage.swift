import Foundation

/// A CASE 1.0 package (1EdTech Competencies and Academic Standards Exchange): a framework document
/// and its items, arranged into a tree by `isChildOf` associations.
///
/// Real packages vary: `CFDocumentURI` is an object or a plain string, `educationalLevel` a string
/// or a list, ordering comes from `sequenceNumber` or `listEnumeration`. `precedes`, `isRelatedTo` and `isPeerOf`
/// between two items of the package are kept as links (a vertical alignment is drawn from them); other association
/// types, and links to items outside the package, are read past. Errors name the file and the field.
public struct CASEPackage: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var identifier: String
        /// The code people use, e.g. `CCSS.Math.Content.6.RP.A.1`.
        public var code: String
        public var statement: String
        public var abbreviatedStatement: String
        /// CFItemType: Standard, Cluster, Component, …
        public var type: String
        /// Grade levels, OneRoster codes ("06", "KG").
        public var grades: [String]
        /// The parent item, or nil for a top-level item (a child of the document).
        public var parentIdentifier: String?
        /// Position among siblings.
        public var position: Int
    }

    public var identifier: String
    public var title: String
    public var creator: String
    public var subject: String
    public var adoptionStatus: String
    public var items: [Item]
    /// Things worth telling the person importing that did not stop the import.
    public var warnings: [String]
    /// How items lead to one another across grades, or sit beside one another.
    public var links: [Link] = []

    public enum LinkKind: String, Sendable, Equatable, CaseIterable {
        case precedes, isRelatedTo, isPeerOf
    }

    public struct Link: Sendable, Equatable, Hashable {
        public var origin: String
        public var destination: String
        public var kind: LinkKind
        public init(origin: String, destination: String, kind: LinkKind) { self.origin = origin; self.destination = destination; self.kind = kind }
    }

    /// Reads a package; `fileName` names the file in errors.
    public static func parse(_ bytes: [UInt8], fileName: String) throws(LodestarError) -> CASEPackage {
        func fail(_ field: String?, _ message: String) -> LodestarError {
            LodestarError(message, at: FileLocation(file: fileName, field: field))
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw fail(nil, "the file is not valid JSON")
        }
        guard let root = json as? [String: Any] else { throw fail(nil, "expected a JSON object with CFDocument, CFItems and CFAssociations") }
        guard let document = root["CFDocument"] as? [String: Any] else { throw fail("CFDocument", "the CFDocument object is missing") }
        func string(_ object: [String: Any], _ key: String, _ path: String, required: Bool) throws(LodestarError) -> String {
            switch object[key] {
            case let value as String where !value.trimmed.isEmpty: return value.trimmed
            case nil, is NSNull, is String:
                if required { throw fail("\(path).\(key)", "a value is required here") }
                return ""
            default: throw fail("\(path).\(key)", "expected text here")
            }
        }
        let documentId = try string(document, "identifier", "CFDocument", required: true)
        guard documentId.range(of: #"^[A-Za-z0-9._:\-]{1,200}$"#, options: .regularExpression) != nil else {
            throw fail("CFDocument.identifier", "expected an identifier such as a UUID, found “\(documentId)”")
        }
        var package = CASEPackage(
            identifier: documentId, title: try string(document, "title", "CFDocument", required: true),
            creator: try string(document, "creator", "CFDocument", required: false),
            subject: (document["subject"] as? [String])?.joined(separator: ", ") ?? (document["subject"] as? String) ?? "",
            adoptionStatus: try string(document, "adoptionStatus", "CFDocument", required: false), items: [], warnings: [])

        guard let rawItems = (root["CFItems"] ?? [Any]()) as? [Any] else { throw fail("CFItems", "expected a list of items") }
        var index: [String: Int] = [:]
        var enumerations: [String: String] = [:]
        for (i, raw) in rawItems.enumerated() {
            let path = "CFItems[\(i)]"
            guard let item = raw as? [String: Any] else { throw fail(path, "expected an object") }
            let id = try string(item, "identifier", path, required: true)
            guard index[id] == nil else { throw fail("\(path).identifier", "the identifier \(id) is used by two items") }
            let grades: [String]
            switch item["educationalLevel"] {
            case let list as [String]: grades = list.map(GradeLevel.normalized)
            case let text as String: grades = text.split(separator: ",").map { GradeLevel.normalized(String($0).trimmed) }
            case nil, is NSNull: grades = []
            default: throw fail("\(path).educationalLevel", "expected a grade or a list of grades")
            }
            let type: String
            switch item["CFItemType"] {
            case let text as String: type = text
            case let object as [String: Any]: type = object["title"] as? String ?? ""
            default: type = (item["CFItemTypeURI"] as? [String: Any])?["title"] as? String ?? ""
            }
            index[id] = package.items.count
            enumerations[id] = (item["listEnumeration"] as? String) ?? (item["sequenceNumber"].map { "\($0)" })
            package.items.append(Item(
                identifier: id, code: try string(item, "humanCodingScheme", path, required: false),
                statement: try string(item, "fullStatement", path, required: true),
                abbreviatedStatement: try string(item, "abbreviatedStatement", path, required: false),
                type: type, grades: grades, parentIdentifier: nil, position: 0))
        }

        guard let associations = (root["CFAssociations"] ?? [Any]()) as? [Any] else { throw fail("CFAssociations", "expected a list of associations") }
        var sequence: [String: Int] = [:]
        var parentOf: [String: String] = [:]
        for (a, raw) in associations.enumerated() {
            let path = "CFAssociations[\(a)]"
            guard let association = raw as? [String: Any] else { throw fail(path, "expected an object") }
            guard let type = association["associationType"] as? String else { throw fail("\(path).associationType", "a value is required here") }
            let kind = LinkKind(rawValue: type)
            guard type == "isChildOf" || kind != nil else { continue }
            guard let origin = (association["originNodeURI"] as? [String: Any])?["identifier"] as? String else {
                throw fail("\(path).originNodeURI.identifier", "a value is required here")
            }
            guard let destination = (association["destinationNodeURI"] as? [String: Any])?["identifier"] as? String else {
                throw fail("\(path).destinationNodeURI.identifier", "a value is required here")
            }
            if let kind {
                let link = Link(origin: origin, destination: destination, kind: kind)
                if index[origin] != nil, index[destination] != nil, origin != destination, !package.links.contains(link) { package.links.append(link) }
                continue
            }
            guard index[origin] != nil else {
                package.warnings.append("\(path): isChildOf names \(origin), which is not an item of this package; skipped.")
                continue
            }
            if parentOf[origin] != nil {
                package.warnings.append("\(path): \(origin) has more than one parent; the first is kept.")
                continue
            }
            if destination != documentId {
                if index[destination] != nil {
                    parentOf[origin] = destination
                } else {
                    package.warnings.append("\(path): the parent \(destination) is not in this package; \(origin) is placed at the top.")
                }
            }
            if let number = association["sequenceNumber"] as? Int { sequence[origin] = number }
        }
        // A parent chain that loops back cannot be a tree.
        for start in parentOf.keys {
            var seen: Set<String> = [start]
            var node = start
            while let parent = parentOf[node] {
                guard seen.insert(parent).inserted else { throw fail("CFAssociations", "isChildOf associations form a loop through \(parent)") }
                node = parent
            }
        }
        // Siblings ordered by sequence number, then list enumeration, then code, then statement.
        var siblings: [String?: [Int]] = [:]
        for (i, item) in package.items.enumerated() {
            package.items[i].parentIdentifier = parentOf[item.identifier]
            siblings[parentOf[item.identifier], default: []].append(i)
        }
        for (_, members) in siblings {
            let ordered = members.sorted { a, b in
                let x = package.items[a], y = package.items[b]
                let sx = sequence[x.identifier] ?? Int.max, sy = sequence[y.identifier] ?? Int.max
                if sx != sy { return sx < sy }
                let ex = enumerations[x.identifier] ?? "", ey = enumerations[y.identifier] ?? ""
                if ex != ey { return ex.localizedStandardCompare(ey) == .orderedAscending }
                if x.code != y.code { return x.code.localizedStandardCompare(y.code) == .orderedAscending }
                return x.statement < y.statement
            }
            for (position, i) in ordered.enumerated() { package.items[i].position = position }
        }
        return package
    }
}
