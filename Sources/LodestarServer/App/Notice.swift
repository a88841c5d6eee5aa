import Vapor

extension Request {
    private static let noticeKey = "notice"

    /// Leaves a one-line message ("Pairing confirmed.") for the next page this person opens, after a redirect.
    /// It is kept in their session, not in the address: a link someone else made can never put words on
    /// Lodestar's pages as if Lodestar said them.
    func leaveNotice(_ message: String) {
        session.data[Self.noticeKey] = String(message.prefix(500))
    }

    /// The message left for this page, shown once.
    func takeNotice() -> String? {
        guard let notice = session.data[Self.noticeKey] else { return nil }
        session.data[Self.noticeKey] = nil
        return notice
    }
}
