import Fluent
import LodestarCore
import Vapor

/// `lodestar user add`, `reset-password` and `reset-two-factor`: account administration from the shell,
/// for the first district admin and for locked-out people.
struct UserCommand: AsyncCommandGroup {
    var help: String { "Adds accounts and resets passwords and two-factor sign-in." }
    var commands: [String: any AnyAsyncCommand] { ["add": AddUser(), "reset-password": ResetPassword(), "reset-two-factor": ResetTwoFactor()] }

    /// Reads a password from standard input, or makes a strong one and says so.
    static func password(fromStandardInput: Bool, console: any Console) throws -> String {
        if fromStandardInput {
            guard let line = readLine(strippingNewline: true), line.count >= 12 else {
                throw LodestarError("the password on standard input must have at least 12 characters")
            }
            return line
        }
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        let password = String((0..<16).map { _ in alphabet.randomElement()! })
        console.print("Temporary password: \(password)")
        return password
    }

    struct AddUser: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "email") var email: String
            @Option(name: "given", help: "Given name.") var given: String?
            @Option(name: "family", help: "Family name.") var family: String?
            @Option(name: "role", help: "district_admin, district_leader, principal, assistant_principal, coach, teacher_leader or teacher.")
            var role: String?
            @Option(name: "school", help: "The school's sourcedId, for school roles.") var school: String?
            @Flag(name: "password-stdin", help: "Read the password from standard input instead of generating one.")
            var passwordStdin: Bool
        }

        var help: String { "Adds a staff account with a role, e.g. user add ana@district.org --given Ana --family Ruiz --role district_admin" }

        func run(using context: CommandContext, signature: Signature) async throws {
            let db = context.application.db
            let email = signature.email.lowercased()
            guard email.contains("@") else { throw LodestarError("\(signature.email) is not an email address") }
            guard let role = StaffRole(rawValue: signature.role ?? "") else {
                throw LodestarError("--role must be one of \(StaffRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let grant = RoleGrant(role: role, schoolId: signature.school)
            if !role.isDistrictWide {
                guard let school = signature.school, try await Org.isSchool(school, on: db) else {
                    throw LodestarError("--school must name a school's sourcedId for the \(role.rawValue) role")
                }
            }
            guard try await StaffDirectory(db: db).person(email: email) == nil else {
                throw LodestarError("an account with the email \(email) exists; use user reset-password")
            }
            let password = try UserCommand.password(fromStandardInput: signature.passwordStdin, console: context.console)
            _ = try await Staff.addLocal(email: email, givenName: signature.given ?? "", familyName: signature.family ?? "",
                                         passwordHash: try await context.application.password.async.hash(password), grant: grant, on: db)
            context.console.print("Added \(email) as \(role.label).")
        }
    }

    struct ResetPassword: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "email") var email: String
            @Flag(name: "password-stdin", help: "Read the password from standard input instead of generating one.")
            var passwordStdin: Bool
        }

        var help: String { "Sets a new password for an account (rostered or added)." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let db = context.application.db
            guard let staff = try await StaffDirectory(db: db).person(email: signature.email.lowercased()) else {
                throw LodestarError(.notFound, "no account has the email \(signature.email)")
            }
            let password = try UserCommand.password(fromStandardInput: signature.passwordStdin, console: context.console)
            staff.passwordHash = try await context.application.password.async.hash(password)
            try await db.writeTransaction { db in try await staff.save(on: db) }
            context.console.print("The password of \(staff.email) is reset.")
        }
    }

    /// For a person who lost both their authenticator and their recovery codes: turns two-factor sign-in
    /// off, so they sign in with their password and set it up again.
    struct ResetTwoFactor: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "email") var email: String
        }

        var help: String { "Turns off two-factor sign-in for an account whose authenticator and recovery codes are lost." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let db = context.application.db
            guard let staff = try await StaffDirectory(db: db).person(email: signature.email.lowercased()), let staffId = staff.id else {
                throw LodestarError(.notFound, "no account has the email \(signature.email)")
            }
            try await TwoFactorCheck.reset(staffId, on: db)
            context.console.print("Two-factor sign-in of \(staff.email) is off; they sign in with their password and set it up again.")
        }
    }
}
