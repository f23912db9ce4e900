import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
@testable import Gateway

/// Differential fuzzing of the wire path's hand-written head parser against SwiftNIO's (llhttp): the same bytes go
/// to both, and whenever `Wire.requestHead` accepts a head — the wire path would then act on its reading — NIO's
/// parser must accept it too and read the same method, target, version, header lines and body framing. A head the
/// wire parser refuses goes to NIO's codec anyway, so only acceptance can diverge. Generated heads mix valid requests
/// with the request-smuggling corpus: duplicate and conflicting `Content-Length`, `Transfer-Encoding` with
/// `Content-Length`, obs-fold, bare CR and LF, NUL and other control bytes, spaces before the colon, oversized
/// numbers, odd versions and methods, and random byte flips.
@Suite struct WireHeadDifferentialTests {
    /// Heads per run: seeded, so a divergence reproduces; CI runs all of them (about a minute in a debug build).
    static let heads = Int(ProcessInfo.processInfo.environment["BOURSE_FUZZ_HEADS"] ?? "") ?? 1_000_000

    /// SplitMix64: fast, seeded, the same sequence on every machine.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let methods = ["GET", "GET", "GET", "HEAD", "HEAD", "POST", "PUT", "DELETE", "get", "G\u{0}T", "GET\t", "PATCH", "OPTIONS", "GE T"]
    static let versions = ["HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "http/1.1", "HTTP/11", "HTTP/2.0", "HTTP/1.1 "]
    static let targets = ["/api/v1/data/market/ORCL", "/api/v1/data/instruments?q=ora&limit=5", "/", "*", "/a%20b", "/a?x=1#frag",
                          "http://h/api/v1/data/x", "/api/v1/data/\u{7F}", "/api/v1/data/é", "/a\u{0}b", "/a\tb", "//x", "/a?b=c d"]
    static let validLines: [String] = [
        "Host: gw", "Host: gateway.local:8080", "X-Request-ID: abc-123", "Authorization: Bearer abc.def.ghi", "X-API-Key: bk_1_x",
        "Connection: keep-alive", "Accept: */*", "User-Agent: curl/8", "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "Content-Length: 0", "X-Bourse-Timeout-Ms: 2500", "Accept-Encoding: gzip, br",
    ]
    static let lines: [String] = [
        "Host: gw", "Host: gw", "Host:gw", "Host: gw ", "Host : gw", " Host: gw", "Host:\tgw\t", "Host: g\u{0}w", "Host: g\u{1}w",
        "Host: g\u{7F}w", "Host: é", "X-Request-ID: abc-123", "X-Request-ID:", "Authorization: Bearer abc.def.ghi",
        "Authorization: bearer x", "Authorization: Basic eA==", "X-API-Key: bk_1_x", "Connection: keep-alive", "Connection: close",
        "Content-Length: 0", "Content-Length: 5", "Content-Length: 5", "Content-Length: 05", "Content-Length: +5", "Content-Length: 5 ",
        "Content-Length:  5", "Content-Length: 5, 5", "Content-Length: -1", "Content-Length: 99999999999999999999", "Content-Length: 1e3",
        "Content-Length:", "Transfer-Encoding: chunked", "Transfer-Encoding: identity", "Transfer-Encoding: chunked, gzip",
        "Transfer-Encoding : chunked", "Expect: 100-continue", "Upgrade: websocket", "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "X-Forwarded-For: 10.0.0.1", "X-Bourse-Timeout-Ms: 2500", "X-Custom: a\u{8}b", "X Custom: a", "X-Custom: \"quoted\"",
        "X-Custom: a\r b", "\tobs-fold", " folded", "X-Empty: ", ":no-name", "X-Custom: ü",
    ]
    static let endings = ["\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r", "\r\r\n"]

    static func generate(_ rng: inout Generator) -> [UInt8] {
        func pick<T>(_ list: [T]) -> T { list[Int(rng.next() % UInt64(list.count))] }
        let eol = rng.next() % 16 == 0 ? pick(endings) : "\r\n"
        let version = rng.next() % 4 == 0 ? pick(versions) : "HTTP/1.1"
        var text = pick(methods) + (rng.next() % 40 == 0 ? "  " : " ") + pick(targets) + " " + version + eol
        for _ in 0..<Int(rng.next() % 7) {
            text += (rng.next() % 4 == 0 ? pick(lines) : pick(validLines)) + (rng.next() % 20 == 0 ? pick(endings) : eol)
        }
        text += eol
        var bytes = Array(text.utf8)
        // Random flips: any byte, anywhere but in the final blank line (so the head's end stays where it is).
        if rng.next() % 5 == 0, bytes.count > 8 {
            for _ in 0..<Int(1 + rng.next() % 3) {
                bytes[Int(rng.next() % UInt64(bytes.count - 4))] = UInt8(truncatingIfNeeded: rng.next())
            }
        }
        return bytes
    }

    /// What NIO's parser makes of `bytes`: its head, or `nil` when it refuses them or wants more.
    static func nio(_ bytes: [UInt8]) -> HTTPRequestHead? {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        defer { _ = try? channel.finish() }
        do {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
            guard case .head(let head)? = try channel.readInbound(as: HTTPServerRequestPart.self) else { return nil }
            return head
        } catch {
            return nil
        }
    }

    /// Why the two readings of an accepted head differ, or `nil` when they agree.
    static func divergence(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { raw -> String? in
            guard let end = Wire.headEnd(raw) else { return nil }
            var fields: [Wire.Field] = []
            guard let wire = Wire.requestHead(raw, end: end, reusing: &fields) else { return nil }
            guard end == bytes.count else { return "the wire parser ended the head at \(end) of \(bytes.count) bytes" }
            guard let nio = nio(bytes) else { return "NIO refused a head the wire parser accepted" }
            let method = String(decoding: bytes.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
            guard nio.method.rawValue == method else { return "method \(nio.method.rawValue) vs \(method)" }
            guard nio.uri == wire.target else { return "target \(nio.uri) vs \(wire.target)" }
            guard nio.version == .http1_1 else { return "version \(nio.version)" }
            let wireFields = fields.map { f in
                (String(decoding: raw[Int(f.nameStart)..<Int(f.nameEnd)], as: UTF8.self),
                 String(decoding: raw[Int(f.valueStart)..<Int(f.valueEnd)], as: UTF8.self))
            }
            // RFC 9110 §5.5: a field value has no leading or trailing whitespace; NIO keeps the trailing part, the
            // wire parser (like the RFC) does not, and forwards the line as it came either way.
            let nioFields = nio.headers.map { ($0.name, String($0.value.reversed().drop { $0 == " " || $0 == "\t" }.reversed())) }
            guard wireFields.count == nioFields.count, !zip(wireFields, nioFields).contains(where: { $0 != $1 }) else {
                return "headers \(nioFields) vs \(wireFields)"
            }
            let nioLength = nio.headers["content-length"].first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
            guard nio.headers["transfer-encoding"].isEmpty else { return "NIO sees Transfer-Encoding" }
            switch wire.kind {
            case .bodiless: guard nioLength == 0 else { return "body length \(nioLength) vs none" }
            case .sized(let n): guard nioLength == n else { return "body length \(nioLength) vs \(n)" }
            }
            return nil
        }
    }

    @Test func theWireParserNeverAcceptsAHeadNIOReadsDifferentlyOrRefuses() {
        var rng = Generator(state: 0x5EED_B0)
        var accepted = 0
        var divergences: [String] = []
        for _ in 0..<Self.heads {
            let bytes = Self.generate(&rng)
            if let why = Self.divergence(bytes) {
                divergences.append("\(why): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                if divergences.count >= 10 { break }
            } else if bytes.withUnsafeBytes({ raw in Wire.headEnd(raw).map { end in
                var fields: [Wire.Field] = []
                return Wire.requestHead(raw, end: end, reusing: &fields) != nil
            } ?? false }) {
                accepted += 1
            }
        }
        #expect(divergences.isEmpty, "\(divergences.joined(separator: "\n"))")
        // The corpus must exercise acceptance, not only refusals.
        #expect(accepted > Self.heads / 10, "only \(accepted) heads accepted")
    }
}
