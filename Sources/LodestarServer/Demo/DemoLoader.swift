import Fluent
import LodestarCore
import SQLKit
import Vapor

/// What `lodestar demo` shows while it loads a district: a line as each part begins, with the time so far, and the
/// scores' progress school by school (the longest part: rows, rate, time left) — on a terminal redrawn, in a log a
/// line every ten seconds. Tests and `serve --demo` show nothing.
struct DemoSteps: Sendable {
    let show: Bool
    private let started = ContinuousClock.now

    init(show: Bool = false) { self.show = show }

    func begin(_ part: String) {
        guard show else { return }
        FileHandle.standardOutput.write(Data("demo: \(part) · \(ImportProgress.duration((ContinuousClock.now - started).inSeconds)) so far\n".utf8))
    }

    func scores() -> ImportProgress {
        ImportProgress(kind: "demo", display: show ? .standardOutput : .none, counted: "scores written", of: "the schools")
    }
}

/// Loads a generated demo district: its roster through the same writer as a OneRoster import,
/// then the demo accounts, all with the password `lodestar-demo`.
enum DemoLoader {
    static let adminId = "local-demo-admin"

    /// - Parameters:
    ///   - through: walkthroughs run from the start of the school year to this moment (default now).
    ///   - withActivity: false loads the roster and accounts only: no walkthroughs, coaching,
    ///     standards, assessments or scores (for tests that start from nothing).
    ///   - steps: what the demo command shows while it loads (nothing, by default).
    @discardableResult
    static func load(size: DemoDistrict.Size, seed: UInt64, through: Date = Date(), withActivity: Bool = true,
                     steps: DemoSteps = DemoSteps(), on db: any Database) async throws -> DemoDistrict {
        let district = DemoDistrict(size: size, seed: seed)
        steps.begin("the roster: \(district.bundle.orgs.count - 1) schools, \(district.bundle.users.count.grouped) people")
        _ = try await RosterWriter.write(district.bundle, to: db)
        // One hash for every demo account: they share a password, and hashing thousands would take minutes.
        let hash = try Bcrypt.hash(DemoDistrict.password)
        try await db.writeTransaction { db in
            let sql = db.sql
            try await sql.update("staff").set("password_hash", to: hash).where("source", .equal, "oneroster").run()
            if try await Staff.find(adminId, on: db) == nil {
                let admin = district.accounts.first { $0.sourcedId == nil }!
                let staff = Staff(id: adminId, givenName: "Dana", familyName: "Whitfield", email: admin.email)
                staff.username = "admin"
                staff.passwordHash = hash
                try await staff.create(on: db)
            }
            let grants = district.accounts.flatMap { account in
                account.grants.map { RoleGrantRecord(staffId: account.sourcedId ?? adminId, grant: $0, source: "manual") }
            }
            var given = Set<String>()
            for ids in grants.compactMap(\.id).chunks(of: 1_000) {
                given.formUnion(try await RoleGrantRecord.query(on: db).filter(\.$id ~~ ids).all().compactMap(\.id))
            }
            try await db.createAll(grants.filter { given.insert($0.id!).inserted })
        }
        guard withActivity else { return district }
        steps.begin("visions")
        try await loadVisions(district, on: db)
        steps.begin("standards, assessments and scores")
        try await DemoAssessmentLoader.load(DemoAssessments(district: district, seed: seed, through: through.timeIntervalSince1970),
                                            steps: steps, on: db)
        steps.begin("walkthroughs")
        try await DemoWalkthroughLoader.load(DemoWalkthroughs(district: district, size: size, seed: seed, through: through.timeIntervalSince1970),
                                             now: Int(through.timeIntervalSince1970), on: db)
        // Learning first: its peer visits are walkthroughs the goals' measurements count.
        steps.begin("professional learning")
        try await DemoLearningLoader.load(district, seed: seed, through: through, on: db)
        steps.begin("action plans, leadership, talent and induction")
        try await DemoPlanLoader.load(district, seed: seed, through: through, on: db)
        try await DemoLeadershipLoader.load(district, seed: seed, through: through, on: db)
        try await DemoTalentLoader.load(district, through: through, on: db)
        try await DemoSuccessionLoader.load(district, through: through, on: db)
        try await DemoInductionLoader.load(district, through: through, on: db)
        steps.begin("interventions, resources and the library")
        try await DemoInterventionLoader.load(through: through, on: db)
        try await DemoResourceLoader.load(through: through, on: db)
        try await DemoLibraryLoader.load(district, on: db)
        return district
    }

    /// The district's vision and one for each school, written by its leaders; an existing first version is left alone.
    static func loadVisions(_ district: DemoDistrict, on db: any Database) async throws {
        // The district leader wrote the district's; each principal their school's.
        func author(_ scope: String) -> String {
            let role: StaffRole = scope == "district" ? .districtLeader : .principal
            return district.accounts.first { $0.grants.contains(RoleGrant(role: role, schoolId: scope == "district" ? nil : scope)) }?.sourcedId ?? adminId
        }
        var rows = TableRows()
        func add(_ scope: String, vision: String, mission: String, students: String, teachers: String, leaders: String, staff: String) {
            rows["\(scope)|1"] = [.text(scope), .int(1), .text(vision), .text(mission), .text(students), .text(teachers), .text(leaders),
                                  .text(staff), .text(author(scope)), .int(1_787_000_000)]
        }
        add("district", vision: "Every Cedar Valley student reads, reasons and belongs, and leaves ready for the life they choose.",
            mission: "We put teaching and learning first: frequent evidence of learning, feedback every teacher can use, and support for every student who needs it.",
            students: "Students will read every day and talk about what they read\nStudents will explain their reasoning and learn from mistakes",
            teachers: "Teachers will check for understanding in every lesson\nTeachers will plan from evidence of student learning in their PLC",
            leaders: "Leaders will be in classrooms every day and give feedback within a day\nLeaders will protect time for teaching and collaboration",
            staff: "Staff will know every student by name and need")
        for org in district.bundle.orgs where org.type == "school" {
            add(org.sourcedId, vision: "At \(org.name), every student grows a year or more, every year.",
                mission: "We teach every student to read, write and reason at grade level, and we know each student well enough to know what they need next.",
                students: "Students will set goals and track their own progress\nStudents will read at grade level by the end of grade 3",
                teachers: "Teachers will use weekly formative checks to group and regroup students\nTeachers will open their doors to colleagues",
                leaders: "Leaders will visit every classroom every two weeks\nLeaders will give feedback within a day",
                staff: "Staff will greet every student by name")
        }
        let sync = TableSync(table: "visions", columns: [
            ("scope", .text), ("version", .int), ("vision", .text), ("mission", .text), ("students", .text), ("teachers", .text),
            ("leaders", .text), ("staff", .text), ("edited_by", .text), ("edited_at", .int)])
        let visions = rows
        try await db.writeTransaction { db in
            let existing = try await sync.load(db.sql, ids: Array(visions.keys))
            try await sync.upsert(visions.filter { existing[$0.key] == nil }.map { ($0.key, $0.value) }, on: db.sql)
        }
    }

    /// True when no roster has been loaded yet.
    static func databaseIsEmpty(_ db: any Database) async throws -> Bool {
        try await Org.query(on: db).count() == 0
    }

    /// The sign-ins to print: the first account of each role.
    static func featuredAccounts(_ district: DemoDistrict) -> [(role: String, email: String, name: String)] {
        var seen: Set<String> = []
        var result: [(String, String, String)] = []
        for account in district.accounts where account.isFeatured {
            let role = account.grants.first?.role.label ?? StaffRole.teacher.label
            if seen.insert(role).inserted { result.append((role, account.email, account.displayName)) }
        }
        return result
    }

    /// `address` is where the server will answer; nil when only the database was loaded (`lodestar demo`).
    static func printAccounts(_ district: DemoDistrict, address: String?, console: any Console) {
        let signIn = address.map { "Sign in at \($0)" } ?? "Start the server (lodestar serve) and sign in"
        console.print("Demo district: \(DemoDistrict.districtName). \(signIn) with password \(DemoDistrict.password):")
        for (role, email, name) in featuredAccounts(district) {
            console.print("  \(role.padding(toLength: 22, withPad: " ", startingAt: 0)) \(email)  (\(name))")
        }
    }
}
