/// Reads a OneRoster 1.1 or 1.2 CSV bundle into a `RosterBundle`.
///
/// Strict where a wrong value would store wrong data (unknown roles, malformed dates, duplicate ids,
/// missing required columns), lenient where real exports vary (blank status means active, vendor
/// `ext_*` columns, header-only files, 1.1 `userSourcedId` versus 1.2 `sourcedId` in demographics,
/// 1.2 roles in `roles.csv`). Every error names the file, the line and the column.
public enum OneRosterParser {
    /// The files Lodestar reads besides the manifest.
    static let knownFiles: Set<String> = Set(RosterEntity.allCases.map(\.fileName)).union(["roles.csv"])

    /// Roles a OneRoster 1.1 or 1.2 user may have.
    public static let userRoles: Set<String> = [
        "administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher",
        "districtadministrator", "principal", "siteadministrator", "systemadministrator", "counselor", "examiner",
    ]

    /// - Parameter files: file name (without folders) → bytes, as found in the folder or zip.
    public static func parse(files: [String: [UInt8]]) throws(LodestarError) -> RosterBundle {
        guard let manifestBytes = files["manifest.csv"] else {
            throw LodestarError("the bundle has no manifest.csv; a OneRoster CSV export always includes one",
                                at: FileLocation(file: "manifest.csv"))
        }
        let manifest = try CSVTable(fileName: "manifest.csv", bytes: manifestBytes)
        var bundle = try readManifest(manifest, presentFiles: Set(files.keys))

        func table(_ entity: RosterEntity) throws(LodestarError) -> CSVTable? {
            guard bundle.mode(of: entity) != .absent, let bytes = files[entity.fileName] else { return nil }
            return try CSVTable(fileName: entity.fileName, bytes: bytes)
        }

        if let t = try table(.orgs) { bundle.orgs = try readOrgs(t) }
        if let t = try table(.academicSessions) { bundle.academicSessions = try readAcademicSessions(t) }
        if let t = try table(.courses) { bundle.courses = try readCourses(t) }
        if let t = try table(.classes) { bundle.classes = try readClasses(t) }
        if let t = try table(.users) {
            let roles = try files["roles.csv"].map { bytes throws(LodestarError) in
                try readRoles(CSVTable(fileName: "roles.csv", bytes: bytes))
            }
            bundle.users = try readUsers(t, roles: roles ?? [:], warnings: &bundle.warnings)
        }
        if let t = try table(.enrollments) { bundle.enrollments = try readEnrollments(t) }
        if let t = try table(.demographics) { bundle.demographics = try readDemographics(t) }
        return bundle
    }

    // MARK: - Manifest

    static func readManifest(_ table: CSVTable, presentFiles: Set<String>) throws(LodestarError) -> RosterBundle {
        try requireColumns(["propertyName", "value"], in: table)
        var properties: [String: (value: String, line: Int)] = [:]
        for record in table.records {
            properties[record.trimmedField(0)] = (record.trimmedField(1), record.line)
        }
        let version = properties["oneroster.version"]?.value ?? ""
        guard version == "1.1" || version == "1.2" else {
            throw LodestarError(
                "expected oneroster.version 1.1 or 1.2, found “\(version)”",
                at: FileLocation(file: "manifest.csv", line: properties["oneroster.version"]?.line, columnName: "value"))
        }
        var modes: [RosterEntity: FileMode] = [:]
        var warnings: [String] = []
        for entity in RosterEntity.allCases {
            let key = "file.\(entity.rawValue)"
            guard let property = properties[key] else {
                if presentFiles.contains(entity.fileName) {
                    modes[entity] = .delta
                    warnings.append("manifest.csv does not list \(key); \(entity.fileName) was read as a delta file.")
                }
                continue
            }
            guard let mode = FileMode(rawValue: property.value.lowercased()) else {
                throw LodestarError("expected bulk, delta or absent for \(key), found “\(property.value)”",
                                    at: FileLocation(file: "manifest.csv", line: property.line, column: 2, columnName: "value"))
            }
            if mode != .absent && !presentFiles.contains(entity.fileName) {
                throw LodestarError("the manifest lists \(entity.fileName) as \(mode.rawValue) but the file is not in the bundle",
                                    at: FileLocation(file: "manifest.csv", line: property.line, column: 2, columnName: "value"))
            }
            if mode == .absent && presentFiles.contains(entity.fileName) {
                warnings.append("\(entity.fileName) is in the bundle but the manifest marks it absent; it was not read.")
            }
            modes[entity] = mode
        }
        var bundle = RosterBundle(oneRosterVersion: version, modes: modes)
        bundle.warnings = warnings
        return bundle
    }

    // MARK: - Entities

    static func readOrgs(_ table: CSVTable) throws(LodestarError) -> [RosterOrg] {
        try requireColumns(["sourcedId", "name", "type"], in: table)
        let types: Set<String> = ["department", "school", "district", "local", "state", "national"]
        return try readRecords(table) { (row: Row) throws(LodestarError) in
            RosterOrg(sourcedId: try row.sourcedId(), status: try row.status(), name: try row.required("name"),
                      type: try row.oneOf("type", types), identifier: row.optional("identifier"),
                      parentSourcedId: row.optionalId("parentSourcedId"))
        }
    }

    static func readAcademicSessions(_ table: CSVTable) throws(LodestarError) -> [RosterAcademicSession] {
        try requireColumns(["sourcedId", "title", "type", "startDate", "endDate"], in: table)
        let types: Set<String> = ["gradingperiod", "semester", "schoolyear", "term"]
        return try readRecords(table) { (row: Row) throws(LodestarError) in
            let start = try row.date("startDate", required: true)!
            let end = try row.date("endDate", required: true)!
            var schoolYear = row.optional("schoolYear")
            if schoolYear.isEmpty { schoolYear = String(end.prefix(4)) }
            return RosterAcademicSession(
                sourcedId: try row.sourcedId(), status: try row.status(), title: try row.required("title"),
                type: try row.oneOf("type", types), startDate: start, endDate: end,
                parentSourcedId: row.optionalId("parentSourcedId"), schoolYear: schoolYear)
        }
    }

    static func readCourses(_ table: CSVTable) throws(LodestarError) -> [RosterCourse] {
        try requireColumns(["sourcedId", "title", "orgSourcedId"], in: table)
        return try readRecords(table) { (row: Row) throws(LodestarError) in
            RosterCourse(sourcedId: try row.sourcedId(), status: try row.status(), title: try row.required("title"),
                         courseCode: row.optional("courseCode"), grades: row.grades(),
                         orgSourcedId: row.optionalId("orgSourcedId"), subjects: row.list("subjects"))
        }
    }

    static func readClasses(_ table: CSVTable) throws(LodestarError) -> [RosterClass] {
        try requireColumns(["sourcedId", "title", "schoolSourcedId"], in: table)
        return try readRecords(table) { (row: Row) throws(LodestarError) in
            let classType = row.optional("classType").isEmpty ? "scheduled" : try row.oneOf("classType", ["homeroom", "scheduled"])
            return RosterClass(
                sourcedId: try row.sourcedId(), status: try row.status(), title: try row.required("title"),
                grades: row.grades(), courseSourcedId: row.optionalId("courseSourcedId"),
                classCode: row.optional("classCode"), classType: classType, location: row.optional("location"),
                schoolSourcedId: try row.required("schoolSourcedId"), termSourcedIds: row.list("termSourcedIds"),
                subjects: row.list("subjects"), periods: row.list("periods"))
        }
    }

    /// 1.2 `roles.csv`: the role and orgs of each user.
    static func readRoles(_ table: CSVTable) throws(LodestarError) -> [String: (role: String, orgs: [String])] {
        try requireColumns(["userSourcedId", "roleType", "role", "orgSourcedId"], in: table)
        var roles: [String: (role: String, orgs: [String])] = [:]
        for record in table.records {
            let row = Row(table: table, record: record)
            guard try row.status() != .toBeDeleted else { continue }
            let user = try row.required("userSourcedId")
            let role = try row.oneOf("role", userRoles)
            let primary = try row.oneOf("roleType", ["primary", "secondary"]) == "primary"
            let org = try row.required("orgSourcedId")
            var entry = roles[user] ?? (role, [])
            if primary { entry.role = role }
            if !entry.orgs.contains(org) { entry.orgs.append(org) }
            roles[user] = entry
        }
        return roles
    }

    static func readUsers(_ table: CSVTable, roles: [String: (role: String, orgs: [String])],
                          warnings: inout [String]) throws(LodestarError) -> [RosterUser] {
        try requireColumns(["sourcedId", "givenName", "familyName"], in: table)
        let hasRoleColumn = table.columnIndex("role") != nil
        let programColumns = programColumnIndexes(table)
        var skipped: [String] = []
        let users = try readRecords(table) { (row: Row) throws(LodestarError) -> RosterUser? in
            let sourcedId = try row.sourcedId()
            let fromRoles = roles[sourcedId]
            var role = fromRoles?.role ?? ""
            if hasRoleColumn, !row.optional("role").isEmpty { role = try row.oneOf("role", userRoles) }
            let status = try row.status()
            guard !role.isEmpty || status == .toBeDeleted else {
                skipped.append("\(table.fileName) line \(row.record.line): user \(sourcedId) has no role (no role column and no roles.csv entry); not imported.")
                return nil
            }
            var orgs = row.list("orgSourcedIds")
            for org in (fromRoles?.orgs ?? []) + [row.optional("primaryOrgSourcedId")] where !org.isEmpty && !orgs.contains(org) {
                orgs.append(org)
            }
            return RosterUser(
                sourcedId: sourcedId, status: status,
                enabledUser: try row.bool("enabledUser") ?? true,
                orgSourcedIds: orgs, role: role, username: row.optional("username"),
                givenName: row.optional("givenName"), familyName: row.optional("familyName"),
                preferredGivenName: row.optional("preferredGivenName"), identifier: row.optional("identifier"),
                email: row.optional("email"), grades: row.grades(),
                programs: try row.programs(programColumns), line: row.record.line)
        }
        warnings += skipped
        return users.compactMap { $0 }
    }

    static func readEnrollments(_ table: CSVTable) throws(LodestarError) -> [RosterEnrollment] {
        try requireColumns(["sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"], in: table)
        return try readRecords(table) { (row: Row) throws(LodestarError) in
            RosterEnrollment(
                sourcedId: try row.sourcedId(), status: try row.status(),
                classSourcedId: try row.required("classSourcedId"), schoolSourcedId: try row.required("schoolSourcedId"),
                userSourcedId: try row.required("userSourcedId"), role: try row.oneOf("role", userRoles),
                primary: try row.bool("primary") ?? false,
                beginDate: try row.date("beginDate"), endDate: try row.date("endDate"))
        }
    }

    static func readDemographics(_ table: CSVTable) throws(LodestarError) -> [RosterDemographics] {
        let idColumn = table.columnIndex("userSourcedId") != nil ? "userSourcedId" : "sourcedId"
        try requireColumns([idColumn], in: table)
        let programColumns = programColumnIndexes(table)
        let raceColumns: [(String, RaceEthnicity)] = [
            ("americanIndianOrAlaskaNative", .americanIndianOrAlaskaNative), ("asian", .asian),
            ("blackOrAfricanAmerican", .blackOrAfricanAmerican),
            ("nativeHawaiianOrOtherPacificIslander", .nativeHawaiianOrOtherPacificIslander), ("white", .white),
        ]
        var seen: [String: Int] = [:]
        var result: [RosterDemographics] = []
        result.reserveCapacity(table.records.count)
        for record in table.records {
            let row = Row(table: table, record: record)
            let id = try row.required(idColumn)
            if let first = seen.updateValue(record.line, forKey: id) {
                throw row.error(idColumn, "\(id) appears twice (first on line \(first))")
            }
            var races: [RaceEthnicity] = []
            for (column, race) in raceColumns {
                if try row.bool(column) == true { races.append(race) }
            }
            let sex = row.optional("sex").lowercased()
            guard ["", "male", "female", "other", "unspecified"].contains(sex) else {
                throw row.error("sex", "expected male, female, other or unspecified, found “\(row.optional("sex"))”")
            }
            result.append(RosterDemographics(
                userSourcedId: id, status: try row.status(),
                birthDate: try row.date(table.columnIndex("birthDate") != nil ? "birthDate" : "birthdate"),
                sex: sex,
                raceEthnicity: .from(hispanicOrLatino: try row.bool("hispanicOrLatinoEthnicity") == true, races: races,
                                     twoOrMore: try row.bool("demographicRaceTwoOrMoreRaces") == true),
                programs: try row.programs(programColumns)))
        }
        return result
    }

    // MARK: - Helpers

    static func requireColumns(_ names: [String], in table: CSVTable) throws(LodestarError) {
        try requireColumns(names, in: table.columns)
    }

    static func requireColumns(_ names: [String], in columns: CSVColumns) throws(LodestarError) {
        for name in names where columns.index(of: name) == nil {
            throw LodestarError("the header has no “\(name)” column, which this file requires",
                                at: FileLocation(file: columns.fileName, line: 1, columnName: name))
        }
    }

    static func programColumnIndexes(_ table: CSVTable) -> [(Int, WritableKeyPath<ProgramFlags, Bool>)] {
        ProgramFlags.metadataColumns.compactMap { column, flag in table.columnIndex(column).map { ($0, flag) } }
    }

    /// Reads every record, rejecting a sourcedId that appears twice in the same file.
    static func readRecords<T>(_ table: CSVTable, _ read: (Row) throws(LodestarError) -> T) throws(LodestarError) -> [T] {
        var seen: [String: Int] = [:]
        seen.reserveCapacity(table.records.count)
        var result: [T] = []
        result.reserveCapacity(table.records.count)
        for record in table.records {
            let row = Row(table: table, record: record)
            try row.refuseControlCharacters()
            let id = row.optional("sourcedId")
            if let first = seen.updateValue(record.line, forKey: id) {
                throw row.error("sourcedId", "\(id) appears twice in this file (first on line \(first))")
            }
            result.append(try read(row))
        }
        return result
    }

    /// One record, read by column name with errors that point at the cell.
    struct Row {
        let columns: CSVColumns
        let record: CSVTable.Record

        init(table: CSVTable, record: CSVTable.Record) { self.init(columns: table.columns, record: record) }
        init(columns: CSVColumns, record: CSVTable.Record) { self.columns = columns; self.record = record }

        func error(_ column: String, _ message: String) -> LodestarError {
            let index = columns.index(of: column)
            return LodestarError(message, at: FileLocation(file: columns.fileName, line: record.line,
                                                           column: index.map { $0 + 1 }, columnName: column))
        }

        func optional(_ column: String) -> String {
            guard let index = columns.index(of: column) else { return "" }
            return record.trimmedField(index)
        }

        func optionalId(_ column: String) -> String? {
            let value = optional(column)
            return value.isEmpty ? nil : value
        }

        func required(_ column: String) throws(LodestarError) -> String {
            let value = optional(column)
            guard !value.isEmpty else { throw error(column, "a value is required here, found an empty field") }
            return value
        }

        func sourcedId() throws(LodestarError) -> String {
            let id = try required("sourcedId")
            if id.hasControlCharacters { throw error("sourcedId", "an id cannot hold a line break, tab or other control character") }
            return id
        }

        /// Roster values are single-line text: a line break, tab or other control character in one is a broken
        /// file, and in an id it would reach file names and headers built from it.
        func refuseControlCharacters() throws(LodestarError) {
            for index in 0..<record.count where record.fieldHasControlCharacters(index) {
                let name = index < columns.header.count ? columns.header[index] : "column \(index + 1)"
                throw LodestarError("this value holds a line break, tab or other control character, which roster values cannot",
                                    at: FileLocation(file: columns.fileName, line: record.line, column: index + 1, columnName: name))
            }
        }

        /// Blank status means active (OneRoster 1.1 bulk files leave it empty).
        func status() throws(LodestarError) -> RecordStatus {
            let value = optional("status")
            if value.isEmpty { return .active }
            guard let status = RecordStatus(rawValue: value.lowercased()) else {
                throw error("status", "expected active, inactive or tobedeleted, found “\(value)”")
            }
            return status
        }

        /// A value from a fixed list, compared without regard to case; returned lower-cased.
        func oneOf(_ column: String, _ allowed: Set<String>) throws(LodestarError) -> String {
            let value = try required(column)
            let lower = value.lowercased()
            guard allowed.contains(lower) else {
                throw error(column, "expected one of \(allowed.sorted().joined(separator: ", ")), found “\(value)”")
            }
            return lower
        }

        func bool(_ column: String) throws(LodestarError) -> Bool? {
            let value = optional(column)
            switch value.lowercased() {
            case "": return nil
            case "true", "yes", "y", "1": return true
            case "false", "no", "n", "0": return false
            default: throw error(column, "expected true or false, found “\(value)”")
            }
        }

        /// An ISO date `YYYY-MM-DD`; a full date-time is cut to its date.
        func date(_ column: String, required: Bool = false) throws(LodestarError) -> String? {
            let value = optional(column)
            if value.isEmpty {
                if required { throw error(column, "a date (YYYY-MM-DD) is required here, found an empty field") }
                return nil
            }
            // The day, then nothing or a time ("T…" or " …"), compared as bytes: an import reads millions.
            let bytes = value.utf8, rest = bytes.dropFirst(10)
            guard ISODate.isValid(bytes.prefix(10)), rest.isEmpty || rest.first == UInt8(ascii: "T") || rest.first == UInt8(ascii: " ") else {
                throw error(column, "expected a date as YYYY-MM-DD, found “\(value)”")
            }
            return rest.isEmpty ? value : String(decoding: bytes.prefix(10), as: UTF8.self)
        }

        /// A comma-separated list, as OneRoster writes grades, subjects and ids.
        func list(_ column: String) -> [String] {
            optional(column).split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        }

        /// Grades normalised to OneRoster codes: "2" becomes "02", "K" becomes "KG".
        func grades() -> [String] {
            list(columns.index(of: "grades") != nil ? "grades" : "grade").map(GradeLevel.normalized)
        }

        func programs(_ programColumns: [(Int, WritableKeyPath<ProgramFlags, Bool>)]) throws(LodestarError) -> ProgramFlags? {
            guard !programColumns.isEmpty else { return nil }
            var flags = ProgramFlags()
            var any = false
            for (index, flag) in programColumns {
                if let value = try bool(columns.header[index]) {
                    flags[keyPath: flag] = value
                    any = true
                }
            }
            return any ? flags : nil
        }
    }
}

/// OneRoster grade-level codes and their order from pre-kindergarten to grade 13.
public enum GradeLevel {
    public static let ordered = ["IT", "PR", "PK", "TK", "KG", "01", "02", "03", "04", "05", "06", "07", "08",
                                 "09", "10", "11", "12", "13", "PS", "UG", "Other"]

    public static func normalized(_ raw: String) -> String {
        let upper = raw.uppercased()
        if upper == "K" { return "KG" }
        if let number = Int(raw), (1...13).contains(number) { return number < 10 ? "0\(number)" : "\(number)" }
        return ordered.first { $0.uppercased() == upper } ?? raw
    }

    /// A label for people: "K", "Grade 3".
    public static func label(_ code: String) -> String {
        switch code {
        case "KG": return "K"
        case "PK": return "Pre-K"
        default:
            if let number = Int(code) { return "Grade \(number)" }
            return code
        }
    }

    public static func sortKey(_ code: String) -> Int { ordered.firstIndex(of: code) ?? ordered.count }
}
