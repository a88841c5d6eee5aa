import LodestarCore
import Vapor

extension Response {
    /// A CSV file download: every table and chart can be taken away as CSV.
    static func csv(_ csv: CSVWriter, named name: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: name)
        return Response(status: .ok, headers: headers, body: .init(string: csv.text))
    }
}
