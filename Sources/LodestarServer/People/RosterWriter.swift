import Foundation
import Fluent
import LodestarCore
import SQLKit

/// What an import did, per entity, plus what it skipped and warned about.
struct ImportReport: Sendable, Codable, Equatable {
    struct Line: Sendable, Codable, Equatable {
        var entity: String
        var counts: SyncCounts
    }

    var lines: [Line] = []
    var warnings: [String] = []

    func counts(_ entity: String) -> SyncCounts? { lines.first { $0.entity == entity }?.counts }

    /// True when the import changed nothing in the database.
    var changedNothing: Bool { lines.allSatisfy { $0.counts.created + $0.counts.updated + $0.counts.deleted == 0 } }
}

/// Stores a `RosterBundle` — from a OneRoster export or the demo generator — in one write transaction.
///
/// The current rows are loaded, the bundle is applied to them in memory (bulk files replace their
/// entity, delta files change only the rows they name, `tobedeleted` removes), and only the difference
/// is written. Rows are matched by `sourcedId`, so importing the same export twice changes nothing.
/// References to records that exist nowhere are reported as warnings: real exports contain them.
struct RosterWriter {
    static let orgs = TableSync(table: "orgs", columns: [("name", .text), ("type", .text), ("identifier", .text), ("parent_id", .optionalText)])
    static let sessions = TableSync(table: "academic_sessions", columns: [
        ("title", .text), ("type", .text), ("start_date", .text), ("end_date", .text), ("parent_id", .optionalText), ("school_year", .text)])
    static let courses = TableSync(table: "courses", columns: [
        ("title", .text), ("course_code", .text), ("grades", .text), ("org_id", .optionalText), ("subjects", .text)])
    static let classes = TableSync(table: "classes", columns: [
        ("title", .text), ("grades", .text), ("course_id", .optionalText), ("class_code", .text), ("class_type", .text),
        ("location", .text), ("school_id", .text), ("term_ids", .text), ("subjects", .text), ("periods", .text)])
    static let students = TableSync(table: "students", columns: [
        ("given_name", .text), ("family_name", .text), ("preferred_name", .text), ("identifier", .text), ("username", .text),
        ("grade", .text), ("school_id", .text), ("birth_date", .optionalText), ("sex", .text), ("race_ethnicity", .text),
        ("english_learner", .bool), ("special_education", .bool), ("section_504", .bool),
        ("economically_disadvantaged", .bool), ("gifted", .bool)])
    static let staff = TableSync(table: "staff", columns: [
        ("given_name", .text), ("family_name", .text), ("email", .text), ("username", .text), ("identifier", .text),
        ("roster_role", .text), ("org_ids", .text), ("is_enabled", .bool)], scope: "source = 'oneroster'")
    static let enrollments = TableSync(table: "enrollments", columns: [
        ("class_id", .text), ("user_id", .text), ("role", .text), ("is_primary", .bool), ("begin_date", .optionalText),
        ("end_date", .optionalText), ("school_id", .text)])
    static let rosterGrants = TableSync(table: "role_grants", columns: [
        ("staff_id", .text), ("role", .text), ("school_id", .optionalText), ("source", .text)], scope: "source = 'roster'")

    /// Index of the demographic and program cells in a student row.
    enum StudentCell {
        static let birthDate = 7, sex = 8, race = 9
        static let programs: [(WritableKeyPath<ProgramFlags, Bool>, Int)] = [
            (\.englishLearner, 10), (\.specialEducation, 11), (\.section504, 12), (\.economicallyDisadvantaged, 13), (\.gifted, 14)]
    }

    /// Applies `bundle` inside one write transaction on `database`.
    static func write(_ bundle: RosterBundle, to database: any Database) async throws -> ImportReport {
        try await database.writeTransaction { db in
            let (report, changedStudents) = try await apply(bundle, on: db)
            // Students who moved school or grade, changed groups or left count where they are now.
            try await db.announce(.studentsMoved(changedStudents))
            return report
        }
    }

    private static func apply(_ bundle: RosterBundle, on database: any Database) async throws -> (ImportReport, [String]) {
        let db = database.sql
        var report = ImportReport(warnings: bundle.warnings)
        let warn = WarningCollector()

        // Orgs, sessions, courses, classes: one table each.
        let currentOrgs = try await orgs.load(db)
        let desiredOrgs = merge(currentOrgs, bundle.orgs, mode: bundle.mode(of: .orgs), id: \.sourcedId, status: \.status) {
            [.text($0.name), .text($0.type), .text($0.identifier), Cell($0.parentSourcedId)]
        }
        report.lines.append(.init(entity: "orgs", counts: try await orgs.apply(from: currentOrgs, to: desiredOrgs, on: db)))
        let schoolIds = Set(desiredOrgs.filter { $0.value[1] == .text("school") }.keys)

        let currentSessions = try await sessions.load(db)
        let desiredSessions = merge(currentSessions, bundle.academicSessions, mode: bundle.mode(of: .academicSessions), id: \.sourcedId, status: \.status) {
            [.text($0.title), .text($0.type), .text($0.startDate), .text($0.endDate), Cell($0.parentSourcedId), .text($0.schoolYear)]
        }
        report.lines.append(.init(entity: "academicSessions", counts: try await sessions.apply(from: currentSessions, to: desiredSessions, on: db)))

        let currentCourses = try await courses.load(db)
        let desiredCourses = merge(currentCourses, bundle.courses, mode: bundle.mode(of: .courses), id: \.sourcedId, status: \.status) {
            [.text($0.title), .text($0.courseCode), .text(joined($0.grades)), Cell($0.orgSourcedId), .text(joined($0.subjects))]
        }
        report.lines.append(.init(entity: "courses", counts: try await courses.apply(from: currentCourses, to: desiredCourses, on: db)))

        let currentClasses = try await classes.load(db)
        let desiredClasses = merge(currentClasses, bundle.classes, mode: bundle.mode(of: .classes), id: \.sourcedId, status: \.status) { c in
            if desiredOrgs[c.schoolSourcedId] == nil { warn.add("classes without a known school", "classes.csv: class \(c.sourcedId) names school \(c.schoolSourcedId), which is in neither the export nor Lodestar.") }
            if let course = c.courseSourcedId, desiredCourses[course] == nil { warn.add("classes without a known course", "classes.csv: class \(c.sourcedId) names course \(course), which is in neither the export nor Lodestar; the class was kept without its course.") }
            return [.text(c.title), .text(joined(c.grades)), Cell(c.courseSourcedId.flatMap { desiredCourses[$0] == nil ? nil : $0 }),
                    .text(c.classCode), .text(c.classType), .text(c.location), .text(c.schoolSourcedId),
                    .text(joined(c.termSourcedIds)), .text(joined(c.subjects)), .text(joined(c.periods))]
        }
        report.lines.append(.init(entity: "classes", counts: try await classes.apply(from: currentClasses, to: desiredClasses, on: db)))

        // Users split into students and staff; family members are not kept.
        let currentStudents = try await students.load(db)
        let currentStaff = try await staff.load(db)
        var desiredStudents = currentStudents
        var desiredStaff = currentStaff
        let usersMode = bundle.mode(of: .users)
        if usersMode == .bulk {
            desiredStudents = [:]
            desiredStaff = [:]
        }
        // Accounts made in Lodestar (a break-glass admin, people added by hand) are never written by a roster:
        // a row with one of their ids is refused, and no roster row may take one of their emails.
        let localAccounts = try await StaffDirectory(db: database).accountsNotFromRoster()
        let localIds = Set(localAccounts.map(\.id))
        var familySkipped = 0
        for user in bundle.users {
            if localIds.contains(user.sourcedId) {
                warn.add("rows naming local accounts", "users.csv\(user.line.map { " line \($0)" } ?? ""): user \(user.sourcedId) is an account made in Lodestar, not by the roster; the row was refused and the account left as it is.")
                continue
            }
            guard user.status != .toBeDeleted else {
                desiredStudents[user.sourcedId] = nil
                desiredStaff[user.sourcedId] = nil
                continue
            }
            if user.isFamily { familySkipped += 1; continue }
            let school = user.orgSourcedIds.first(where: schoolIds.contains) ?? user.orgSourcedIds.first ?? ""
            if user.isStudent {
                desiredStaff[user.sourcedId] = nil
                var cells = currentStudents[user.sourcedId]
                    ?? [.text(""), .text(""), .text(""), .text(""), .text(""), .text(""), .text(""), .null, .text(""),
                        .text(RaceEthnicity.notReported.rawValue), .bool(false), .bool(false), .bool(false), .bool(false), .bool(false)]
                cells[0] = .text(user.givenName); cells[1] = .text(user.familyName); cells[2] = .text(user.preferredGivenName)
                cells[3] = .text(user.identifier); cells[4] = .text(user.username)
                cells[5] = .text(user.grades.first ?? ""); cells[6] = .text(school)
                if let programs = user.programs { setPrograms(programs, in: &cells) }
                desiredStudents[user.sourcedId] = cells
            } else {
                desiredStudents[user.sourcedId] = nil
                desiredStaff[user.sourcedId] = [
                    .text(user.givenName), .text(user.familyName), .text(user.email.lowercased()), .text(user.username.lowercased()),
                    .text(user.identifier), .text(user.role), .text(joined(user.orgSourcedIds)), .bool(user.enabledUser)]
            }
        }
        if familySkipped > 0 { warn.add("family members", "users.csv: \(familySkipped) family members (guardians, parents, relatives) were not imported; Lodestar does not hold family contacts.") }

        // Demographics complete the student rows.
        let demographicsMode = bundle.mode(of: .demographics)
        if demographicsMode == .bulk {
            let listed = Set(bundle.demographics.map(\.userSourcedId))
            for id in desiredStudents.keys where !listed.contains(id) {
                desiredStudents[id]![StudentCell.birthDate] = .null
                desiredStudents[id]![StudentCell.sex] = .text("")
                desiredStudents[id]![StudentCell.race] = .text(RaceEthnicity.notReported.rawValue)
            }
        }
        var demographicsForNonStudents = 0
        for record in bundle.demographics {
            guard var cells = desiredStudents[record.userSourcedId] else {
                if desiredStaff[record.userSourcedId] == nil { demographicsForNonStudents += 1 }
                continue
            }
            let cleared = record.status == .toBeDeleted
            cells[StudentCell.birthDate] = cleared ? .null : Cell(record.birthDate)
            cells[StudentCell.sex] = .text(cleared ? "" : record.sex)
            cells[StudentCell.race] = .text((cleared ? .notReported : record.raceEthnicity).rawValue)
            if let programs = record.programs, !cleared { setPrograms(programs, in: &cells) }
            desiredStudents[record.userSourcedId] = cells
        }
        if demographicsForNonStudents > 0 { warn.add("demographics of non-students", "demographics.csv: \(demographicsForNonStudents) rows name people who are not students in Lodestar; they were skipped.") }

        try checkUniqueEmails(desiredStaff, lines: Dictionary(bundle.users.compactMap { u in u.line.map { (u.sourcedId, $0) } }, uniquingKeysWith: { a, _ in a }),
                              localAccounts: localAccounts)
        let studentCounts = try await students.apply(from: currentStudents, to: desiredStudents, on: db)
        let changedStudents = Set(currentStudents.keys).union(desiredStudents.keys).filter { currentStudents[$0] != desiredStudents[$0] }
        let staffCounts = try await staff.apply(from: currentStaff, to: desiredStaff, on: db,
                                                extraInsertColumns: [("source", .text("oneroster"))])
        report.lines.append(.init(entity: "students", counts: studentCounts))
        report.lines.append(.init(entity: "staff", counts: staffCounts))

        // Enrollments need their class and person; those of removed classes and people go with them.
        // The roster never writes accounts made in Lodestar, so the list read above still holds.
        let localStaff = localAccounts.filter { $0.source == "local" }.map(\.id)
        let people = Set(desiredStudents.keys).union(desiredStaff.keys).union(localStaff)
        let currentEnrollments = try await enrollments.load(db)
        var desiredEnrollments = bundle.mode(of: .enrollments) == .bulk ? TableRows() : currentEnrollments
        for enrollment in bundle.enrollments {
            guard enrollment.status != .toBeDeleted else { desiredEnrollments[enrollment.sourcedId] = nil; continue }
            guard desiredClasses[enrollment.classSourcedId] != nil, people.contains(enrollment.userSourcedId) else {
                warn.add("enrollments skipped", "enrollments.csv: enrollment \(enrollment.sourcedId) names class \(enrollment.classSourcedId) and person \(enrollment.userSourcedId); one of them is not in Lodestar, so it was skipped.")
                continue
            }
            desiredEnrollments[enrollment.sourcedId] = [
                .text(enrollment.classSourcedId), .text(enrollment.userSourcedId), .text(enrollment.role), .bool(enrollment.primary),
                Cell(enrollment.beginDate), Cell(enrollment.endDate), .text(enrollment.schoolSourcedId)]
        }
        desiredEnrollments = desiredEnrollments.filter { desiredClasses[$0.value[0].text!] != nil && people.contains($0.value[1].text!) }
        report.lines.append(.init(entity: "enrollments", counts: try await enrollments.apply(from: currentEnrollments, to: desiredEnrollments, on: db)))

        // Teachers may sign in as teachers of the schools they are rostered to and teach in.
        var desiredGrants = TableRows()
        for (id, cells) in desiredStaff where cells[5] == .text("teacher") {
            for school in (cells[6].text ?? "").split(separator: ",").map(String.init) where schoolIds.contains(school) {
                let grant = RoleGrant(role: .teacher, schoolId: school)
                desiredGrants[RoleGrantRecord.id(staffId: id, grant: grant)] = [.text(id), .text("teacher"), .text(school), .text("roster")]
            }
        }
        for cells in desiredEnrollments.values where cells[2] == .text("teacher") {
            let staffId = cells[1].text!, school = cells[6].text!
            guard desiredStaff[staffId] != nil, schoolIds.contains(school) else { continue }
            let grant = RoleGrant(role: .teacher, schoolId: school)
            desiredGrants[RoleGrantRecord.id(staffId: staffId, grant: grant)] = [.text(staffId), .text("teacher"), .text(school), .text("roster")]
        }
        let currentGrants = try await rosterGrants.load(db)
        try await rosterGrants.apply(from: currentGrants, to: desiredGrants, on: db)
        try await recordArrivals(granted: desiredGrants, before: currentGrants, enrollments: desiredEnrollments, on: db)

        // Grants given by hand to people the roster removed go with them.
        let removedStaff = Array(Set(currentStaff.keys).subtracting(desiredStaff.keys))
        for batch in removedStaff.chunks(of: 1_000) {
            try await db.delete(from: "role_grants").where("staff_id", .in, batch).run()
        }

        report.warnings += warn.messages
        return (report, changedStudents.sorted())
    }

    /// A teacher the roster puts at a school for the first time has arrived there (`StaffArrival`), on their first
    /// teaching enrollment's begin date there or today — unless this is the district's first roster: then everyone
    /// starts at once and no one is new. Enrollments are read only when someone arrived (an import usually adds no one).
    private static func recordArrivals(granted: TableRows, before: TableRows, enrollments: TableRows, on db: any SQLDatabase) async throws {
        guard !before.isEmpty else { return }
        let arrived = granted.filter { before[$0.key] == nil }.values.map { (staff: $0[0].text!, school: $0[2].text!) }
            .sorted { ($0.school, $0.staff) < ($1.school, $1.staff) }
        guard !arrived.isEmpty else { return }
        let keys = Set(arrived.map { "\($0.staff)|\($0.school)" })
        var firstDay: [String: String] = [:]
        for cells in enrollments.values where cells[2] == .text("teacher") {
            let key = "\(cells[1].text!)|\(cells[6].text!)"
            guard keys.contains(key), let begin = cells[4].text.map({ String($0.prefix(10)) }), ISODay.number(begin) != nil else { continue }
            firstDay[key] = min(firstDay[key] ?? begin, begin)
        }
        let now = Int(Date().timeIntervalSince1970), today = DisplayTime.isoDay(now)
        for batch in arrived.chunks(of: 200) {
            let insert = db.insert(into: StaffArrival.schema).columns("id", "staff_id", "school_id", "arrived_on", "recorded_at")
            for arrival in batch {
                insert.values(SQLBind(UUID().uuidString.lowercased()), SQLBind(arrival.staff), SQLBind(arrival.school),
                              SQLBind(firstDay["\(arrival.staff)|\(arrival.school)"] ?? today), SQLBind(now))
            }
            try await insert.run()
        }
    }

    /// Applies records of one entity to its current rows: a bulk file replaces them, a delta file
    /// changes only the rows it names; `tobedeleted` removes.
    private static func merge<Record>(_ current: TableRows, _ records: [Record], mode: FileMode,
                                      id: KeyPath<Record, String>, status: KeyPath<Record, RecordStatus>,
                                      cells: (Record) -> [Cell]) -> TableRows {
        if mode == .absent { return current }
        var desired = mode == .bulk ? TableRows(minimumCapacity: records.count) : current
        for record in records {
            if record[keyPath: status] == .toBeDeleted {
                desired[record[keyPath: id]] = nil
            } else {
                desired[record[keyPath: id]] = cells(record)
            }
        }
        return desired
    }

    private static func setPrograms(_ programs: ProgramFlags, in cells: inout [Cell]) {
        for (flag, index) in StudentCell.programs { cells[index] = .bool(programs[keyPath: flag]) }
    }

    private static func joined(_ values: [String]) -> String { values.joined(separator: ",") }

    /// Two people with one email could not both sign in; refuse the import rather than guess.
    /// Each person signs in with their own email: two roster rows, or a roster row and an account made in
    /// Lodestar, may not share one (compared without regard to case; the database holds a unique index too).
    private static func checkUniqueEmails(_ staff: TableRows, lines: [String: Int], localAccounts: [StaffDirectory.LocalAccount]) throws {
        var seen: [String: String] = [:]
        for account in localAccounts where !account.email.isEmpty { seen[account.email.lowercased()] = account.id }
        for (id, cells) in staff.sorted(by: { $0.key < $1.key }) {
            guard let email = cells[2].text?.lowercased(), !email.isEmpty else { continue }
            if let other = seen.updateValue(id, forKey: email) {
                let owner = localAccounts.contains { $0.id == other } ? "the Lodestar account \(other)" : "sourcedId \(other)"
                throw LodestarError("\(id) has the email \(email), which \(owner) already has; each person needs their own email to sign in",
                                    at: FileLocation(file: "users.csv", line: lines[id], columnName: "email"))
            }
        }
    }
}

/// Collects warnings, keeping the first few of each kind so a large export with one systematic
/// problem gives a short report rather than thousands of lines.
private final class WarningCollector: @unchecked Sendable {
    static let examplesPerKind = 5
    private var examples: [(kind: String, messages: [String], count: Int)] = []

    func add(_ kind: String, _ message: String) {
        if let index = examples.firstIndex(where: { $0.kind == kind }) {
            examples[index].count += 1
            if examples[index].messages.count < Self.examplesPerKind { examples[index].messages.append(message) }
        } else {
            examples.append((kind, [message], 1))
        }
    }

    var messages: [String] {
        examples.flatMap { example in
            example.messages + (example.count > example.messages.count
                ? ["\(example.count - example.messages.count) more like the one above (\(example.kind))."] : [])
        }
    }
}

extension RosterWriter {
    /// Removes a student's enrollments and record (a district's deletion request); call inside its transaction.
    static func removeStudent(_ studentId: String, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM enrollments WHERE user_id = \(bind: studentId)").run()
        try await db.sql.raw("DELETE FROM students WHERE id = \(bind: studentId)").run()
    }
}
