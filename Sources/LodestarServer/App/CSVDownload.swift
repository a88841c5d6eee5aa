import Foundation
import LodestarCore
import Vapor

extension Response {
    /// A CSV file download: every table and chart can be taken away as CSV.
    static func csv(_ csv: CSVWriter, named name: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.setDownload(named: name)
        return Response(status: .ok, headers: headers, body: .init(string: csv.text))
    }
}

extension HTTPHeaders {
    /// `Content-Disposition: attachment` for a file named from record ids, which come from other systems'
    /// files: `filename` keeps only `[A-Za-z0-9._-]` (anything else becomes `_`), so no quote, line break
    /// or other byte can reach the header; when that changed the name, RFC 6266's `filename*` carries the
    /// readable name percent-encoded.
    mutating func setDownload(named name: String) {
        let safe = String(String.UnicodeScalarView(name.unicodeScalars.prefix(200).map { Self.fileNameAlphabet.contains($0) ? $0 : "_" }))
        var value = "attachment; filename=\"\(safe.isEmpty ? "download" : safe)\""
        if safe != name, let encoded = String(name.prefix(200)).addingPercentEncoding(withAllowedCharacters: Self.fileNameAlphabet) {
            value += "; filename*=UTF-8''" + encoded
        }
        replaceOrAdd(name: .contentDisposition, value: value)
    }

    static let fileNameAlphabet = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
}
