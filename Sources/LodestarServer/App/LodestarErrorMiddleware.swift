import LodestarCore
import Vapor

/// Turns any error into a page a person can read: `LodestarError` messages are shown as they are,
/// Vapor's `Abort` statuses get a plain sentence, and anything else becomes a generic message while the
/// details go to the log only. Never a stack trace or SQL in front of a user.
struct LodestarErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let error as LodestarError {
            return try await errorPage(for: request, status: error.status, title: error.title, message: error.description)
        } catch let abort as any AbortError {
            if abort.status == .unauthorized || abort.status.code / 100 == 3 { throw abort }
            // Vapor's reasons can name internals (decoding keys, types): log them, show a sentence instead.
            request.logger.info("\(abort.status.code): \(abort.reason)")
            let message = switch abort.status {
            case .notFound: LodestarError.notFound.message
            case .forbidden: LodestarError.forbidden.message
            case .payloadTooLarge: "That file is too large to upload."
            case .uriTooLong: "That address is longer than any of Lodestar's pages."
            case .badRequest where request.method == .GET: "Lodestar could not read that address. Check it, or start again from Today."
            case .badRequest, .unprocessableEntity, .unsupportedMediaType: "Lodestar could not read what was sent. Go back, check the form and try again."
            default: "Lodestar could not finish this request. Nothing was changed."
            }
            return try await errorPage(for: request, status: abort.status, title: abort.status.reasonPhrase, message: message)
        } catch {
            request.logger.report(error: error)
            return try await errorPage(for: request, status: .internalServerError, title: "Something went wrong",
                                       message: "Lodestar could not finish this request. Nothing was changed. If it happens again, tell your district admin the time it happened.")
        }
    }

    private func errorPage(for request: Request, status: HTTPResponseStatus, title: String, message: String) async throws -> Response {
        await RefusalLog.record(request, status: status)
        if request.url.path.hasPrefix("/api/") {
            let response = try await APIError(error: message).encodeResponse(status: status, for: request)
            return response
        }
        let context = ErrorPage(page: PageContext(request: request, title: title, startsSession: false), message: message)
        let response = try await request.view.render("app/error", context).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}

/// The body of an error from `/api/…`: one sentence for a person.
struct APIError: Content {
    let error: String
}

struct ErrorPage: Encodable {
    let page: PageContext
    let message: String
}

extension LodestarError {
    var status: HTTPResponseStatus {
        switch kind {
        case .invalidInput: .unprocessableEntity
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .tooManyAttempts: .tooManyRequests
        case .tooLarge: .payloadTooLarge
        }
    }

    var title: String {
        switch kind {
        case .invalidInput: "Please check your input"
        case .notFound: "Not found"
        case .forbidden: "Not allowed"
        case .tooManyAttempts: "Too many attempts"
        case .tooLarge: "Too large"
        }
    }
}

/// Headers that make the pages harder to misuse: no framing, no sniffing, no third-party scripts; and no
/// copy of a page kept by a browser or proxy, since pages hold students' and teachers' records. Static
/// files (the only responses with an ETag, set by the file middleware) stay cacheable.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch let abort as any AbortError {
            // What the error page passes on: redirects and sign-in challenges.
            response = Response(status: abort.status, headers: abort.headers)
        }
        if !response.headers.contains(name: .eTag) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        // A response that set its own policy keeps it: a library file is served under `sandbox`, stricter still.
        if !response.headers.contains(name: "Content-Security-Policy") {
            response.headers.replaceOrAdd(name: "Content-Security-Policy",
                                          value: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
        }
        return response
    }
}

/// Puts refused requests in the audit trail — refusals by role (403, expired forms among them), uploads past
/// their limit (413) and requests that failed inside Lodestar (500) — so district admins see probing and
/// failures, not only what succeeded. Bounded so the trail cannot be flooded: at most `perAddress` from one
/// address and `inAll` in all in each ten minutes; past that they go to the log only.
actor RefusalLog {
    static let perAddress = 20, inAll = 500
    static let window: TimeInterval = 10 * 60
    static let recorded: Set<UInt> = [403, 413, 500]

    private var times: [String: [Date]] = [:]
    private var all: [Date] = []

    /// True when one more may be recorded for `address` now (and counts it).
    func admit(_ address: String, now: Date = Date()) -> Bool {
        all = all.filter { now.timeIntervalSince($0) < Self.window }
        if times.count > 10_000 { times = times.filter { $0.value.contains { now.timeIntervalSince($0) < Self.window } } }
        let recent = (times[address] ?? []).filter { now.timeIntervalSince($0) < Self.window }
        guard recent.count < Self.perAddress, all.count < Self.inAll else { times[address] = recent; return false }
        times[address] = recent + [now]
        all.append(now)
        return true
    }

    static func record(_ request: Request, status: HTTPResponseStatus) async {
        guard recorded.contains(status.code) else { return }
        let address = request.clientAddress
        guard await request.application.refusalLog.admit(address) else {
            request.logger.notice("refused \(status.code) \(request.method) \(request.url.path) from \(address) (not in the audit trail: over its limit)")
            return
        }
        do {
            // The route's pattern, not the path: the trail names what was asked, never a student's id (a deleted
            // student's records must leave no trace).
            let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? request.url.path
            try await request.audit("request refused: \(status.code) \(status.reasonPhrase)", subject: "\(request.method) \(route)")
        } catch {
            request.logger.warning("could not record a refused request: \(error)")
        }
    }
}

private struct RefusalLogKey: StorageKey { typealias Value = RefusalLog }

extension Application {
    /// One per application (the tests run many side by side).
    var refusalLog: RefusalLog {
        if let log = storage[RefusalLogKey.self] { return log }
        let log = RefusalLog()
        storage[RefusalLogKey.self] = log
        return log
    }
}
