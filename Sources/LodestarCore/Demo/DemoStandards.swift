/// The demo district's own standards, Mathematics and English Language Arts from kindergarten to
/// grade 12, written for Lodestar. A CASE package, so it is stored like any imported standards.
public enum DemoStandards {
    /// The CASE document id of a subject's standards.
    public static func documentId(_ subject: String) -> String { "cedar-valley-\(subjects.first { $0.subject == subject }?.prefix.lowercased() ?? "x")" }

    /// The identifier of a standard, e.g. `cv-math-03-2`.
    public static func identifier(subject: String, grade: String, number: Int) -> String {
        "cv-\(subjects.first { $0.subject == subject }?.prefix.lowercased() ?? "x")-\(grade)-\(number)"
    }

    static let math: [(band: ClosedRange<Int>, statements: [String])] = [
        (0...2, ["Count, read and write whole numbers within the grade's range", "Add and subtract within the grade's range using objects, drawings and equations",
                 "Compare numbers and use place value to explain the comparison", "Describe and compare shapes by their attributes"]),
        (3...5, ["Multiply and divide fluently within the grade's range", "Represent and compare fractions, and add and subtract them",
                 "Solve multi-step word problems with the four operations", "Measure and find area, perimeter and volume"]),
        (6...8, ["Understand ratios and rates and use them to solve problems", "Write, read and evaluate expressions with variables",
                 "Solve one-variable equations and inequalities", "Summarize and describe distributions of data"]),
        (9...12, ["Create and solve equations and inequalities in one and two variables", "Understand functions and use them to model relationships",
                  "Prove and apply geometric theorems", "Interpret data with statistical models and probability"]),
    ]

    static let ela: [(band: ClosedRange<Int>, statements: [String])] = [
        (0...2, ["Know and apply phonics and word analysis skills in decoding words", "Read grade-level text with purpose, accuracy and fluency",
                 "Ask and answer questions about key details in a text", "Write to tell about an event or share an opinion, with details"]),
        (3...5, ["Read grade-level text with accuracy, fluency and understanding", "Determine the main idea of a text and explain how details support it",
                 "Write opinion pieces that support a point of view with reasons", "Determine the meaning of words and phrases in a text"]),
        (6...8, ["Cite textual evidence to support analysis of what a text says", "Determine a theme or central idea and analyze its development",
                 "Write arguments that support claims with clear reasons and evidence", "Engage in collaborative discussions, building on others' ideas"]),
        (9...12, ["Cite strong and thorough textual evidence to support analysis", "Analyze how complex characters or ideas develop over a text",
                  "Write arguments to support claims using valid reasoning and sufficient evidence", "Conduct research projects to answer a question or solve a problem"]),
    ]

    /// Subject → (code prefix, grade statements).
    static let subjects: [(subject: String, prefix: String, bands: [(band: ClosedRange<Int>, statements: [String])])] = [
        ("Mathematics", "MATH", math), ("English Language Arts", "ELA", ela),
    ]

    /// The code of a demo standard, e.g. `CV.MATH.3.2`.
    public static func code(subject: String, grade: String, number: Int) -> String {
        let prefix = subjects.first { $0.subject == subject }?.prefix ?? "X"
        return "CV.\(prefix).\(grade == "KG" ? "K" : String(Int(grade) ?? 0)).\(number)"
    }

    /// One package per subject.
    public static var packages: [CASEPackage] {
        subjects.map { subject in
            var items: [CASEPackage.Item] = []
            for (g, grade) in ["KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"].enumerated() {
                let gradeNumber = grade == "KG" ? 0 : Int(grade)!
                let groupId = "cv-\(subject.prefix.lowercased())-\(grade)"
                items.append(.init(identifier: groupId, code: "CV.\(subject.prefix).\(grade == "KG" ? "K" : String(gradeNumber))",
                                   statement: "\(GradeLevel.label(grade)) \(subject.subject)", abbreviatedStatement: "", type: "Grade",
                                   grades: [grade], parentIdentifier: nil, position: g))
                let statements = subject.bands.first { $0.band.contains(gradeNumber) }!.statements
                for (n, statement) in statements.enumerated() {
                    items.append(.init(identifier: identifier(subject: subject.subject, grade: grade, number: n + 1),
                                       code: code(subject: subject.subject, grade: grade, number: n + 1),
                                       statement: statement, abbreviatedStatement: "", type: "Standard", grades: [grade],
                                       parentIdentifier: groupId, position: n))
                }
            }
            // Each grade's standard n leads to the next grade's standard n — except, in English language arts, from
            // grade 8 to grade 9, which the district has not linked yet (the vertical alignment shows the gap).
            let grades = ["KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]
            var links: [CASEPackage.Link] = []
            for (g, grade) in grades.enumerated().dropLast() where !(subject.prefix == "ELA" && grade == "08") {
                for n in 1...4 {
                    links.append(.init(origin: identifier(subject: subject.subject, grade: grade, number: n),
                                       destination: identifier(subject: subject.subject, grade: grades[g + 1], number: n), kind: .precedes))
                }
            }
            return CASEPackage(identifier: documentId(subject.subject), title: "Cedar Valley Standards: \(subject.subject)",
                               creator: DemoDistrict.districtName, subject: subject.subject, adoptionStatus: "Adopted", items: items, warnings: [],
                               links: links)
        }
    }
}
