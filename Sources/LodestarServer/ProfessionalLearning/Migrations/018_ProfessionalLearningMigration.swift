import Fluent
import SQLKit

struct ProfessionalLearningMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LearningNeed.schema)
            .field("id", .string, .identifier(auto: false))
            .field("scope", .string, .required).field("kind", .string, .required).field("subject_key", .string, .required)
            .field("title", .string, .required).field("evidence", .string, .required).field("evidence_link", .string, .required)
            .field("status", .string, .required).field("accepted_by", .string, .required).field("accepted_at", .int64, .required)
            .create()
        try await database.schema(LearningSession.schema)
            .field("id", .string, .identifier(auto: false))
            .field("scope", .string, .required).field("title", .string, .required).field("series", .string, .required)
            .field("need_id", .string).field("facilitator_id", .string, .required).field("audience", .string, .required)
            .field("starts_at", .int64, .required).field("ends_at", .int64, .required).field("location", .string, .required)
            .field("materials", .string, .required).field("look_fors", .string, .required)
            .field("indicators", .string, .required).field("standards", .string, .required)
            .field("created_by", .string, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema(SessionAttendance.schema)
            .field("id", .string, .identifier(auto: false))
            .field("session_id", .string, .required).field("staff_id", .string, .required)
            .field("recorded_by", .string, .required).field("recorded_at", .int64, .required)
            .create()
        try await database.schema(MentorPairing.schema)
            .field("id", .string, .identifier(auto: false))
            .field("school_id", .string, .required).field("indicator_key", .string, .required)
            .field("mentor_id", .string, .required).field("mentee_id", .string, .required)
            .field("confirmed_by", .string, .required).field("confirmed_at", .int64, .required).field("ended_at", .int64)
            .create()
        try await database.schema(GrowthGoal.schema)
            .field("id", .string, .identifier(auto: false))
            .field("teacher_id", .string, .required).field("statement", .string, .required).field("indicators", .string, .required)
            .field("set_at", .int64, .required).field("closed_at", .int64)
            .create()
        try await database.schema(GrowthReflection.schema)
            .field("id", .string, .identifier(auto: false))
            .field("goal_id", .string, .required).field("author_id", .string, .required)
            .field("body", .string, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema(PLCTeam.schema)
            .field("id", .string, .identifier(auto: false))
            .field("school_id", .string, .required).field("name", .string, .required).field("focus", .string, .required)
            .field("created_by", .string, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema(PLCMember.schema)
            .field("id", .string, .identifier(auto: false))
            .field("team_id", .string, .required).field("staff_id", .string, .required)
            .create()
        try await database.schema(PLCMeeting.schema)
            .field("id", .string, .identifier(auto: false))
            .field("team_id", .string, .required).field("held_on", .string, .required).field("notes", .string, .required)
            .field("author_id", .string, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema(InquiryCycle.schema)
            .field("id", .string, .identifier(auto: false))
            .field("team_id", .string, .required).field("question", .string, .required).field("assessments", .string, .required)
            .field("plan", .string, .required).field("action", .string, .required).field("learned", .string, .required)
            .field("status", .string, .required).field("opened_at", .int64, .required).field("updated_at", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        for statement in [
            "CREATE INDEX learning_needs_scope ON learning_needs (scope, status)",
            "CREATE INDEX learning_sessions_scope ON learning_sessions (scope, starts_at)",
            "CREATE INDEX session_attendance_session ON session_attendance (session_id)",
            "CREATE INDEX session_attendance_staff ON session_attendance (staff_id)",
            "CREATE INDEX mentor_pairings_school ON mentor_pairings (school_id, indicator_key)",
            "CREATE INDEX growth_goals_teacher ON growth_goals (teacher_id, set_at)",
            "CREATE INDEX growth_reflections_goal ON growth_reflections (goal_id)",
            "CREATE INDEX plc_teams_school ON plc_teams (school_id)",
            "CREATE INDEX plc_members_staff ON plc_members (staff_id)",
            "CREATE INDEX plc_members_team ON plc_members (team_id)",
            "CREATE INDEX plc_meetings_team ON plc_meetings (team_id, held_on)",
            "CREATE INDEX inquiry_cycles_team ON inquiry_cycles (team_id)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["inquiry_cycles", "plc_meetings", "plc_members", "plc_teams", "growth_reflections", "growth_goals",
                      "mentor_pairings", "session_attendance", "learning_sessions", "learning_needs"] {
            try await database.schema(table).delete()
        }
    }
}
