import BourseTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A request a service's HTTP stack would answer by closing its connection (TRACE with a body) used to make the
/// gateway eject the service's only instance, so every caller got 503 for the next 10 s. Through the real binary:
/// it is refused at the edge, and the service keeps answering.
@Suite(.serialized) struct RequestHygieneTests {
    /// Sends `request` on a new connection to `port` and returns what comes back until the server closes it.
    static func raw(port: Int, _ request: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    @Test func aTraceWithABodyIsRefusedAtTheEdgeAndTheServiceKeepsAnswering() async throws {
        let platform = try await RunningPlatform.start()
        defer { platform.stop() }
        let (session, token) = (platform.session, platform.token)
        let port = try #require(URLComponents(string: platform.gateway)?.port)

        let body = #"{"symbols":[""],"from":"2000-01-01","to":"2000-01-01"}"#
        for _ in 0..<20 {
            let answer = try Self.raw(port: port, """
                TRACE /api/v1/data/market HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer \(token)\r\n\
                Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)
                """)
            #expect(answer.hasPrefix("HTTP/1.1 405"), "\(answer.prefix(200))")
            #expect(answer.lowercased().contains("allow: get, head, post, put, patch, delete"))
        }
        for _ in 0..<10 {
            #expect(try await session.call(.GET, "/api/v1/data/instruments", token: token).status == 200)
        }
        let listing = try await session.call(.GET, "/api/v1/gateway/services", token: token)
        #expect(listing.status == 200)
        #expect(!listing.body.contains("\"ejections\":1"), "\(listing.body)")
    }
}
