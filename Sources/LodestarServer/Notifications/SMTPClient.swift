import Foundation
import LodestarCore
import NIOCore
import NIOPosix
import NIOSSL

/// Hands messages to an SMTP server (RFC 5321): EHLO, STARTTLS or TLS from the start, AUTH PLAIN or LOGIN,
/// then MAIL FROM, RCPT TO and DATA for each message. No SMTP package is among those we may use, so this is
/// ours, on SwiftNIO; every wait for the server ends after `timeout` of silence.
struct SMTPClient: Sendable {
    let settings: SMTPSettings
    /// The name this server gives itself in EHLO.
    var heloName = "lodestar.localdomain"
    /// Certificates to trust besides the system's (`LODESTAR_SMTP_CA_FILE`), for a district's own mail relay.
    var extraTrust: String?
    var timeout: TimeAmount = .seconds(30)

    /// What the server said to one message.
    enum Outcome: Sendable, Equatable {
        /// Taken: the server's reply to the end of DATA.
        case accepted(String)
        /// Not now (4xx, a dropped connection, a timeout): worth trying again later.
        case transient(String)
        /// Never as it is (5xx): an address refused, a password wrong, a message too large.
        case permanent(String)
    }

    /// Sends one message: `data` is the rendered message (before dot-stuffing).
    func send(from: String, to: String, data: String) async -> Outcome {
        do {
            let connection = try await open()
            defer { connection.close() }
            return try await connection.deliver(from: from, to: to, data: data)
        } catch let failure as Failure {
            return failure.outcome
        } catch {
            return .transient("could not reach \(settings.host):\(settings.port): \(error)")
        }
    }

    /// A reply that ends the attempt, as an outcome.
    struct Failure: Error {
        let outcome: Outcome
        init(_ step: String, _ reply: SMTPReply) {
            let text = "\(step): \(reply.code) \(reply.text)"
            outcome = reply.isPermanent ? .permanent(text) : .transient(text)
        }
        init(transient text: String) { outcome = .transient(text) }
    }

    /// The name to ask for in TLS (SNI) and check the certificate against; an address by number is checked as such.
    private var serverName: String? {
        settings.host.contains(":") || settings.host.split(separator: ".").allSatisfy({ UInt8($0) != nil }) ? nil : settings.host
    }

    private func tlsContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let extraTrust {
            configuration.additionalTrustRoots = [.file(extraTrust)]
        }
        return try NIOSSLContext(configuration: configuration)
    }

    private func open() async throws -> Connection {
        let (lines, continuation) = AsyncThrowingStream<String, any Error>.makeStream()
        let context = settings.security == .none ? nil : try tlsContext()
        let implicit = settings.security == .implicitTLS
        let host = serverName, timeout = timeout
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicit, let context {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: host))
                    }
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: timeout))
                    try channel.pipeline.syncOperations.addHandler(ReplyLines(continuation))
                }
            }
            .connect(host: settings.host, port: settings.port).get()
        return Connection(client: self, channel: channel, lines: lines.makeAsyncIterator(), tls: context)
    }

    /// One conversation with the server.
    final class Connection {
        let client: SMTPClient
        let channel: any Channel
        var lines: AsyncThrowingStream<String, any Error>.AsyncIterator
        let tls: NIOSSLContext?

        init(client: SMTPClient, channel: any Channel, lines: AsyncThrowingStream<String, any Error>.AsyncIterator, tls: NIOSSLContext?) {
            self.client = client; self.channel = channel; self.lines = lines; self.tls = tls
        }

        func close() { channel.close(promise: nil) }

        func deliver(from: String, to: String, data: String) async throws -> Outcome {
            try positive("greeting", try await reply())
            try await hello()
            if client.settings.security == .startTLS {
                guard offered.contains(where: { $0.uppercased() == "STARTTLS" }) else {
                    throw Failure(transient: "\(client.settings.host) does not offer STARTTLS; Lodestar does not send mail in the clear (use smtp://…?starttls=off only for a relay on this machine)")
                }
                try positive("STARTTLS", try await command("STARTTLS"))
                guard let tls else { throw Failure(transient: "no TLS context") }
                let host = client.serverName
                try await channel.eventLoop.submit { [channel] in
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: host), position: .first)
                }.get()
                try await hello()
            }
            if let username = client.settings.username {
                try await authenticate(username, client.settings.password ?? "")
            }
            try positive("MAIL FROM", try await command("MAIL FROM:<\(from)>"))
            try positive("RCPT TO", try await command("RCPT TO:<\(to)>"))
            try positive("DATA", try await command("DATA"))
            let end = try await command(EmailMessage.dataSection(data), asLine: false)
            try positive("end of DATA", end)
            _ = try? await command("QUIT")
            return .accepted("\(end.code) \(end.text)")
        }

        /// The extensions the server offered in its last EHLO reply, one line each ("STARTTLS", "AUTH PLAIN LOGIN").
        private var offered: [String] = []

        private func hello() async throws {
            let reply = try await command("EHLO \(client.heloName)")
            try positive("EHLO", reply)
            offered = Array(reply.lines.dropFirst())
        }

        private func authenticate(_ username: String, _ password: String) async throws {
            let mechanisms = Set(offered.map { $0.uppercased() }.filter { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }
                .flatMap { $0.dropFirst(5).split(separator: " ").map(String.init) })
            if mechanisms.contains("PLAIN") {
                let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
                try positive("AUTH PLAIN", try await command("AUTH PLAIN \(token)"))
            } else if mechanisms.contains("LOGIN") {
                for (index, text) in ["AUTH LOGIN", Data(username.utf8).base64EncodedString(), Data(password.utf8).base64EncodedString()].enumerated() {
                    let reply = try await command(text)
                    guard index == 2 ? reply.isPositive && reply.code != 334 : reply.code == 334 else { throw Failure("AUTH LOGIN", reply) }
                }
            } else {
                throw Failure(transient: "\(client.settings.host) offers neither AUTH PLAIN nor AUTH LOGIN\(client.settings.security == .none ? " without TLS" : "")")
            }
        }

        /// Sends a command (a line, or DATA's whole section) and reads the reply.
        private func command(_ text: String, asLine: Bool = true) async throws -> SMTPReply {
            try await channel.writeAndFlush(ByteBuffer(string: asLine ? text + "\r\n" : text))
            return try await reply()
        }

        private func reply() async throws -> SMTPReply {
            var received: [String] = []
            while true {
                guard let line = try await lines.next() else {
                    throw Failure(transient: "\(client.settings.host) closed the connection")
                }
                received.append(line)
                if let reply = try SMTPReply.parse(received).replies.first { return reply }
            }
        }

        private func positive(_ step: String, _ reply: SMTPReply) throws {
            guard reply.isPositive else { throw Failure(step, reply) }
        }
    }
}

/// Splits what the server sends into lines and hands them on; a read timeout or a closed connection ends them.
private final class ReplyLines: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private var pending: [UInt8] = []
    private let continuation: AsyncThrowingStream<String, any Error>.Continuation

    init(_ continuation: AsyncThrowingStream<String, any Error>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        guard pending.count < 64 * 1024 else {
            continuation.finish(throwing: SMTPClient.Failure(transient: "the server sent a line longer than 64 KB"))
            context.close(promise: nil)
            return
        }
        while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(pending[..<end])
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            pending.removeSubrange(...end)
            continuation.yield(String(decoding: line, as: UTF8.self))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            continuation.finish(throwing: SMTPClient.Failure(transient: "the server did not answer in time"))
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: SMTPClient.Failure(transient: "connection error: \(error)"))
        context.close(promise: nil)
    }
}
