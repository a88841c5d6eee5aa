import Fluent
import Foundation
import LodestarCore

/// A stocked practice library: the district's notes and links on the framework's practices, one planning file, a
/// coach's addition at the first school, and a teacher's addition waiting for the principal's approval. The principal
/// shared two resources with the featured teacher beside the feedback of her latest walkthrough, and the teacher saved
/// and rated one. Nothing is added once the library has anything.
enum DemoLibraryLoader {
    static func load(_ district: DemoDistrict, on db: any Database) async throws {
        let queries = LibraryQueries(db: db)
        guard try await queries.items(approvedAt: nil, pendingFor: { _ in true }).isEmpty else { return }
        let admin = DemoLoader.adminId
        let coach = district.accounts.first { $0.isFeatured && $0.grants.first?.role == .coach }?.sourcedId
        let principal = district.accounts.first { $0.isFeatured && $0.grants.first?.role == .principal }?.sourcedId
        let teacher = district.accounts.first { $0.isFeatured && $0.grants.isEmpty }?.sourcedId
        func entry(_ kind: LibraryEntry.Kind, _ title: String, url: String = "", note: String, practices: [String], bands: [String] = []) -> LibraryEntry {
            LibraryEntry(kind: kind, title: title, url: url, note: note, practices: practices, standards: [], bands: bands)
        }
        let district = [
            entry(.note, "Exit tickets in three minutes", note: "Two questions on today's target and one on confidence. Sort the tickets into three piles before you leave: got it, almost, not yet — tomorrow's warm-up comes from the middle pile.",
                  practices: ["checks-for-understanding", "responsive-adjustment"], bands: ["3–5", "6–8", "9–12"]),
            entry(.note, "Turn and talk that students actually do", note: "Give a sentence stem, a partner assignment (A speaks first) and a 60-second timer; listen in on three pairs and bring one idea back to the whole class.",
                  practices: ["discourse", "engagement"], bands: ["K–2", "3–5", "6–8"]),
            entry(.note, "Learning targets students can say", note: "Write the target as 'I can…' with the verb of the standard; ask two students to say it in their own words before work starts and again at the end.",
                  practices: ["learning-target"], bands: LibraryEntry.gradeBands),
            entry(.link, "What Works Clearinghouse practice guides", url: "https://ies.ed.gov/ncee/wwc/PracticeGuides",
                  note: "Free guides that rate the evidence behind classroom practices; the guide on assisting students struggling with mathematics pairs well with intervention groups.",
                  practices: ["differentiation", "rigor"]),
            entry(.note, "Sentence frames for academic talk", note: "Post three frames for the day's talk (I agree with … because …; I want to add …; Can you show me where …?) and model each once.",
                  practices: ["language-access", "discourse"], bands: ["K–2", "3–5", "6–8", "9–12"]),
        ]
        var made: [LibraryItem] = []
        for item in district { made.append(try await queries.add(item, schoolId: nil, approved: true, by: admin, file: nil)) }
        let planner = Data("Questioning planner\n\nTarget:\n\nThree questions that climb (recall, explain, apply):\n1.\n2.\n3.\n\nWho will I call on, and how (cold call, wait time, turn and talk)?\n".utf8)
        made.append(try await queries.add(entry(.file, "Questioning planner", note: "One page to plan three questions that climb, and who answers them.", practices: ["questioning", "rigor"], bands: ["3–5", "6–8"]),
                                           schoolId: nil, approved: true, by: admin, file: ("questioning-planner.txt", .text, planner)))
        if let coach {
            made.append(try await queries.add(entry(.note, "Wait time: count to five", note: "After a question, count five silently before calling on anyone; after an answer, count three before responding. Hands down.",
                                                    practices: ["questioning", "checks-for-understanding"], bands: ["K–2", "3–5"]),
                                              schoolId: "school-1", approved: true, by: coach, file: nil))
        }
        guard let principal, let teacher else { return }
        _ = try await queries.add(entry(.note, "Number talks warm-up", note: "Ten minutes, one computation, many strategies: students show thumbs for each new way.",
                                        practices: ["discourse", "engagement"], bands: ["K–2", "3–5"]),
                                  schoolId: "school-1", approved: false, by: teacher, file: nil)
        let latest = try await WalkthroughQueries(db: db).visits(to: teacher, by: principal, limit: 1).first
        for item in made.prefix(2) {
            try await queries.share(item.id!, from: principal, to: teacher, note: "For the practice we talked about in your feedback.", walkthroughId: latest?.id)
        }
        try await queries.save(made[0].id!, for: teacher, saved: true, rating: 5)
    }
}
