import NIOCore
import ServiceKit
import Testing
@testable import Gateway

/// The wire path's HTTP/1.1 head parsers: what they accept, and that everything doubtful is left to the codec.
@Suite struct WireHeadTests {
    func request(_ text: String) -> Wire.RequestHead? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw -> Wire.RequestHead? in
            guard let end = Wire.headEnd(raw) else { return nil }
            var fields: [Wire.Field] = []
            return Wire.requestHead(raw, end: end, reusing: &fields)
        }
    }

    func response(_ text: String, head: Bool = false) -> Wire.ResponseHead? {
        let buffer = ByteBuffer(string: text)
        guard let end = buffer.withUnsafeReadableBytes({ Wire.headEnd($0) }) else { return nil }
        var fields: [Wire.Field] = []
        return Wire.responseHead(buffer, end: end, requestWasHead: head, reusing: &fields)
    }

    @Test func aGetHeadIsReadWithTheHeadersTheGatewayNeeds() throws {
        let head = try #require(request("GET /api/v1/data/market/ORCL?from=2020-01-01 HTTP/1.1\r\nHost: gw:8080\r\n"
            + "Authorization: Bearer abc.def\r\nX-Request-ID: r-1\r\nX-Bourse-Timeout-Ms: 250\r\nAccept: text/csv\r\n\r\n"))
        #expect(head.isGetOrHead && !head.isHead && !head.needsRouter)
        #expect(head.target == "/api/v1/data/market/ORCL?from=2020-01-01")
        #expect(head.host == "gw:8080")
        #expect(head.authorization == "Bearer abc.def")
        #expect(head.requestID == "r-1")
        #expect(head.timeout == "250")
        #expect(head.fields.count == 5)
        if case .bodiless = head.kind {} else { Issue.record("a GET without a body is bodiless") }
    }

    @Test func headerNamesAreMatchedWithoutRegardToCaseAndValuesAreTrimmed() throws {
        let head = try #require(request("HEAD /api/v1/x HTTP/1.1\r\nx-api-KEY:   key-1  \r\n\r\n"))
        #expect(head.isHead)
        #expect(head.apiKey == "key-1")
    }

    @Test func anythingDoubtfulIsRefusedSoTheCodecDecides() {
        let refused = [
            "GET /a HTTP/1.0\r\n\r\n",                                      // HTTP/1.0
            "GET /a HTTP/1.1\nHost: x\n\n",                                 // bare LF
            "GET /a HTTP/1.1\r\nHost : x\r\n\r\n",                          // space before the colon
            "GET /a HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",                 // obsolete line folding
            "GET /a HTTP/1.1\r\nX-A: a\u{01}b\r\n\r\n",                     // control character in a value
            "GET /a HTTP/1.1\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n",  // a header the gateway reads, twice
            "GET /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",       // a chunked body
            "GET /a HTTP/1.1\r\nContent-Length: x\r\n\r\n",
            "GET  /a HTTP/1.1\r\n\r\n",
            "GET /a b HTTP/1.1\r\n\r\n",
        ]
        for text in refused {
            #expect(request(text) == nil, "\(text.debugDescription) must be left to the codec")
        }
    }

    @Test func aControlByteAnywhereInALongValueIsRefusedAndTabsAndHighBytesAreKept() throws {
        // Values are scanned eight bytes at a time; a refused byte must be found at every offset of a word.
        let long = String(repeating: "abcdefgh", count: 6)
        for offset in 0..<long.utf8.count {
            for bad: UInt8 in [0x00, 0x01, 0x0A, 0x1F, 0x7F] {
                var value = Array(long.utf8)
                value[offset] = bad
                let text = "GET /a HTTP/1.1\r\nX-Long: " + String(decoding: value, as: UTF8.self) + "\r\n\r\n"
                #expect(request(text) == nil, "byte \(bad) at \(offset) must be refused")
            }
        }
        var kept = Array(long.utf8)
        kept[9] = 0x09       // a tab inside a value is allowed
        kept[20] = 0xC3      // so is obs-text (bytes from 0x80)
        kept[21] = 0xA9
        let head = try #require(request("GET /a HTTP/1.1\r\nX-Long: " + String(decoding: kept, as: UTF8.self) + "\r\n\r\n"))
        #expect(head.fields.count == 1)
        #expect(head.fields[0].valueEnd - head.fields[0].valueStart == Int32(kept.count))
    }

    @Test func aBearerTokenIsReadInAnyCaseOfTheSchemeAndOtherSchemesAreKeptWhole() throws {
        let token = String(repeating: "eyJ0eXAiOiJKV1QifQ.", count: 20) + "sig"
        let lower = try #require(request("GET /a HTTP/1.1\r\nauthorization: bearer \(token)\r\n\r\n"))
        #expect(lower.bearerToken == token && lower.otherAuthorization == nil)
        let basic = try #require(request("GET /a HTTP/1.1\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\n"))
        #expect(basic.bearerToken == nil && basic.otherAuthorization == "Basic dXNlcjpwYXNz")
        #expect(request("GET /a HTTP/1.1\r\nAuthorization: Bearer a\r\nAuthorization: Basic b\r\n\r\n") == nil)
    }

    @Test func requestsTheRouterMustAnswerAreMarkedWithTheirBodyLength() throws {
        let post = try #require(request("POST /api/v1/etl/collect/csv HTTP/1.1\r\nContent-Length: 12\r\n\r\n"))
        #expect(post.needsRouter)
        guard case .sized(12) = post.kind else { Issue.record("the body length is known"); return }
        let delete = try #require(request("DELETE /api/v1/portfolio/1 HTTP/1.1\r\n\r\n"))
        #expect(delete.needsRouter)
        for header in ["Connection: close", "Upgrade: websocket", "Expect: 100-continue", "X-Bourse-Internal: v1.1.x"] {
            let head = try #require(request("GET /api/v1/data/x HTTP/1.1\r\n\(header)\r\n\r\n"))
            #expect(head.needsRouter, "\(header) goes to the router")
        }
        let keepAlive = try #require(request("GET /api/v1/data/x HTTP/1.1\r\nConnection: Keep-Alive\r\n\r\n"))
        #expect(!keepAlive.needsRouter)
    }

    @Test func gatewayOwnedAndIdentityHeadersAreNeverForwardedFromClients() throws {
        let owned = ["Authorization", "X-API-Key", "X-Request-ID", "traceparent", "X-Bourse-Timeout-Ms", "X-Bourse-Internal",
                     "Host", "X-Forwarded-For", "Connection", "Keep-Alive", "TE", "Trailer", "Upgrade", "Proxy-Authorization",
                     "Proxy-Connection", "Proxy-Authenticate", "Transfer-Encoding"]
        // The identity headers come from the one list the services read them by.
        let names = owned + Principal.headerNames.sorted()
        let text = "GET /a HTTP/1.1\r\n" + names.map { "\($0): v\r\n" }.joined() + "X-Custom: kept\r\nAccept: */*\r\n\r\n"
        let bytes = Array(text.utf8)
        let forwarded: [String] = bytes.withUnsafeBytes { raw in
            var fields: [Wire.Field] = []
            let end = Wire.headEnd(raw)!
            let lineEnd = text.utf8.firstIndex(of: UInt8(ascii: "\n"))!
            _ = Wire.fields(raw, from: text.utf8.distance(from: text.utf8.startIndex, to: lineEnd) + 1, to: end, into: &fields)
            return fields.filter { Wire.forwardsRequestField(raw, $0) }.map { Wire.string(raw, $0.nameStart, $0.nameEnd) }
        }
        #expect(forwarded == ["X-Custom", "Accept"])
    }

    @Test func hopByHopAndGatewaySetResponseHeadersAreNotPassedBackButTheFramingIs() throws {
        let head = try #require(response("HTTP/1.1 200 OK\r\nConnection: close\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n"
            + "X-Request-ID: upstream\r\nRateLimit-Limit: 1\r\nRateLimit-Remaining: 0\r\nRateLimit-Reset: 9\r\nUpgrade: h2c\r\n"
            + "Content-Type: text/csv\r\nETag: \"v1\"\r\n\r\n"))
        let kept: [String] = head.bytes.withUnsafeReadableBytes { raw in
            head.fields.filter { Wire.forwardsResponseField(raw, $0) }.map { Wire.string(raw, $0.nameStart, $0.nameEnd) }
        }
        #expect(kept == ["Transfer-Encoding", "Content-Type", "ETag"])
    }

    @Test func responseFramingFollowsRFC9112() throws {
        let sized = try #require(response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"))
        guard case .length(5) = sized.framing else { Issue.record("Content-Length frames the body"); return }
        #expect(sized.keepAlive && sized.status == 200)

        let chunked = try #require(response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"))
        guard case .chunked = chunked.framing else { Issue.record("chunked"); return }
        #expect(chunked.keepAlive)

        let both = try #require(response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"))
        guard case .chunked = both.framing else { Issue.record("Transfer-Encoding wins over Content-Length"); return }
        #expect(!both.keepAlive, "a response with both is not trusted with another request")

        let open = try #require(response("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"))
        guard case .untilClose = open.framing else { Issue.record("no length: the body runs to the close"); return }
        #expect(!open.keepAlive)

        for (text, head) in [("HTTP/1.1 204 No Content\r\n\r\n", false), ("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", false),
                             ("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", true)] {
            let parsed = try #require(response(text, head: head))
            guard case .none = parsed.framing else { Issue.record("\(text.debugDescription) has no body"); continue }
        }
        #expect(try #require(response("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n")).keepAlive == false)
        #expect(try #require(response("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n")).keepAlive == false)
        #expect(try #require(response("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n")).keepAlive)
        #expect(response("HTTP/1.1 20 OK\r\n\r\n") == nil)
        #expect(response("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == nil)
        #expect(response("HTTP/2 200 OK\r\n\r\n") == nil)
    }

    @Test func theChunkedScannerFindsTheExactEndWhereverTheReadsSplit() throws {
        let body = "5\r\nhello\r\n1a;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n"
        let after = "HTTP/1.1 200 OK\r\n"  // bytes of a next response, which are not the body's
        let bytes = Array((body + after).utf8)
        for split in 0...body.utf8.count {
            var scanner = Wire.ChunkedScanner()
            let first = bytes[..<split].withUnsafeBytes { scanner.scan($0) }
            #expect(first == split)
            #expect(!scanner.isDone || split == body.utf8.count)
            let second = bytes[split...].withUnsafeBytes { scanner.scan($0) }
            #expect(second == body.utf8.count - split, "split at \(split)")
            #expect(scanner.isDone)
        }
    }

    @Test func malformedChunkedFramingIsAnError() {
        for body in ["x\r\n", "5\r\nhelloX\r\n", "5\nhello\r\n", "\r\n", "5\r\nhello\r\n0\r\nbad\rX"] {
            var scanner = Wire.ChunkedScanner()
            let result = Array(body.utf8).withUnsafeBytes { scanner.scan($0) }
            #expect(result == nil, "\(body.debugDescription) is malformed")
        }
    }

    @Test func theHeadEndIsFoundOnlyAfterTheBlankLine() {
        for (text, end) in [("GET / HTTP/1.1\r\n\r\n", 18), ("GET / HTTP/1.1\r\nA: b\r\n\r\nrest", 24), ("GET / HTTP/1.1\r\nA: b\r\n", nil)] {
            let found = Array(text.utf8).withUnsafeBytes { Wire.headEnd($0) }
            #expect(found == end, "\(text.debugDescription)")
        }
    }
}
