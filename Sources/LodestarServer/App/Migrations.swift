import Fluent

/// Every migration, in the order they run: `NNN` in a migration's file name (`Feature/Migrations/NNN_Name.swift`)
/// is its place here. Fluent records each under its type's name, so a shipped migration is never renamed or
/// edited — `MigrationTests` keeps a checksum of every file and migrates a database made on 4 December 2026
/// forward. A change to the schema is a new migration at the end.
enum Migrations {
    static var all: [any Migration] {
        [
        RosterMigration(),  // 001
        AccountsMigration(),  // 002
        WalkthroughMigration(),  // 003
        ScheduledVisitMigration(),  // 004
        CoachingMigration(),  // 005
        StandardsMigration(),  // 006
        AssessmentMigration(),  // 007
        InterventionMigration(),  // 008
        ReadingBenchmarkMigration(),  // 009
        AuditMigration(),  // 010
        VisionMigration(),  // 011
        GoalMigration(),  // 012
        TimeMigration(),  // 013
        InsightsMigration(),  // 014
        MasteryRollupMigration(),  // 015
        MasteryDistrictTotalsMigration(),  // 016
        IndicatorDistrictTotalsMigration(),  // 017
        ProfessionalLearningMigration(),  // 018
        LearningNeedTeamMigration(),  // 019
        SchoolReadIndexesMigration(),  // 020
        TwoFactorMigration(),  // 021
        AuditTrailMigration(),  // 022
        SessionRecord.migration,  // 023
        StaffEmailUniqueMigration(),  // 024
        TimeOverlapsCountedOnceMigration(),  // 025
        PracticeSeenOfLookedForMigration(),  // 026
        WalkthroughEditedMigration(),  // 027
        NotificationsMigration(),  // 028
        CalendarSubscriptionsMigration(),  // 029
        CalendarFeedsMigration(),  // 030
        LeadershipMigration(),  // 031
        TalentMigration(),  // 032
        SuccessionMigration(),  // 033
        InductionMigration(),  // 034
        StaffArrivalsMigration(),  // 035
        PriorityStandardsMigration(),  // 036
        StandardLinksMigration(),  // 037
        ResourceLedgerMigration(),  // 038
        PriorityCadenceMigration(),  // 039
        CommonAssessmentMigration(),  // 040
        LibraryMigration(),  // 041
        InquiryCyclePriorityGradeMigration(),  // 042
        InterventionMinutesMigration(),  // 043
        FeedbackLoopMigration(),  // 044
        SignInFailuresMigration(),  // 045
        ImportJobsMigration(),  // 046
        FeedbackDaysMigration(),  // 047
        ]
    }
}
