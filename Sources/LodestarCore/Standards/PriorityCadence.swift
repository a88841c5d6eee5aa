/// How often each priority standard must be assessed in every class that teaches it: at least once every `weeks`
/// weeks. The district sets it; 4 until it does.
public struct PriorityCadence: Sendable, Equatable {
    public static let standard = PriorityCadence(weeks: 4)
    public static let allowedWeeks = 1...18

    public var weeks: Int
    public init(weeks: Int) { self.weeks = weeks }

    /// Due when the standard's latest assessment in the class (this school year) is more than `weeks` weeks before
    /// `today`, or when it has none and the school year began more than `weeks` weeks before `today` (a class is not
    /// behind before the first window has passed). Days are ISO dates.
    public func isDue(lastAssessed: String?, today: String, yearStart: String) -> Bool {
        guard let now = ISODay.number(today) else { return false }
        guard let last = lastAssessed.flatMap(ISODay.number) else {
            return (ISODay.number(yearStart).map { now - $0 } ?? 0) > weeks * 7
        }
        return now - last > weeks * 7
    }
}
