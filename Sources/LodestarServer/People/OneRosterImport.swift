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
        let report = try await RosterWriter.write(bundle, to: db)
        Metrics.imported(report.lines.reduce(0) { $0 + $1.counts.created + $1.counts.updated + $1.counts.unchanged }, kind: "roster")
        return report
    }

    /// The CSV files of a folder or zip, by file name, read whole (a roster's files are parsed whole).
    static func readFiles(at path: String) throws -> [String: [UInt8]] {
        try csvFiles(at: path).reduce(into: [:]) { files, file in files[file.key] = try file.value.readAll(fileName: file.key) }
    }

    /// The CSV files of a folder or zip, by file name: a folder's stay on disk, to be read as they are parsed.
    static func csvFiles(at path: String) throws -> [String: CSVSource] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LodestarError("no file or folder at \(path)", at: FileLocation(file: path))
        }
        if isDirectory.boolValue {
            var files: [String: CSVSource] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: path) where name.lowercased().hasSuffix(".csv") {
                files[name] = .file(path: URL(fileURLWithPath: path).appendingPathComponent(name).path)
            }
            return files
        }
        return try readZip(at: URL(fileURLWithPath: path), name: (path as NSString).lastPathComponent, limits: .commandLine).mapValues(CSVSource.bytes)
    }

    /// How much a zip may hold. What a zip *says* about its entries' sizes is not trusted: the bytes are
    /// counted as they are inflated, and reading stops as soon as a limit is passed.
    struct ZipLimits: Sendable {
        /// Inflated bytes of all its CSV files together.
        var expanded: UInt64 = 1024 * 1024 * 1024
        /// Entries of any kind (files, folders).
        var entries = 1_000
        /// Inflated bytes per compressed byte of one file, past its first megabyte: CSV files compress
        /// about tenfold, a zip bomb a thousandfold.
        var ratio: UInt64 = 250

        static let upload = ZipLimits()
        static let commandLine = ZipLimits(expanded: maxExpandedSize)
    }

    /// The CSV files in a zip, by file name; folders inside the zip are ignored, but two files of one name in
    /// different folders are refused (which one is meant cannot be known).
    static func readZip(at file: URL, name: String, limits: ZipLimits = .upload) throws -> [String: [UInt8]] {
        // Read from a file, not from memory: ZIPFoundation's in-memory reader traps on some damaged zips (a range
        // past the data, found by the fuzz tests), which would stop the server; its file reader refuses them.
        let archive: Archive
        do {
            guard try endsLikeAZip(file) else { throw CocoaError(.fileReadCorruptFile) }
            archive = try Archive(url: file, accessMode: .read)
        } catch {
            throw LodestarError("\(name) is not a zip file; upload the .zip your student information system exported, or a folder of CSV files",
                                at: FileLocation(file: name))
        }
        var files: [String: [UInt8]] = [:]
        var paths: [String: String] = [:]
        var expanded: UInt64 = 0
        var entries = 0
        let megabytes = limits.expanded / 1024 / 1024
        for entry in archive {
            entries += 1
            guard entries <= limits.entries else {
                throw LodestarError("\(name) holds more than \(limits.entries) files and folders; a roster export holds a few CSV files", at: FileLocation(file: name))
            }
            guard entry.type == .file else { continue }
            let fileName = (entry.path as NSString).lastPathComponent
            guard fileName.lowercased().hasSuffix(".csv"), !entry.path.hasPrefix("__MACOSX") else { continue }
            if let first = paths.updateValue(entry.path, forKey: fileName) {
                throw LodestarError("\(name) holds \(fileName) twice (\(first) and \(entry.path)); keep one and upload again", at: FileLocation(file: name))
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(Int(min(entry.uncompressedSize, limits.expanded - expanded, 64 * 1024 * 1024)))
            enum Stop: Error { case tooLarge, tooCompressed }
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    expanded += UInt64(chunk.count)
                    guard expanded <= limits.expanded else { throw Stop.tooLarge }
                    bytes.append(contentsOf: chunk)
                    if bytes.count > 1024 * 1024, UInt64(bytes.count) / max(1, entry.compressedSize) > limits.ratio { throw Stop.tooCompressed }
                }
            } catch Stop.tooLarge {
                throw LodestarError("\(name) expands to more than \(megabytes) MB; split the export", at: FileLocation(file: name))
            } catch Stop.tooCompressed {
                throw LodestarError("\(fileName) in \(name) expands more than \(limits.ratio) times its packed size, which no real export does; it was not read",
                                    at: FileLocation(file: fileName))
            } catch {
                throw LodestarError("\(fileName) in \(name) cannot be read: the zip is damaged", at: FileLocation(file: fileName))
            }
            files[fileName] = bytes
        }
        return files
    }

    /// Whether the file ends with a zip's end-of-central-directory record: its signature within the last
    /// 22 + 65 535 bytes (the record and the longest comment), with a comment that fits what follows.
    /// ZIPFoundation looks for the signature through the whole file, so a large file that is not a zip
    /// (one in twenty of 200 MB of random bytes) passed as an empty zip, slowly, a byte at a time.
    static func endsLikeAZip(_ file: URL) throws -> Bool {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        let tail = min(size, 22 + 65_535)
        try handle.seek(toOffset: size - tail)
        let bytes = [UInt8](try handle.read(upToCount: Int(tail)) ?? Data())
        guard bytes.count >= 22 else { return false }
        for start in stride(from: bytes.count - 22, through: 0, by: -1)
        where bytes[start] == 0x50 && bytes[start + 1] == 0x4B && bytes[start + 2] == 0x05 && bytes[start + 3] == 0x06 {
            let comment = Int(bytes[start + 20]) | Int(bytes[start + 21]) << 8
            if start + 22 + comment <= bytes.count { return true }
        }
        return false
    }
}
