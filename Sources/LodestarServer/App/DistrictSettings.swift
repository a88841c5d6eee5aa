import LodestarCore
import Vapor

/// District-wide settings read from the environment.
enum DistrictSettings {
    /// Shares over fewer students than `LODESTAR_MINIMUM_GROUP_SIZE` (default 10) are never shown.
    static let smallGroups = SmallGroupRule(minimum: Environment.get("LODESTAR_MINIMUM_GROUP_SIZE").flatMap(Int.init) ?? 10)

    /// A candidate's data is deleted `LODESTAR_CANDIDATE_RETENTION_DAYS` (default 365) days after the decision on them,
    /// or after they were added if no decision was made.
    static let candidateRetentionDays = max(1, Environment.get("LODESTAR_CANDIDATE_RETENTION_DAYS").flatMap(Int.init) ?? 365)
}
