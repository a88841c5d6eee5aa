import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Makes the audit trail append-only in the database itself: no row can be deleted, and the only change
/// allowed is the one a student's deletion makes — the subject replaced by `AuditTrail.redactedSubject`.
struct AuditTrailMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await sql.raw("CREATE INDEX audit_events_staff ON audit_events (staff_id, at)").run()
        let unchangedButSubject = "NEW.subject = '\(AuditTrail.redactedSubject)' AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.staff_id = OLD.staff_id AND NEW.action = OLD.action AND NEW.address = OLD.address"
        if sql.dialect.name == "sqlite" {
            try await sql.raw("CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END").run()
            try await sql.raw(SQLQueryString("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events WHEN NOT (\(unsafeRaw: unchangedButSubject)) BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END")).run()
        } else {
            try await sql.raw(SQLQueryString("""
                CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' AND \(unsafeRaw: unchangedButSubject) THEN RETURN NEW; END IF;
                    RAISE EXCEPTION 'the audit trail is append-only';
                END $$
                """)).run()
            try await sql.raw("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()").run()
            try await sql.raw("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()").run()
        }
    }

    func revert(on database: any Database) async throws {}
}
