extension ProficiencyScale {
    /// Reads a scale from the settings form: levels one per line as "value name" (lowest first),
    /// the mastery value, and cut percentages separated by commas.
    public init(formName: String, levels text: String, masteryValue: String, cuts: String) throws(LodestarError) {
        let name = formName.trimmed
        guard !name.isEmpty else { throw LodestarError("give the scale a name") }
        var levels: [Level] = []
        for (index, line) in text.split(whereSeparator: \.isNewline).map({ String($0).trimmed }).filter({ !$0.isEmpty }).enumerated() {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[0]) else {
                throw LodestarError("level \(index + 1): write the value, a space, then the name, e.g. “3 Meets”")
            }
            levels.append(Level(name: parts[1].trimmed, value: value))
        }
        guard let mastery = Double(masteryValue.trimmed) else { throw LodestarError("give the mastery value as a number") }
        var cutPercentages: [Double] = []
        for part in cuts.split(separator: ",").map({ String($0).trimmed }).filter({ !$0.isEmpty }) {
            guard let cut = Double(part) else { throw LodestarError("cut scores are percentages separated by commas, e.g. 60, 75, 90") }
            cutPercentages.append(cut)
        }
        self.init(name: name, levels: levels, masteryValue: mastery, cutPercentages: cutPercentages)
        guard levels.contains(where: { $0.value == mastery }) else { throw LodestarError("the mastery value must be one of the levels") }
        try validate()
    }
}
