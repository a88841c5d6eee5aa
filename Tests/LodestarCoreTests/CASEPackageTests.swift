import Foundation
import Testing
@testable import LodestarCore

@Suite("CASE packages")
struct CASEPackageTests {
    static let folder: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("shared/data/case")
    }()

    static func sample(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    @Test func commonCoreSampleBuildsItsTree() throws {
        let package = try CASEPackage.parse(Self.sample("what-standards-could-be-ccss-math.json"), fileName: "ccss.json")
        #expect(package.items.count == 16)
        #expect(package.items.filter { $0.parentIdentifier != nil }.count == 14)
        #expect(package.items.filter { $0.parentIdentifier == nil }.count == 2)
        let cluster = try #require(package.items.first { $0.code == "CCSS.Math.Content.6.RP.A" })
        #expect(cluster.grades == ["06"])
        #expect(cluster.type == "Cluster")
        #expect(package.items.filter { $0.parentIdentifier == cluster.identifier }.map(\.position).sorted() == Array(0..<package.items.filter { $0.parentIdentifier == cluster.identifier }.count))
    }

    /// Of the sample's associations, two `precedes` join items of the package (6.RP.A.1 → 6.RP.A.2, 6.RP.A.3 → 7.RP.A.3);
    /// the rest point outside it (exact matches, a precedes and related items elsewhere) and are read past.
    @Test func commonCoreSampleKeepsTheLinksWithinThePackage() throws {
        let package = try CASEPackage.parse(try Self.sample("what-standards-could-be-ccss-math.json"), fileName: "sample.json")
        let codes = Dictionary(uniqueKeysWithValues: package.items.map { ($0.identifier, $0.code) })
        #expect(package.links.map { "\(codes[$0.origin]!) \($0.kind.rawValue) \(codes[$0.destination]!)" }.sorted() == [
            "CCSS.Math.Content.6.RP.A.1 precedes CCSS.Math.Content.6.RP.A.2",
            "CCSS.Math.Content.6.RP.A.3 precedes CCSS.Math.Content.7.RP.A.3",
        ])
    }

    @Test func actSampleAndUnicodeSampleImport() throws {
        let act = try CASEPackage.parse(Self.sample("act-holistic-math.json"), fileName: "act.json")
        #expect(act.items.count == 28)
        #expect(act.items.filter { $0.parentIdentifier == nil }.count == 1)
        let utf8 = try CASEPackage.parse(Self.sample("utf8-test.json"), fileName: "utf8.json")
        #expect(utf8.title == "UTF8 𝑑 Test")
        #expect(utf8.items.first?.statement == "Item 𝑑 1")
    }

    func error(_ json: String) -> LodestarError? {
        #expect(throws: LodestarError.self) { try CASEPackage.parse(Array(json.utf8), fileName: "bad.json") }
    }

    @Test func malformedPackagesNameTheField() {
        #expect(error("not json")?.location == FileLocation(file: "bad.json"))
        #expect(error("{}")?.location?.field == "CFDocument")
        #expect(error(#"{"CFDocument": {"identifier": "d1"}}"#)?.location?.field == "CFDocument.title")
        #expect(error(#"{"CFDocument": {"identifier": "d 1 ; drop", "title": "T"}}"#)?.location?.field == "CFDocument.identifier")
        #expect(error(#"{"CFDocument": {"identifier": "d1", "title": "T"}, "CFItems": [{"fullStatement": "x"}]}"#)?.location?.field == "CFItems[0].identifier")
        #expect(error(#"{"CFDocument": {"identifier": "d1", "title": "T"}, "CFItems": [{"identifier": "a", "fullStatement": "x"}, {"identifier": "a", "fullStatement": "y"}]}"#)?.location?.field == "CFItems[1].identifier")
        #expect(error(#"{"CFDocument": {"identifier": "d1", "title": "T"}, "CFItems": [{"identifier": "a"}]}"#)?.location?.field == "CFItems[0].fullStatement")
        let loop = #"{"CFDocument": {"identifier": "d1", "title": "T"}, "CFItems": [{"identifier": "a", "fullStatement": "x"}, {"identifier": "b", "fullStatement": "y"}], "CFAssociations": [{"associationType": "isChildOf", "originNodeURI": {"identifier": "a"}, "destinationNodeURI": {"identifier": "b"}}, {"associationType": "isChildOf", "originNodeURI": {"identifier": "b"}, "destinationNodeURI": {"identifier": "a"}}]}"#
        #expect(error(loop)?.message.contains("loop") == true)
    }

    @Test func writtenPackagesReadBackTheSame() throws {
        for package in DemoStandards.packages + [try CASEPackage.parse(Self.sample("what-standards-could-be-ccss-math.json"), fileName: "ccss.json")] {
            let read = try CASEPackage.parse(CASEWriter.json(package, baseURI: "https://standards.example.org/case"), fileName: "written.json")
            #expect(read == package)
        }
    }
}
