/// A proficiency scale: named levels with values, the level that counts as mastery, and cut
/// scores that turn points into a level.
public struct ProficiencyScale: Sendable, Equatable, Codable {
    public struct Level: Sendable, Equatable, Codable {
        public var name: String
        public var value: Double

        public init(name: String, value: Double) {
            self.name = name
            self.value = value
        }
    }

    public var name: String
    /// Lowest first.
    public var levels: [Level]
    /// The value at or above which a student has mastered a standard.
    public var masteryValue: Double
    /// Minimum percentage of points for each level above the first, in order: for the default scale
    /// [60, 75, 90] means 60% → Approaching, 75% → Meets, 90% → Exceeds.
    public var cutPercentages: [Double]

    public init(name: String, levels: [Level], masteryValue: Double, cutPercentages: [Double]) {
        self.name = name; self.levels = levels; self.masteryValue = masteryValue; self.cutPercentages = cutPercentages
    }

    /// Beginning (1), Approaching (2), Meets (3), Exceeds (4); mastery at Meets.
    public static let fourLevel = ProficiencyScale(
        name: "Four levels",
        levels: [.init(name: "Beginning", value: 1), .init(name: "Approaching", value: 2),
                 .init(name: "Meets", value: 3), .init(name: "Exceeds", value: 4)],
        masteryValue: 3, cutPercentages: [60, 75, 90])

    public var minimum: Double { levels.first?.value ?? 0 }
    public var maximum: Double { levels.last?.value ?? 0 }

    public func clamp(_ value: Double) -> Double { min(max(value, minimum), maximum) }

    /// The level for points earned out of points possible, by the cut percentages.
    public func level(points: Double, outOf possible: Double) -> Level? {
        guard possible > 0, points >= 0, points <= possible, !levels.isEmpty else { return nil }
        let percent = points / possible * 100
        var index = 0
        for (position, cut) in cutPercentages.enumerated() where percent >= cut - 1e-9 { index = position + 1 }
        return levels[min(index, levels.count - 1)]
    }

    /// The named level a (possibly fractional) mastery value falls in: the highest level not above it.
    public func level(for value: Double) -> Level? {
        levels.last { $0.value <= value + 1e-9 } ?? levels.first
    }

    /// Checks the scale makes sense before it is used.
    public func validate() throws(LodestarError) {
        guard levels.count >= 2 else { throw LodestarError("a scale needs at least two levels") }
        guard zip(levels, levels.dropFirst()).allSatisfy({ $0.value < $1.value }) else {
            throw LodestarError("level values must rise from the first level to the last")
        }
        guard cutPercentages.count == levels.count - 1,
              zip(cutPercentages, cutPercentages.dropFirst()).allSatisfy({ $0 < $1 }),
              cutPercentages.allSatisfy({ $0 > 0 && $0 <= 100 }) else {
            throw LodestarError("give one rising cut percentage (1–100) for each level above the first")
        }
        guard (minimum...maximum).contains(masteryValue) else { throw LodestarError("the mastery value must be on the scale") }
    }
}
