/// Names for demo people: common US given and family names, varied by background as real districts are.
enum DemoNames {
    static let givenFemale = ["Emma", "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Amelia", "Harper", "Evelyn", "Abigail",
        "Camila", "Sofia", "Valentina", "Ximena", "Lucia", "Mariana", "Daniela", "Gabriela", "Aaliyah", "Imani",
        "Zaria", "Nia", "Jada", "Kennedy", "Aria", "Mei", "Hana", "Priya", "Ananya", "Sakura",
        "Linh", "Fatima", "Amira", "Layla", "Noor", "Chloe", "Grace", "Lily", "Zoe", "Nora",
        "Maya", "Leah", "Ruby", "Hazel", "Aurora", "Naomi", "Elena", "Rosa", "Destiny", "Kiara"]
    static let givenMale = ["Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry", "Theodore",
        "Mateo", "Santiago", "Diego", "Leonardo", "Sebastian", "Emiliano", "Carlos", "Javier", "Jamal", "Malik",
        "Darius", "Isaiah", "Jayden", "Xavier", "Andre", "Wei", "Kenji", "Arjun", "Rohan", "Minh",
        "Omar", "Yusuf", "Ibrahim", "Ethan", "Mason", "Logan", "Caleb", "Owen", "Wyatt", "Jack",
        "Samuel", "Aiden", "Gabriel", "Julian", "Miles", "Ezra", "Adrian", "Luis", "Marcus", "Tyrone"]
    static let family: [RaceEthnicity: [String]] = [
        .white: ["Smith", "Johnson", "Miller", "Anderson", "Thompson", "Clark", "Walker", "Young", "Allen", "King",
                 "Wright", "Hill", "Scott", "Green", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Campbell",
                 "Olsen", "Kowalski", "Murphy", "O'Brien", "Schmidt", "Fischer", "Sullivan", "Bennett", "Hughes", "Foster"],
        .hispanicOrLatino: ["Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres",
                            "Flores", "Rivera", "Gomez", "Diaz", "Reyes", "Morales", "Cruz", "Ortiz", "Gutierrez", "Chavez"],
        .blackOrAfricanAmerican: ["Williams", "Jackson", "Harris", "Robinson", "Lewis", "Washington", "Jefferson", "Brooks", "Coleman", "Jenkins",
                                  "Booker", "Banks", "Mensah", "Okafor", "Adeyemi", "Freeman", "Dixon", "Simmons", "Howard", "Ward"],
        .asian: ["Nguyen", "Chen", "Kim", "Patel", "Lee", "Wang", "Tran", "Park", "Singh", "Li",
                 "Yamamoto", "Sato", "Shah", "Le", "Pham", "Zhang", "Liu", "Choi", "Gupta", "Huang"],
        .americanIndianOrAlaskaNative: ["Begay", "Yazzie", "Benally", "Tsosie", "Locklear", "Redcloud", "Whitehorse", "Harjo"],
        .nativeHawaiianOrOtherPacificIslander: ["Kahale", "Akana", "Fonoti", "Tuilagi", "Kealoha", "Mahoe"],
    ]

    static func familyName(for race: RaceEthnicity, using random: inout SeededRandom) -> String {
        switch race {
        case .twoOrMoreRaces, .notReported:
            let any = family.keys.sorted { $0.rawValue < $1.rawValue }
            return random.pick(family[random.pick(any)]!)
        default:
            return random.pick(family[race]!)
        }
    }

    static let schoolNames = ["Lincoln", "Roosevelt", "Jefferson", "Washington", "Cesar Chavez", "Maya Angelou", "Sally Ride",
        "Frederick Douglass", "Harriet Tubman", "Sojourner Truth", "Rachel Carson", "Thurgood Marshall", "Eleanor Roosevelt",
        "Oak Grove", "Riverside", "Cedar Ridge", "Maple Heights", "Willow Creek", "Pine Hills", "Lakeview", "Meadowbrook",
        "Sunnyside", "Hillcrest", "Fairview", "Highland Park", "Westwood", "Eastgate", "Northfield", "Southport", "Brookside",
        "Mountain View", "Valley Vista", "Spring Garden", "Stonebridge", "Red Oak", "Silver Lake", "Golden Hill", "Ironwood",
        "Juniper", "Aspen", "Sequoia", "Redwood", "Magnolia", "Dogwood", "Hawthorne", "Sycamore", "Bluebonnet", "Prairie Wind"]
}
