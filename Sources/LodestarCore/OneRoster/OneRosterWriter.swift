/// Writes a `RosterBundle` as a OneRoster 1.1 CSV bundle (bulk), with program flags in the
/// `metadata.*` columns Lodestar reads. Used to export the demo district, so imports can be
/// tried and measured at any size.
public enum OneRosterWriter {
    /// File name → contents.
    public static func files(for bundle: RosterBundle) -> [String: String] {
        var files: [String: String] = [:]
        var manifest = CSVWriter(header: ["propertyName", "value"], readBy: .program)
        manifest.append(["manifest.version", "1.0"])
        manifest.append(["oneroster.version", "1.1"])
        for entity in RosterEntity.allCases { manifest.append(["file.\(entity.rawValue)", "bulk"]) }
        manifest.append(["source.systemName", "Lodestar"])
        files["manifest.csv"] = manifest.text

        var orgs = CSVWriter(header: ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"], readBy: .program)
        for org in bundle.orgs { orgs.append([org.sourcedId, org.status.rawValue, "", org.name, org.type, org.identifier, org.parentSourcedId ?? ""]) }
        files["orgs.csv"] = orgs.text

        var sessions = CSVWriter(header: ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"], readBy: .program)
        for s in bundle.academicSessions {
            sessions.append([s.sourcedId, s.status.rawValue, "", s.title, s.type, s.startDate, s.endDate, s.parentSourcedId ?? "", s.schoolYear])
        }
        files["academicSessions.csv"] = sessions.text

        var courses = CSVWriter(header: ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects"], readBy: .program)
        for c in bundle.courses {
            courses.append([c.sourcedId, c.status.rawValue, "", "", c.title, c.courseCode, list(c.grades), c.orgSourcedId ?? "", list(c.subjects)])
        }
        files["courses.csv"] = courses.text

        var classes = CSVWriter(header: ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType",
                                         "location", "schoolSourcedId", "termSourcedIds", "subjects", "periods"], readBy: .program)
        for c in bundle.classes {
            classes.append([c.sourcedId, c.status.rawValue, "", c.title, list(c.grades), c.courseSourcedId ?? "", c.classCode, c.classType,
                            c.location, c.schoolSourcedId, list(c.termSourcedIds), list(c.subjects), list(c.periods)])
        }
        files["classes.csv"] = classes.text

        var users = CSVWriter(header: ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "givenName",
                                       "familyName", "identifier", "email", "grades"], readBy: .program)
        for u in bundle.users {
            users.append([u.sourcedId, u.status.rawValue, "", u.enabledUser ? "true" : "false", list(u.orgSourcedIds), u.role, u.username,
                          u.givenName, u.familyName, u.identifier, u.email, list(u.grades)])
        }
        files["users.csv"] = users.text

        var enrollments = CSVWriter(header: ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role",
                                             "primary", "beginDate", "endDate"], readBy: .program)
        for e in bundle.enrollments {
            enrollments.append([e.sourcedId, e.status.rawValue, "", e.classSourcedId, e.schoolSourcedId, e.userSourcedId, e.role,
                                e.primary ? "true" : "false", e.beginDate ?? "", e.endDate ?? ""])
        }
        files["enrollments.csv"] = enrollments.text

        let races: [(String, RaceEthnicity)] = [("americanIndianOrAlaskaNative", .americanIndianOrAlaskaNative), ("asian", .asian),
                                                ("blackOrAfricanAmerican", .blackOrAfricanAmerican),
                                                ("nativeHawaiianOrOtherPacificIslander", .nativeHawaiianOrOtherPacificIslander), ("white", .white)]
        var demographics = CSVWriter(header: ["sourcedId", "status", "dateLastModified", "birthDate", "sex"] + races.map(\.0)
                                     + ["demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity"] + ProgramFlags.metadataColumns.map(\.column), readBy: .program)
        for d in bundle.demographics {
            let flags = races.map { d.raceEthnicity == $0.1 ? "true" : "false" }
            let programs = ProgramFlags.metadataColumns.map { column in d.programs.map { $0[keyPath: column.flag] ? "true" : "false" } ?? "" }
            demographics.append([d.userSourcedId, d.status.rawValue, "", d.birthDate ?? "", d.sex] + flags
                                + [d.raceEthnicity == .twoOrMoreRaces ? "true" : "false", d.raceEthnicity == .hispanicOrLatino ? "true" : "false"] + programs)
        }
        files["demographics.csv"] = demographics.text
        return files
    }

    private static func list(_ values: [String]) -> String { values.joined(separator: ",") }
}
