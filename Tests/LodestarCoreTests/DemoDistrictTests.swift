import Testing
@testable import LodestarCore

@Suite("Demo district")
struct DemoDistrictTests {
    @Test func sameSeedGivesTheSameDistrict() {
        let a = DemoDistrict(size: .small, seed: 7), b = DemoDistrict(size: .small, seed: 7)
        #expect(a.bundle.users == b.bundle.users)
        #expect(a.bundle.enrollments == b.bundle.enrollments)
        #expect(DemoDistrict(size: .small, seed: 8).bundle.users != a.bundle.users)
    }

    @Test func smallDistrictHasTheSizeInTheDesign() {
        let district = DemoDistrict(size: .small)
        let schools = district.bundle.orgs.filter { $0.type == "school" }
        let students = district.bundle.users.filter(\.isStudent)
        let teachers = district.bundle.users.filter { $0.role == "teacher" }
        #expect(schools.count == 3)
        #expect((1_150...1_250).contains(students.count))
        #expect((50...70).contains(teachers.count))
        #expect(Set(students.compactMap(\.grades.first)) == Set(["KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]))
    }

    @Test func noStudentHasTwoClassesInOnePeriod() {
        let bundle = DemoDistrict(size: .small).bundle
        let periods = Dictionary(uniqueKeysWithValues: bundle.classes.map { ($0.sourcedId, $0.periods) })
        var seen: Set<String> = []
        for enrollment in bundle.enrollments where enrollment.role != "student" || periods[enrollment.classSourcedId]!.count == 1 {
            for period in periods[enrollment.classSourcedId]! {
                #expect(seen.insert("\(enrollment.userSourcedId)|\(period)").inserted)
            }
        }
    }

    @Test func demographicsLookLikeAUSDistrict() {
        let demographics = DemoDistrict(size: .medium).bundle.demographics
        let share = { (race: RaceEthnicity) in Double(demographics.filter { $0.raceEthnicity == race }.count) / Double(demographics.count) }
        #expect((0.40...0.48).contains(share(.white)))
        #expect((0.25...0.33).contains(share(.hispanicOrLatino)))
        let el = Double(demographics.filter { $0.programs?.englishLearner == true }.count) / Double(demographics.count)
        #expect((0.06...0.14).contains(el))
        let iep = Double(demographics.filter { $0.programs?.specialEducation == true }.count) / Double(demographics.count)
        #expect((0.13...0.17).contains(iep))
    }
}
