import Foundation
import LodestarCore
import Testing

@Suite("Leadership framework")
struct LeadershipFrameworkTests {
    let framework = LeadershipFramework.lodestarDefault

    @Test func theDefaultCoversTheFourDimensionsAndBindsEveryIndicatorToEvidence() throws {
        #expect(framework.dimensions.map(\.name) == ["Vision, mission and culture", "Improvement of instructional practice",
                                                    "Allocation of resources", "Management of systems and processes"])
        #expect(framework.levels == ["Beginning", "Developing", "Established", "Leading"])
        for indicator in framework.indicators {
            #expect(!indicator.measures.isEmpty && indicator.measures.count == indicator.evidence.count, "\(indicator.key)")
            #expect(indicator.rubric.count == 4 && !indicator.questions.isEmpty, "\(indicator.key)")
        }
        // Every measure Lodestar computes is used somewhere.
        #expect(Set(framework.indicators.flatMap(\.measures)) == Set(LeadershipMeasure.allCases))
        try LeadershipFrameworkJSON.validate(framework, fileName: "default")
    }

    @Test func aFileReadsBackAsItWasWritten() throws {
        let bytes = LeadershipFrameworkJSON.encode(framework)
        #expect(try LeadershipFrameworkJSON.decode(bytes, fileName: "f.json") == framework)
    }

    /// The default as a JSON object, changed by `edit`, then read: the refusal's message and field.
    func refusal(_ edit: (inout [String: Any]) -> Void) throws -> String {
        var file = try JSONSerialization.jsonObject(with: Data(LeadershipFrameworkJSON.encode(framework))) as! [String: Any]
        edit(&file)
        let bytes = Array(try JSONSerialization.data(withJSONObject: file))
        do {
            _ = try LeadershipFrameworkJSON.decode(bytes, fileName: "team.json")
            return "read"
        } catch {
            return error.description
        }
    }

    /// Changes the first indicator of the first dimension.
    func firstIndicator(_ file: inout [String: Any], _ change: (inout [String: Any]) -> Void) {
        var framework = file["framework"] as! [String: Any]
        var dimensions = framework["dimensions"] as! [[String: Any]]
        var indicators = dimensions[0]["indicators"] as! [[String: Any]]
        change(&indicators[0])
        dimensions[0]["indicators"] = indicators
        framework["dimensions"] = dimensions
        file["framework"] = framework
    }

    @Test func aBadFileIsRefusedNamingTheFieldAndWhy() throws {
        #expect(try refusal { $0["format"] = "lodestar-framework-1" } == "team.json, field format: expected format “lodestar-leadership-framework-1”, found “lodestar-framework-1”")
        #expect(try refusal { file in firstIndicator(&file) { $0["evidence"] = ["goals", "budget"] } }
                .hasPrefix("team.json, field framework.dimensions[0].indicators[0].evidence[1]: “budget” is not a measure Lodestar knows; use one of goals, "))
        #expect(try refusal { file in firstIndicator(&file) { $0["rubric"] = ["a", "b", "c"] } }
                == "team.json, field framework.dimensions[0].indicators[0].rubric: the rubric needs one descriptor per level (4), found 3")
        #expect(try refusal { file in firstIndicator(&file) { $0["key"] = "summary" } }
                == "team.json, field framework.dimensions[0].indicators[0].key: “summary” names the one-page summary; choose another key")
        #expect(try refusal { file in firstIndicator(&file) { $0["key"] = "goals-from-evidence" } }
                == "team.json, field framework.dimensions[0].indicators[1].key: the indicator key “goals-from-evidence” is used twice")
        #expect(try refusal { file in firstIndicator(&file) { $0["questions"] = [] } }
                == "team.json, field framework.dimensions[0].indicators[0].questions: at least one guiding question is required")
        #expect(try refusal { file in firstIndicator(&file) { $0["name"] = String(repeating: "x", count: 121) } }
                == "team.json, field framework.dimensions[0].indicators[0].name: a name of 1 to 120 characters is required")
        #expect(try refusal { file in firstIndicator(&file) { $0.removeValue(forKey: "rubric") } }
                == "team.json, field framework.dimensions[0].indicators[0].rubric: the field “rubric” is missing")
    }

    @Test func theSpreadOfRatingsSaysHowFarApartTheTeamIs() {
        #expect(RatingSpread([], levels: 4).text == "No ratings yet")
        #expect(RatingSpread([3, 3], levels: 4).text == "2 ratings, all at 3")
        let spread = RatingSpread([2, 4, 3, 2], levels: 4)
        #expect(spread.counts == [0, 2, 1, 1] && spread.lowest == 2 && spread.highest == 4 && spread.range == 2 && spread.isWide)
        #expect(spread.text == "4 ratings from 2 to 4 (2: 2, 3: 1, 4: 1)")
        #expect(!RatingSpread([1, 2], levels: 4).isWide)
        // A level outside the rubric is not counted.
        #expect(RatingSpread([0, 5, 2], levels: 4).raters == 1)
    }
}
