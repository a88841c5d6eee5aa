import Fluent
import Foundation
import LodestarCore
import ZIPFoundation

/// Imports a OneRoster CSV bundle — a folder or a .zip — in one transaction.
enum OneRosterImport {
    /// A zip may expand to at most this much; a larger one is refused before it fills memory.
    static let maxExpandedSize: UInt64 = 4 * 1024 * 1024 * 1024

    @discardableResult
    static func run(path: String, on db: any Database) async throws -> ImportReport {
        try await run(files: readFiles(at: path), on: db)
    }

    static func run(files: [String: [UInt8]], on db: any Database) async throws -> ImportReport {
        let bundle = try OneRosterParser.parse(files: files)
        return try await RosterWriter.write(bundle, to: db)
    }

    /// The CSV files of a folder or zip, by file name.
    static func readFiles(at path: String) throws -> [String: [UInt8]] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LodestarError("no file or folder at \(path)", at: FileLocation(file: path))
        }
        if isDirectory.boolValue {
            var files: [String: [UInt8]] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: path) where name.lowercased().hasSuffix(".csv") {
                files[name] = Array(try Data(contentsOf: URL(fileURLWithPath: path).appendingPathComponent(name)))
            }
            return files
        }
        return try readZip(Data(contentsOf: URL(fileURLWithPath: path)), name: (path as NSString).lastPathComponent)
    }

    /// The CSV files in a zip, by file name; folders inside the zip are ignored.
    static func readZip(_ data: Data, name: String) throws -> [String: [UInt8]] {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw LodestarError("\(name) is not a zip file; upload the .zip your student information system exported, or a folder of CSV files",
                                at: FileLocation(file: name))
        }
        var files: [String: [UInt8]] = [:]
        var expanded: UInt64 = 0
        for entry in archive where entry.type == .file {
            let fileName = (entry.path as NSString).lastPathComponent
            guard fileName.lowercased().hasSuffix(".csv"), !entry.path.hasPrefix("__MACOSX") else { continue }
            expanded += entry.uncompressedSize
            guard expanded <= maxExpandedSize else {
                throw LodestarError("\(name) expands to more than 4 GB; split the export", at: FileLocation(file: name))
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(Int(entry.uncompressedSize))
            do {
                _ = try archive.extract(entry) { chunk in bytes.append(contentsOf: chunk) }
            } catch {
                throw LodestarError("\(fileName) in \(name) cannot be read: the zip is damaged", at: FileLocation(file: fileName))
            }
            files[fileName] = bytes
        }
        return files
    }
}
