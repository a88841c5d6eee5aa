import Fluent
import Foundation
import LodestarCore
import Testing
import VaporTesting
@testable import LodestarServer

/// A real SMTP server (aiosmtpd, `Tests/email/smtp_sink.py`) on loopback, and what it received, read by
/// Python's own `email` package rather than by anything of ours.
final class SMTPSink: @unchecked Sendable {
    let process: Process
    let folder: URL
    let port: Int

    /// Started on a random port; one another program holds (the sink exits at once) is replaced by another.
    init(_ options: [String] = []) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sink-" + UUID().uuidString)
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        var lastLine = ""
        for _ in 0..<5 {
            let port = Int.random(in: 30_000..<40_000), process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", root.appendingPathComponent("Tests/email/smtp_sink.py").path, "--port", "\(port)", "--folder", folder.path] + options
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            lastLine = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            if lastLine.hasPrefix("ready") {
                self.process = process
                self.port = port
                return
            }
            kill(process.processIdentifier, SIGKILL)
            var status: Int32 = 0
            waitpid(process.processIdentifier, &status, 0)
        }
        throw SinkError(description: "the SMTP sink did not start: \(lastLine)")
    }

    struct SinkError: Error, CustomStringConvertible { let description: String }

    deinit {
        // Not `waitUntilExit`: it waits on a run loop, which a Swift Testing task does not turn.
        kill(process.processIdentifier, SIGKILL)
        var status: Int32 = 0
        waitpid(process.processIdentifier, &status, 0)
        try? FileManager.default.removeItem(at: folder)
    }

    /// One received message as Python's email package reads it.
    struct Received: Decodable {
        let envelopeTo: [String]
        let from: String
        let to: String
        let subject: String
        let listUnsubscribe: String?
        let listUnsubscribePost: String?
        let text: String
        let html: String
    }

    func received() throws -> [Received] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let count = files.filter { $0.hasSuffix(".eml") }.count
        return try (0..<count).map { index in
            let oracle = Process()
            oracle.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            oracle.arguments = ["python3", "-c", """
                import email, email.policy, json, sys
                message = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
                envelope = json.load(open(sys.argv[2]))
                print(json.dumps({'envelopeTo': envelope['to'], 'from': str(message['From']), 'to': str(message['To']),
                    'subject': str(message['Subject']), 'listUnsubscribe': message['List-Unsubscribe'] and str(message['List-Unsubscribe']),
                    'listUnsubscribePost': message['List-Unsubscribe-Post'] and str(message['List-Unsubscribe-Post']),
                    'text': message.get_body(('plain',)).get_content(), 'html': message.get_body(('html',)).get_content()}))
                """, folder.appendingPathComponent("\(index + 1).eml").path, folder.appendingPathComponent("\(index + 1).json").path]
            let output = Pipe()
            oracle.standardOutput = output
            try oracle.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            return try JSONDecoder().decode(Received.self, from: data)
        }
    }
}

@Suite("Notifications")
struct NotificationTests {
    typealias Fixture = WalkthroughTests.Fixture

    /// The school leaders' Monday summaries off, for tests about one email: they would otherwise go out in every round.
    func withoutMondaySummaries(_ app: Application) async throws {
        let leaders = try await WeeklySummary(db: app.db).recipients()
        try await app.db.writeTransaction { db in
            for leader in leaders { try await NotificationQueries(db: db).choose(.off, for: .weeklySummary, of: leader) }
        }
    }

    func mail(_ sink: SMTPSink, _ query: String = "?starttls=off") throws -> MailSettings {
        MailSettings(smtp: try SMTPSettings.parse("smtp://127.0.0.1:\(sink.port)\(query)"), from: EmailAddress("lodestar@cedarvalley.example.org", name: "Lodestar")!,
                     publicURL: "https://lodestar.cedarvalley.example.org")
    }

    @Test(arguments: TestDatabase.all)
    func feedbackReachesItsTeacherOnlyAndAReplyItsObserver(_ database: TestDatabase) async throws {
        try await WalkthroughTests().withDemo(database) { app, f in
            let principal = TestClient(app), teacher = TestClient(app), colleague = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            try await teacher.signIn(f.people.teacherEmail)
            try await colleague.signIn(f.people.email(.coach))
            let visit = WalkthroughTests().submission(teacher: f.teacherId)
            #expect(try await WalkthroughTests().post(visit, as: principal).status == .created)

            // The teacher: one new notification, counted in the top bar, naming the observer and the day.
            let principalName = try await StaffDirectory(db: app.db).person(email: f.people.email(.principal))!.displayName
            let page = try await teacher.page("/notifications")
            #expect(page.contains("aria-label=\"Notifications, 1 new\""))
            #expect(page.contains("\(principalName) shared feedback on the visit to your class on"))
            // Nobody else hears of it: not the observer, not a coach.
            #expect(try await principal.page("/notifications").contains("Nothing new."))
            #expect(try await colleague.page("/notifications").contains("Nothing new."))
            let mine = try await NotificationRecord.query(on: app.db).all()
            #expect(mine.count == 1 && mine[0].recipientId == f.teacherId && mine[0].link == "/walkthroughs/\(visit.id)")

            // Someone else cannot open it; its teacher can, which marks it read and leads to the feedback.
            #expect(try await colleague.get("/notifications/\(mine[0].id!)").status == .notFound)
            let opened = try await teacher.get("/notifications/\(mine[0].id!)")
            #expect(opened.status == .seeOther && opened.headers.first(name: .location) == "/walkthroughs/\(visit.id)")
            #expect(try await teacher.page("/notifications").contains("Nothing new."))

            // The teacher replies: the observer hears of it, the teacher does not.
            #expect(try await teacher.post("/walkthroughs/\(visit.id)/replies", form: ["body": "Thank you, trying it Friday."]).status == .seeOther)
            let teacherName = try await StaffDirectory(db: app.db).person(f.teacherId)!.displayName
            #expect(try await principal.page("/notifications").contains("\(teacherName) replied to your feedback on the visit of"))
            #expect(try await teacher.page("/notifications").contains("Nothing new."))

            // Editing shared feedback tells the teacher again; a draft tells nobody until it is shared.
            var draft = WalkthroughTests().submission(teacher: f.teacherId)
            draft.share = false
            try await WalkthroughTests().post(draft, as: principal)
            #expect(try await NotificationRecord.query(on: app.db).filter(\.$recipientId == f.teacherId).count() == 1)
            #expect(try await principal.post("/walkthroughs/\(draft.id)/share", form: [:]).status == .seeOther)
            #expect(try await NotificationRecord.query(on: app.db).filter(\.$recipientId == f.teacherId).count() == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func emailGoesOutOnceWithBothPartsALinkAndOneClickUnsubscribe(_ database: TestDatabase) async throws {
        let sink = try SMTPSink()
        try await WalkthroughTests().withDemo(database) { app, f in
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            let visit = WalkthroughTests().submission(teacher: f.teacherId, glow: "Maria Lopez explained fractions to her group.")
            try await WalkthroughTests().post(visit, as: principal)
            try await withoutMondaySummaries(app)
            let delivery = EmailDelivery(settings: try mail(sink), db: app.db)
            let now = Int(Date().timeIntervalSince1970)
            #expect(try await delivery.round(now: now) == 1)
            #expect(try await delivery.round(now: now + 600) == 0)

            let received = try sink.received()
            let teacher = try await StaffDirectory(db: app.db).person(f.teacherId)!
            let principalName = try await StaffDirectory(db: app.db).person(email: f.people.email(.principal))!.displayName
            #expect(received.count == 1)
            let email = try #require(received.first)
            #expect(email.envelopeTo == [teacher.email])
            #expect(email.to.contains(teacher.email) && email.from.contains("lodestar@cedarvalley.example.org"))
            #expect(email.subject.hasPrefix("\(principalName) shared feedback on the visit to your class on"))
            #expect(email.text.contains("https://lodestar.cedarvalley.example.org/walkthroughs/\(visit.id)"))
            #expect(email.html.contains("href=\"https://lodestar.cedarvalley.example.org/walkthroughs/\(visit.id)\""))
            // The district did not allow feedback's words in email: no glow, and so no student's name.
            #expect(!email.text.contains("Maria") && !email.html.contains("Maria"))
            // Where it does, the words come too, escaped in the HTML part.
            var including = try mail(sink)
            including.includesFeedbackText = true
            let words = WalkthroughTests().submission(teacher: f.teacherId, glow: "Pairs <compared> strategies & explained them.")
            try await WalkthroughTests().post(words, as: principal)
            #expect(try await EmailDelivery(settings: including, db: app.db).round(now: now + 1) == 1)
            let withWords = try #require(try sink.received().last)
            #expect(withWords.text.contains("Glow: Pairs <compared> strategies & explained them."))
            #expect(withWords.html.contains("Glow: Pairs &lt;compared&gt; strategies &amp; explained them."))
            #expect(email.listUnsubscribePost == "List-Unsubscribe=One-Click")
            let unsubscribe = try #require(email.listUnsubscribe?.trimmingCharacters(in: CharacterSet(charactersIn: "<> ")))
            #expect(unsubscribe.hasPrefix("https://lodestar.cedarvalley.example.org/unsubscribe/"))
            #expect(email.text.contains(unsubscribe))

            // One click, as a mail client makes it: no session, no form token.
            let path = String(unsubscribe.dropFirst("https://lodestar.cedarvalley.example.org".count))
            let anonymous = TestClient(app)
            #expect(try await anonymous.get(path).body.string.contains("Stop email about feedback on visits to your class?"))
            let clicked = try await anonymous.post(path, contentType: "application/x-www-form-urlencoded", body: Data("List-Unsubscribe=One-Click".utf8))
            #expect(clicked.status == .ok)
            #expect(try await NotificationQueries(db: app.db).delivery(of: f.teacherId, .feedback) == .off)
            #expect(try await anonymous.post("/unsubscribe/not-a-token", contentType: "application/x-www-form-urlencoded", body: Data()).status == .notFound)

            // Turned off: the next feedback is on the page, and no email is written for it.
            try await WalkthroughTests().post(WalkthroughTests().submission(teacher: f.teacherId), as: principal)
            #expect(try await delivery.round(now: now + 1_200) == 0)
            #expect(try sink.received().count == 2)
            #expect(try await NotificationRecord.query(on: app.db).filter(\.$recipientId == f.teacherId).count() == 3)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aRefusalForNowIsTriedAgainAndARefusalForGoodIsRecorded(_ database: TestDatabase) async throws {
        let busy = try SMTPSink(["--refuse-first", "1"])
        try await WalkthroughTests().withDemo(database) { app, f in
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            try await WalkthroughTests().post(WalkthroughTests().submission(teacher: f.teacherId), as: principal)
            try await withoutMondaySummaries(app)
            let delivery = EmailDelivery(settings: try mail(busy), db: app.db)
            let now = Int(Date().timeIntervalSince1970)
            #expect(try await delivery.round(now: now) == 1)
            var email = try #require(try await OutboxEmail.query(on: app.db).first())
            #expect(email.state == "pending" && email.attempts == 1 && email.nextAttemptAt == now + 60)
            #expect(email.lastError?.contains("451") == true)
            // Not before its time; then accepted, once.
            #expect(try await delivery.round(now: now + 30) == 0)
            #expect(try await delivery.round(now: now + 60) == 1)
            email = try #require(try await OutboxEmail.query(on: app.db).first())
            #expect(email.state == "sent" && email.acceptedAt == now + 60 && email.attempts == 2)
            #expect(try busy.received().count == 1)
        }
        let refusing = try SMTPSink(["--refuse-always"])
        try await WalkthroughTests().withDemo(database) { app, f in
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            try await WalkthroughTests().post(WalkthroughTests().submission(teacher: f.teacherId), as: principal)
            try await withoutMondaySummaries(app)
            let delivery = EmailDelivery(settings: try mail(refusing), db: app.db)
            #expect(try await delivery.round() == 1)
            let email = try #require(try await OutboxEmail.query(on: app.db).first())
            #expect(email.state == "failed" && email.lastError?.contains("550") == true)
            #expect(try await delivery.round(now: Int(Date().timeIntervalSince1970) + 7_200) == 0)
            // The district admin sees it, with the mail server's words.
            app.mail = try mail(refusing)
            let admin = TestClient(app)
            try await admin.signIn(f.people.email(.districtAdmin))
            let page = try await admin.page("/admin")
            #expect(page.contains("Refused by the mail server for good") && page.contains("550 5.1.1 Mailbox unavailable") && page.contains(email.toAddress))
        }
    }

    /// A certificate for `localhost`, made by openssl for the test: the mail server's, and the one root trusted.
    static func certificate() throws -> (cert: String, key: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tls-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let cert = folder.appendingPathComponent("cert.pem").path, key = folder.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-addext", "basicConstraints=critical,CA:TRUE"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        return (cert, key)
    }

    @Test func startTLSAndTLSFromTheStartWithAPasswordReachTheServer() async throws {
        let (cert, key) = try Self.certificate()
        let message = "From: <lodestar@example.org>\r\nTo: <nora@example.org>\r\nSubject: Over TLS\r\nMessage-ID: <tls@lodestar>\r\n\r\n.A line that starts with a dot\r\n"
        for (options, url) in [(["--starttls", cert, key], "smtp://lodestar:s3cret%21@localhost:PORT"),
                               (["--implicit-tls", cert, key], "smtps://lodestar:s3cret%21@localhost:PORT")] {
            let sink = try SMTPSink(options + ["--user", "lodestar:s3cret!"])
            let settings = try SMTPSettings.parse(url.replacingOccurrences(of: "PORT", with: "\(sink.port)"))
            let accepted = await SMTPClient(settings: settings, extraTrust: cert).send(from: "lodestar@example.org", to: "nora@example.org", data: message)
            guard case .accepted = accepted else { Issue.record("\(url): \(accepted)"); continue }
            let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: sink.folder.appendingPathComponent("1.json"))) as! [String: Any]
            #expect(envelope["tls"] as? Bool == true && envelope["authenticated"] as? Bool == true, "\(url): \(envelope)")
            // Dot-stuffed on the way, unstuffed by the server: the line arrives as written.
            #expect(String(decoding: try Data(contentsOf: sink.folder.appendingPathComponent("1.eml")), as: UTF8.self).contains("\r\n.A line that starts with a dot"))
            // A wrong password is refused for good; a certificate nobody vouches for is not trusted.
            var wrong = settings
            wrong.password = "guess"
            guard case .permanent(let reason) = await SMTPClient(settings: wrong, extraTrust: cert).send(from: "lodestar@example.org", to: "nora@example.org", data: message) else {
                Issue.record("\(url): a wrong password was not refused for good"); continue
            }
            #expect(reason.contains("AUTH PLAIN: 535"), "\(reason)")
            guard case .transient = await SMTPClient(settings: settings).send(from: "lodestar@example.org", to: "nora@example.org", data: message) else {
                Issue.record("\(url): an untrusted certificate was accepted"); continue
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: sink.folder.path).filter { $0.hasSuffix(".eml") }.count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func twoServersSendingAtOnceSendEachEmailOnce(_ database: TestDatabase) async throws {
        let sink = try SMTPSink()
        try await WalkthroughTests().withDemo(database) { app, f in
            try await withoutMondaySummaries(app)
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            let teachers = try await app.db.sql.raw("SELECT staff_id FROM role_grants WHERE role = 'teacher' AND school_id = 'school-1' ORDER BY staff_id LIMIT 24").all()
                .map { try $0.decode(column: "staff_id", as: String.self) }
            for teacher in teachers { try await WalkthroughTests().post(WalkthroughTests().submission(teacher: teacher), as: principal) }
            // Two workers (as two Lodestar servers on one database would run), each round at the same moment.
            let settings = try mail(sink)
            let now = Int(Date().timeIntervalSince1970)
            try await EmailDelivery(settings: settings, db: app.db).writeEmails(now: now)
            async let first = EmailDelivery(settings: settings, db: app.db).deliver(now: now)
            async let second = EmailDelivery(settings: settings, db: app.db).deliver(now: now)
            async let third = EmailDelivery(settings: settings, db: app.db).deliver(now: now)
            let sent = try await first + second + third
            #expect(sent == min(30, teachers.count))
            while try await EmailDelivery(settings: settings, db: app.db).deliver(now: now) > 0 {}
            let received = try sink.received().flatMap(\.envelopeTo)
            #expect(received.count == teachers.count && Set(received).count == teachers.count)
        }
    }

    @Test func passwordsGoOnlyOverTLSAndTheServerMustOfferIt() async throws {
        // A relay that does not offer STARTTLS is refused for now, not written to in the clear.
        let plain = try SMTPSink()
        let outcome = await SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: plain.port, security: .startTLS))
            .send(from: "a@example.org", to: "b@example.org", data: "Subject: x\r\n\r\nx\r\n")
        guard case .transient(let reason) = outcome else { Issue.record("sent without TLS: \(outcome)"); return }
        #expect(reason.contains("does not offer STARTTLS"))
        #expect(try plain.received().isEmpty)
        #expect { try SMTPSettings.parse("smtp://user:secret@mail.example.org?starttls=off") } throws: { "\($0)".contains("in the clear") }
    }
}

@Suite("Notifications: events and reminders")
struct NotificationEventTests {
    @Test(arguments: TestDatabase.all)
    func remindersComeOnceAndImportsTellWhoStartedThem(_ database: TestDatabase) async throws {
        try await WalkthroughTests().withDemo(database) { app, f in
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            let now = Int(Date().timeIntervalSince1970)
            let today = DisplayTime.isoDay(now)
            // A goal of school-1 with steps owned by the teacher: overdue, due in two days, due in a week, and one done.
            let principalId = try #require(try await StaffDirectory(db: app.db).person(email: f.people.email(.principal))?.id)
            let made = try await principal.post("/goals/school-1", form: ["statement": "Families at conferences", "ownerId": principalId, "kind": "manual",
                                                                          "unit": "%", "baseline": "60", "target": "90", "deadline": DisplayTime.isoDay(today, plus: 200)])
            #expect(made.status == .seeOther)
            let goal = try #require(made.headers.first(name: .location)?.split(separator: "/").last.map { String($0.split(separator: "#")[0].split(separator: "?")[0]) })
            for (text, days) in [("Overdue step", -2), ("Soon step", 2), ("Later step", 7), ("Done step", -1)] {
                #expect(try await principal.post("/goals/school-1/\(goal)/steps", form: ["text": text, "ownerId": f.teacherId, "dueOn": DisplayTime.isoDay(today, plus: days)]).status == .seeOther)
            }
            try await app.db.sql.raw("UPDATE action_steps SET status = 'done' WHERE text = 'Done step'").run()
            // Each step given is told at once; the reminders come with time, once however often they are looked for.
            #expect(try await NotificationRecord.query(on: app.db).filter(\.$recipientId == f.teacherId).filter(\.$kind == "step_assigned").count() == 4)
            try await app.db.writeTransaction { db in try await NotificationQueries(db: db).remind(now: now) }
            try await app.db.writeTransaction { db in try await NotificationQueries(db: db).remind(now: now + 600) }
            let titles = try await NotificationRecord.query(on: app.db).filter(\.$recipientId == f.teacherId).filter(\.$kind == "step_due").all()
                .filter { $0.link.contains(goal) }.map(\.title).sorted()
            #expect(titles == ["An action step of yours is due \(DisplayTime.date(DisplayTime.isoDay(today, plus: 2)))",
                               "An action step of yours is overdue: it was due \(DisplayTime.date(DisplayTime.isoDay(today, plus: -2)))"])

            // A session planned for school-1 tells everyone with a role there but the planner, and nobody elsewhere, each
            // by email as they chose for the kind (all written in one statement).
            let atSchool = Set(try await app.db.sql.raw("SELECT DISTINCT staff_id FROM role_grants WHERE school_id = 'school-1'").all().map { try $0.decode(column: "staff_id", as: String.self) })
            let (quiet, atOnce) = (f.teacherId, try #require(atSchool.subtracting([principalId, f.teacherId]).sorted().first))
            try await app.db.writeTransaction { db in
                try await NotificationQueries(db: db).choose(.off, for: .sessionPlanned, of: quiet)
                try await NotificationQueries(db: db).choose(.immediately, for: .sessionPlanned, of: atOnce)
            }
            #expect(try await principal.post("/learning/sessions", form: ["scope": "school-1", "title": "Practice lab", "facilitatorId": principalId,
                                                                          "day": DisplayTime.isoDay(today, plus: 1), "startTime": "15:00", "endTime": "16:00"]).status == .seeOther)
            let sessionNotes = try await NotificationRecord.query(on: app.db).filter(\.$kind == "session_planned").all()
            let told = Set(sessionNotes.map(\.recipientId))
            #expect(told == atSchool.subtracting([principalId]) && told.contains(f.teacherId) && !told.contains(f.otherSchoolTeacher))
            // The kind comes in the daily digest unless chosen otherwise.
            for note in sessionNotes {
                let expected: NotificationRecord.EmailState = note.recipientId == quiet ? .no : note.recipientId == atOnce ? .due : .digest
                #expect(note.emailed == expected.rawValue, "\(note.recipientId)")
            }

            // A refused import tells the admin who started it, by the file's name only.
            let admin = TestClient(app)
            try await admin.signIn(f.people.email(.districtAdmin))
            let refused = try await admin.upload("/admin/import", file: Data("not a zip".utf8), field: "bundle", fileName: "roster.zip")
            #expect(refused.status == .unprocessableEntity)
            let adminId = try #require(try await StaffDirectory(db: app.db).person(email: f.people.email(.districtAdmin))?.id)
            let notes = try await NotificationRecord.query(on: app.db).filter(\.$recipientId == adminId).all()
            #expect(notes.map(\.title) == ["Your import of roster.zip was refused; nothing was imported. The reason is on the import page."])
            #expect(notes.first?.link == "/admin/import")
        }
    }
}

@Suite("Notifications: the Monday summary")
struct WeeklySummaryTests {
    @Test(arguments: TestDatabase.all)
    func theMondaySummarySaysWhatThePagesSay(_ database: TestDatabase) async throws {
        let sink = try SMTPSink()
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let principalId = try #require(try await StaffDirectory(db: app.db).person(email: people.email(.principal))?.id)
            let now = Int(Date().timeIntervalSince1970)
            let delivery = EmailDelivery(settings: try NotificationTests().mail(sink), db: app.db)
            try await delivery.writeWeeklySummaries(now: now, anyDay: true)
            try await delivery.writeWeeklySummaries(now: now + 60, anyDay: true)
            _ = try await delivery.deliver(now: now)
            let mine = try sink.received().filter { $0.envelopeTo == [people.email(.principal)] }
            #expect(mine.count == 1)
            let text = try #require(mine.first?.text)

            // The Today page's own sentences, word for word (time against target; teachers not visited).
            let today = try await principal.page("/")
            for sentence in ["of your recorded time went to teaching and learning; your target is", "not had a visit in 30 days."] {
                let line = try #require(today.components(separatedBy: "<p>").first { $0.contains(sentence) }?.components(separatedBy: "</p>").first)
                #expect(text.contains(line.replacingOccurrences(of: "&#39;", with: "'")), "Today says “\(line)”; the email: \(text)")
            }
            // Shared feedback without a reply and overdue steps, counted here in SQL.
            let sql = app.db.sql
            let waiting = try await sql.raw("""
                SELECT count(*) AS n FROM walkthroughs w WHERE w.observer_id = \(bind: principalId) AND w.shared_at IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM feedback_replies r WHERE r.walkthrough_id = w.id AND r.author_id = w.teacher_id)
                """).first()!.decode(column: "n", as: Int.self)
            #expect(text.contains("\(waiting) of your shared feedback \(waiting == 1 ? "note has" : "notes have") no reply yet."))
            let overdue = try await sql.raw("""
                SELECT count(*) AS n FROM action_steps WHERE owner_id = \(bind: principalId) AND due_on < \(bind: DisplayTime.isoDay(now))
                AND status IN ('not_started', 'in_progress')
                """).first()!.decode(column: "n", as: Int.self)
            #expect(text.contains(overdue == 0 ? "None of your action steps is past due." : "\(overdue) action step"))
            // No student-level data: no student's name from the roster appears.
            let students = district.bundle.users.filter { $0.role == "student" }.map { "\($0.givenName) \($0.familyName)" }
            #expect(!students.contains { text.contains($0) })
            // A teacher gets none.
            #expect(try sink.received().allSatisfy { $0.envelopeTo != [people.teacherEmail] || !$0.subject.hasPrefix("Your week") })
        }
    }
}

@Suite("Notifications: every event by email")
struct EveryEventByEmailTests {
    @Test(arguments: TestDatabase.all)
    func eachEventReachesItsPeopleByEmailWithALinkBack(_ database: TestDatabase) async throws {
        let sink = try SMTPSink()
        try await WalkthroughTests().withDemo(database) { app, f in
            try await NotificationTests().withoutMondaySummaries(app)
            let directory = StaffDirectory(db: app.db)
            let principal = TestClient(app), teacher = TestClient(app), admin = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            try await teacher.signIn(f.people.teacherEmail)
            try await admin.signIn(f.people.email(.districtAdmin))
            let principalId = try #require(try await directory.person(email: f.people.email(.principal))?.id)
            let now = Int(Date().timeIntervalSince1970), today = DisplayTime.isoDay(now), tomorrow = DisplayTime.isoDay(today, plus: 1)

            // Feedback, and the teacher's reply to it.
            let visit = WalkthroughTests().submission(teacher: f.teacherId)
            try await WalkthroughTests().post(visit, as: principal)
            #expect(try await teacher.post("/walkthroughs/\(visit.id)/replies", form: ["body": "Thank you."]).status == .seeOther)
            // An announced visit; an action step; a session; a need; a refused import.
            #expect(try await principal.post("/walkthroughs/schedule", form: ["teacherId": f.teacherId, "day": tomorrow, "time": "09:00",
                                                                              "visitType": "informal", "school": "school-1"]).status == .seeOther)
            let goal = try await principal.post("/goals/school-1", form: ["statement": "Families at conferences", "ownerId": principalId, "kind": "manual",
                                                                          "unit": "%", "baseline": "60", "target": "90", "deadline": DisplayTime.isoDay(today, plus: 200)])
            let goalPath = try #require(goal.headers.first(name: .location).map { String($0.split(separator: "#")[0]) })
            #expect(try await principal.post("\(goalPath)/steps", form: ["text": "Call families", "ownerId": f.teacherId, "dueOn": DisplayTime.isoDay(today, plus: 20)]).status == .seeOther)
            #expect(try await principal.post("/learning/sessions", form: ["scope": "school-1", "title": "Practice lab", "facilitatorId": principalId,
                                                                          "day": tomorrow, "startTime": "15:00", "endTime": "16:00"]).status == .seeOther)
            #expect(try await principal.post("/learning/needs", form: ["scope": "school-1", "kind": "written", "title": "Questioning", "evidence": "Seen rarely."]).status == .seeOther)
            #expect(try await admin.upload("/admin/import", file: Data("not a zip".utf8), field: "bundle", fileName: "roster.zip").status == .unprocessableEntity)

            // Email at once, then the daily emails, all handed to aiosmtpd.
            let delivery = EmailDelivery(settings: try NotificationTests().mail(sink), db: app.db)
            let later = Int(Date().timeIntervalSince1970) + 1
            try await delivery.round(now: later)
            try await delivery.writeDigests(before: later, now: later)
            while try await delivery.deliver(now: later) > 0 {}
            let received = try sink.received()
            func email(to address: String, containing words: String, link: String) -> Bool {
                received.contains { $0.envelopeTo == [address] && $0.text.contains(words) && $0.text.contains("https://lodestar.cedarvalley.example.org" + link)
                    && $0.html.contains("href=\"https://lodestar.cedarvalley.example.org" + link.replacingOccurrences(of: "&", with: "&amp;")) && $0.listUnsubscribe != nil }
            }
            let principalName = try #require(try await directory.person(principalId)?.displayName)
            let teacherName = try #require(try await directory.person(f.teacherId)?.displayName)
            let adminEmail = f.people.email(.districtAdmin)
            #expect(email(to: f.people.teacherEmail, containing: "\(principalName) shared feedback on the visit to your class", link: "/walkthroughs/\(visit.id)"))
            #expect(email(to: f.people.email(.principal), containing: "\(teacherName) replied to your feedback", link: "/walkthroughs/\(visit.id)#replies"))
            #expect(email(to: f.people.teacherEmail, containing: "\(principalName) plans an announced visit to your class", link: "/"))
            #expect(email(to: f.people.teacherEmail, containing: "\(principalName) gave you an action step", link: goalPath))
            #expect(email(to: f.people.teacherEmail, containing: "\(principalName) planned a professional-learning session, “Practice lab”", link: "/learning/sessions/"))
            #expect(email(to: f.people.email(.coach), containing: "\(principalName) accepted a professional-learning need", link: "/learning?scope=school-1"))
            #expect(email(to: adminEmail, containing: "Your import of roster.zip was refused", link: "/admin/import"))
            // Nobody is told of what they did themselves.
            #expect(!received.contains { $0.envelopeTo == [f.people.email(.principal)] && !$0.text.contains("replied") })
        }
    }
}
