import AsyncHTTPClient
import Foundation
import LodestarCore
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Fetches a subscribed calendar from its secret address, and nothing else: only `https` (Outlook's
/// `webcal://` is read as `https://`); the host's addresses are looked up here and refused when any is
/// loopback, private, link-local or otherwise not on the internet, and the connection goes to the address
/// checked (so a name cannot be pointed elsewhere between the check and the request); redirects are
/// followed by hand, each checked the same way; the body is limited in size while it is read and the whole
/// fetch in time; the answer must be a calendar. The ETag and Last-Modified of the last fetch make it a
/// conditional request.
struct CalendarFetcher: Sendable {
    struct Settings: Sendable {
        /// Tests only: `http://` and loopback addresses (127.0.0.1, ::1) are allowed.
        var allowLoopback = false
        var maximumBytes = 5 * 1_024 * 1_024
        var timeout: TimeAmount = .seconds(30)

        static func fromEnvironment(_ environment: [String: String]) -> Settings {
            var settings = Settings()
            settings.allowLoopback = environment["LODESTAR_CALENDAR_ALLOW_LOOPBACK"] == "1"
            return settings
        }
    }

    enum Fetched: Sendable {
        case notModified
        case calendar(bytes: [UInt8], etag: String?, lastModified: String?)
    }

    let settings: Settings
    let eventLoopGroup: any EventLoopGroup

    static let maximumRedirects = 5

    func fetch(_ address: String, etag: String?, lastModified: String?) async throws(LodestarError) -> Fetched {
        var url = try Self.checkedURL(address, allowLoopback: settings.allowLoopback)
        let deadline = NIODeadline.now() + settings.timeout
        for _ in 0...Self.maximumRedirects {
            let host = url.host!
            let target = try await connectionAddress(host)
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                         timeout: .init(connect: .seconds(10), read: settings.timeout))
            configuration.dnsOverride = [host: target]
            let client = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration)
            do {
                let result = try await attempt(url, client: client, etag: etag, lastModified: lastModified, deadline: deadline)
                try? await client.shutdown()
                switch result {
                case .done(let fetched): return fetched
                case .redirect(let location):
                    guard let next = URL(string: location, relativeTo: url)?.absoluteURL else {
                        throw LodestarError("The calendar's server redirected to an address that is not one (“\(location.prefix(80))”).")
                    }
                    url = try Self.checkedURL(next.absoluteString, allowLoopback: settings.allowLoopback)
                }
            } catch {
                try? await client.shutdown()
                throw Self.explained(error, timeout: settings.timeout)
            }
        }
        throw LodestarError("The calendar's server redirected more than \(Self.maximumRedirects) times.")
    }

    private enum Attempt { case done(Fetched), redirect(String) }

    private func attempt(_ url: URL, client: HTTPClient, etag: String?, lastModified: String?, deadline: NIODeadline) async throws -> Attempt {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.headers.add(name: "Accept", value: "text/calendar, */*;q=0.5")
        request.headers.add(name: "User-Agent", value: "Lodestar calendar subscription")
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        if let lastModified { request.headers.add(name: "If-Modified-Since", value: lastModified) }
        let response = try await client.execute(request, deadline: deadline)
        switch response.status.code {
        case 304: return .done(.notModified)
        case 301, 302, 303, 307, 308:
            guard let location = response.headers.first(name: "Location") else {
                throw LodestarError("The calendar's server answered \(response.status.code) without saying where to.")
            }
            return .redirect(location)
        case 200: break
        default:
            throw LodestarError("The calendar's server answered \(response.status.code) \(response.status.reasonPhrase): check the address, or make a new one in your calendar's settings.")
        }
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > settings.maximumBytes {
            throw LodestarError("The calendar is larger than \(Self.megabytes(settings.maximumBytes)) (\(Self.megabytes(length))).")
        }
        var bytes: [UInt8] = []
        for try await chunk in response.body {
            guard bytes.count + chunk.readableBytes <= settings.maximumBytes else {
                throw LodestarError("The calendar is larger than \(Self.megabytes(settings.maximumBytes)).")
            }
            bytes += chunk.readableBytesView
        }
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while start < bytes.count, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[start]) { start += 1 }
        guard String(decoding: bytes[start..<min(bytes.count, start + 15)], as: UTF8.self).uppercased() == "BEGIN:VCALENDAR" else {
            let type = response.headers.first(name: "Content-Type").map { " (\($0.prefix(60)))" } ?? ""
            throw LodestarError("The address gives a page\(type), not a calendar: in Google Calendar use “Secret address in iCal format”; in Outlook, publish the calendar and copy the ICS link.")
        }
        return .done(.calendar(bytes: bytes, etag: response.headers.first(name: "ETag"), lastModified: response.headers.first(name: "Last-Modified")))
    }

    static func megabytes(_ bytes: Int) -> String {
        bytes >= 1_048_576 ? "\(bytes / 1_048_576) MB" : "\(bytes / 1_024) KB"
    }

    /// The error a person can act on, for anything the fetch throws.
    static func explained(_ error: any Error, timeout: TimeAmount) -> LodestarError {
        if let error = error as? LodestarError { return error }
        if let error = error as? HTTPClientError, [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            return LodestarError("The calendar's server took longer than \(timeout.nanoseconds / 1_000_000_000) seconds to answer.")
        }
        return LodestarError("The calendar's server could not be reached (\(String(describing: error).prefix(120))).")
    }

    /// The address as a URL Lodestar may fetch, or why not.
    static func checkedURL(_ address: String, allowLoopback: Bool) throws(LodestarError) -> URL {
        var text = address.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= 2_000 else { throw LodestarError("The address is longer than 2,000 characters.") }
        if text.lowercased().hasPrefix("webcal://") { text = "https://" + text.dropFirst("webcal://".count) }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw LodestarError("“\(text.prefix(80))” is not a web address; copy the calendar's address (it starts with https://).")
        }
        guard url.user == nil && url.password == nil else { throw LodestarError("The address has a name and password in it; use the calendar's secret address instead.") }
        let loopbackHost = ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host.lowercased())
        guard scheme == "https" || (scheme == "http" && allowLoopback && loopbackHost) else {
            throw LodestarError("Only https:// calendar addresses are accepted (this one starts with \(scheme)://), so the calendar cannot be read or changed on the way.")
        }
        return url
    }

    /// The host's address to connect to, after checking every address it has.
    private func connectionAddress(_ host: String) async throws(LodestarError) -> String {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses: [String]
        do {
            addresses = try await NIOThreadPool.singleton.runIfActive { try Self.lookUp(name) }
        } catch let error as LodestarError {
            throw error
        } catch {
            throw LodestarError("The calendar's server “\(name.prefix(80))” could not be found.")
        }
        guard let first = addresses.first else { throw LodestarError("The calendar's server “\(name.prefix(80))” could not be found.") }
        for address in addresses {
            switch NetworkAddress.kind(address) {
            case .internet: continue
            case .loopback where settings.allowLoopback: continue
            case .loopback, .local, .unknown:
                throw LodestarError("The address points to \(address), which is not on the internet (a private, local or reserved address); Lodestar fetches calendars only from the internet.")
            }
        }
        return first
    }

    /// The numeric addresses of a host name (or the address itself).
    static func lookUp(_ name: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let list else {
            throw LodestarError("The calendar's server “\(name.prefix(80))” could not be found.")
        }
        defer { freeaddrinfo(list) }
        var result: [String] = []
        var next: UnsafeMutablePointer<addrinfo>? = list
        while let info = next {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let address = String(cString: buffer)
                if !result.contains(address) { result.append(address) }
            }
            next = info.pointee.ai_next
        }
        return result
    }
}

/// Which part of the network an IP address is in (RFC 6890's special-purpose registries).
enum NetworkAddress {
    enum Kind: Equatable { case internet, loopback, local, unknown }

    static func kind(_ text: String) -> Kind {
        let address = text.split(separator: "%").first.map(String.init) ?? text
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return kind(v4: withUnsafeBytes(of: &v4) { Array($0) })
        }
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return .unknown }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes == Array(repeating: 0, count: 15) + [1] { return .loopback }
        if bytes.allSatisfy({ $0 == 0 }) { return .local }
        // IPv4 mapped (::ffff:a.b.c.d) or translated (64:ff9b::a.b.c.d): the IPv4 address decides.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return kind(v4: Array(bytes[12...])) }
        if bytes[0..<12] == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return kind(v4: Array(bytes[12...])) }
        if bytes[0] & 0xFE == 0xFC { return .local }                          // fc00::/7 unique local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return .local }      // fe80::/10 link-local
        if bytes[0] == 0xFF { return .local }                                 // multicast
        if bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0D && bytes[3] == 0xB8 { return .local }  // documentation
        if bytes[0..<8] == [0x01, 0, 0, 0, 0, 0, 0, 0] { return .local }     // 100::/64 discard
        if bytes[0] & 0xE0 != 0x20 { return .local }                          // only 2000::/3 is global unicast
        return .internet
    }

    static func kind(v4 b: [UInt8]) -> Kind {
        switch (b[0], b[1]) {
        case (127, _): return .loopback
        case (0, _), (10, _), (169, 254), (192, 168): return .local
        case (100, 64...127), (172, 16...31), (198, 18...19): return .local
        case (192, 0) where b[2] == 0 || b[2] == 2, (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return .local
        case (224...255, _): return .local
        default: return .internet
        }
    }
}
