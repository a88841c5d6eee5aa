import Foundation

/// A resource in the practice library as someone adds it: a link (https only), a file, or a note; tagged with the
/// framework's practices, standards and grade bands. Checked before anything is stored.
public struct LibraryEntry: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case link, file, note }

    public var kind: Kind
    public var title: String
    public var url: String
    public var note: String
    public var practices: [String]
    public var standards: [String]
    public var bands: [String]

    public init(kind: Kind, title: String, url: String, note: String, practices: [String], standards: [String], bands: [String]) {
        self.kind = kind; self.title = title; self.url = url; self.note = note
        self.practices = practices; self.standards = standards; self.bands = bands
    }

    public static let limits = (title: 120, url: 500, note: 4_000, standards: 10, fileMegabytes: 10)
    /// Grade bands a resource is tagged with.
    public static let gradeBands = ["K–2", "3–5", "6–8", "9–12"]

    public struct FormError: Error, Sendable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// `knownPractices`: the framework's indicator keys; `knownStandards`: standard codes that exist, by their code.
    public static func fromForm(kind: String, title: String, url: String, note: String, practices: [String], standards: String, bands: [String],
                                knownPractices: Set<String>, standardId: (String) -> String?) throws -> LibraryEntry {
        let l = limits
        guard let kind = Kind(rawValue: kind) else { throw FormError("Choose whether it is a link, a file or a note.") }
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= l.title else { throw FormError("Give it a title (up to \(l.title) characters).") }
        let url = url.trimmingCharacters(in: .whitespaces), note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if kind == .link {
            guard WebLink.isHTTPS(url, maxLength: l.url) else { throw FormError("A link must be a full https:// address (up to \(l.url) characters).") }
        }
        guard note.count <= l.note else { throw FormError("The note is up to \(l.note) characters.") }
        if kind == .note, note.isEmpty { throw FormError("Write the note.") }
        guard practices.allSatisfy(knownPractices.contains) else { throw FormError("Choose practices from the framework's list.") }
        guard bands.allSatisfy(gradeBands.contains) else { throw FormError("Choose grade bands from the list.") }
        let codes = standards.split(whereSeparator: { $0 == "," || $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard codes.count <= l.standards else { throw FormError("Up to \(l.standards) standards.") }
        var ids: [String] = []
        for code in codes {
            guard let id = standardId(code) else { throw FormError("No standard has the code “\(String(code.prefix(60)))”.") }
            if !ids.contains(id) { ids.append(id) }
        }
        return LibraryEntry(kind: kind, title: title, url: kind == .link ? url : "", note: note, practices: practices, standards: ids, bands: bands)
    }

}

/// The files the library keeps: recognised from their first bytes, not from what the browser says, with the
/// extension agreeing. Anything else is refused.
public enum LibraryFileType: String, Sendable, CaseIterable {
    case pdf, png, jpeg, docx, pptx, xlsx, text

    public var contentType: String {
        switch self {
        case .pdf: "application/pdf"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .text: "text/plain; charset=utf-8"
        }
    }

    public static let accepted = "PDF, PNG, JPEG, Word (.docx), PowerPoint (.pptx), Excel (.xlsx) or plain text (.txt)"

    /// The type of a file named `name` with these first bytes (at least the first 8), or nil when it is not one the
    /// library keeps or its extension does not match what it is.
    public static func of(name: String, bytes: [UInt8]) -> LibraryFileType? {
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        func starts(_ prefix: [UInt8]) -> Bool { bytes.count >= prefix.count && Array(bytes.prefix(prefix.count)) == prefix }
        if starts(Array("%PDF-".utf8)) { return ext == "pdf" ? .pdf : nil }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return ext == "png" ? .png : nil }
        if starts([0xFF, 0xD8, 0xFF]) { return ["jpg", "jpeg"].contains(ext) ? .jpeg : nil }
        if starts([0x50, 0x4B, 0x03, 0x04]) {
            return ["docx": .docx, "pptx": .pptx, "xlsx": .xlsx][ext]
        }
        if ext == "txt", !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil { return .text }
        return nil
    }
}
