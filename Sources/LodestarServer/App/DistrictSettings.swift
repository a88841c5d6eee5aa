import LodestarCore
import Vapor

/// District-wide settings read from the environment.
enum DistrictSettings {
    /// Shares over fewer students than `LODESTAR_MINIMUM_GROUP_SIZE` (default 10) are never shown.
    static let smallGroups = SmallGroupRule(minimum: Environment.get("LODESTAR_MINIMUM_GROUP_SIZE").flatMap(Int.init) ?? 10)
}
