import Foundation

/// The leadership framework file: UTF-8 JSON, documented in the README.
///
/// ```json
/// { "format": "lodestar-leadership-framework-1",
///   "framework": { "key": "…", "name": "…", "description": "…", "levels": [ "…", "…", "…", "…" ],
///                  "dimensions": [ { "key": "…", "name": "…",
///                                    "indicators": [ { "key": "…", "name": "…", "description": "…",
///                                                      "questions": [ "…" ], "rubric": [ "… one per level" ],
///                                                      "evidence": [ "goals", "visits-and-feedback" ] } ] } ] } }
/// ```
public enum LeadershipFrameworkJSON {
    public static let format = "lodestar-leadership-framework-1"

    public static func encode(_ framework: LeadershipFramework) -> [UInt8] { FrameworkFile.encode(framework, format: format) }

    /// Reads and checks a file; an error names the file and the field.
    public static func decode(_ bytes: [UInt8], fileName: String) throws(LodestarError) -> LeadershipFramework {
        let framework = try FrameworkFile.decode(LeadershipFramework.self, from: bytes, format: format, fileName: fileName)
        try validate(framework, fileName: fileName)
        return framework
    }

    /// Longest texts stored: a name, a description, a question or descriptor.
    public static let nameLimit = 120, textLimit = 2_000

    /// The rules a framework meets, so ratings and the evidence beside them can rely on it.
    public static func validate(_ framework: LeadershipFramework, fileName: String) throws(LodestarError) {
        func fail(_ field: String, _ message: String) -> LodestarError {
            LodestarError(message, at: FileLocation(file: fileName, field: field))
        }
        func isKey(_ text: String) -> Bool {
            !text.isEmpty && text.count <= 60 && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        }
        func checkName(_ text: String, _ field: String) throws(LodestarError) {
            guard !text.trimmed.isEmpty, text.count <= nameLimit else { throw fail(field, "a name of 1 to \(nameLimit) characters is required") }
        }
        func checkTexts(_ texts: [String], _ field: String, what: String) throws(LodestarError) {
            for (n, text) in texts.enumerated() {
                guard !text.trimmed.isEmpty else { throw fail("\(field)[\(n)]", "\(what) may not be empty") }
                guard text.count <= textLimit else { throw fail("\(field)[\(n)]", "\(what) is longer than \(textLimit) characters") }
            }
        }
        guard isKey(framework.key) else { throw fail("framework.key", "a key of lower-case letters, digits, - or _ is required, found “\(framework.key)”") }
        try checkName(framework.name, "framework.name")
        guard framework.description.count <= textLimit else { throw fail("framework.description", "the description is longer than \(textLimit) characters") }
        guard (2...6).contains(framework.levels.count) else { throw fail("framework.levels", "a rubric needs 2 to 6 levels, found \(framework.levels.count)") }
        for (n, level) in framework.levels.enumerated() { try checkName(level, "framework.levels[\(n)]") }
        guard Set(framework.levels).count == framework.levels.count else { throw fail("framework.levels", "levels must have different names") }
        guard !framework.dimensions.isEmpty else { throw fail("framework.dimensions", "at least one dimension is required") }
        var dimensionKeys: Set<String> = [], indicatorKeys: Set<String> = []
        let known = LeadershipMeasure.allCases.map(\.rawValue)
        for (d, dimension) in framework.dimensions.enumerated() {
            let path = "framework.dimensions[\(d)]"
            guard isKey(dimension.key) else { throw fail("\(path).key", "a key of lower-case letters, digits, - or _ is required, found “\(dimension.key)”") }
            guard dimensionKeys.insert(dimension.key).inserted else { throw fail("\(path).key", "the dimension key “\(dimension.key)” is used twice") }
            try checkName(dimension.name, "\(path).name")
            guard !dimension.indicators.isEmpty else { throw fail("\(path).indicators", "each dimension needs at least one indicator") }
            for (i, indicator) in dimension.indicators.enumerated() {
                let path = "\(path).indicators[\(i)]"
                guard isKey(indicator.key) else { throw fail("\(path).key", "a key of lower-case letters, digits, - or _ is required, found “\(indicator.key)”") }
                guard indicator.key != "summary" else { throw fail("\(path).key", "“summary” names the one-page summary; choose another key") }
                guard indicatorKeys.insert(indicator.key).inserted else { throw fail("\(path).key", "the indicator key “\(indicator.key)” is used twice") }
                try checkName(indicator.name, "\(path).name")
                guard indicator.description.count <= textLimit else { throw fail("\(path).description", "the description is longer than \(textLimit) characters") }
                guard !indicator.questions.isEmpty else { throw fail("\(path).questions", "at least one guiding question is required") }
                try checkTexts(indicator.questions, "\(path).questions", what: "a guiding question")
                guard indicator.rubric.count == framework.levels.count else {
                    throw fail("\(path).rubric", "the rubric needs one descriptor per level (\(framework.levels.count)), found \(indicator.rubric.count)")
                }
                try checkTexts(indicator.rubric, "\(path).rubric", what: "a descriptor")
                for (e, measure) in indicator.evidence.enumerated() where !known.contains(measure) {
                    throw fail("\(path).evidence[\(e)]", "“\(measure)” is not a measure Lodestar knows; use one of \(known.joined(separator: ", "))")
                }
                guard Set(indicator.evidence).count == indicator.evidence.count else { throw fail("\(path).evidence", "a measure is named twice") }
            }
        }
    }
}
