import HTTPTypes
import NIOCore
import ServiceKit

/// HTTP/1.1 heads read straight off the socket's bytes, for the wire path.
///
/// The parsers are deliberately strict: anything they do not fully understand (a folded header line, a bare LF,
/// a control character, a space before a colon, a repeated header the gateway reads, HTTP/1.0) is refused with
/// `nil`, and the connection then goes through SwiftNIO's HTTP/1 codec and the router instead, which either
/// handle the request or reject it. Strictness can only cost speed, never correctness or safety (no request can
/// be read one way here and another way by the codec).
enum Wire {
    /// The most a head may take before the wire path gives it to the codec (which applies its own limits).
    static let maxHeadBytes = 64 * 1024

    /// A header line's name and value, as offsets into the head's bytes.
    struct Field {
        var nameStart: Int32
        var nameEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
        /// Just past the line's CRLF (the next line starts here).
        var lineEnd: Int32
    }

    /// Copies the header lines of `fields` that `keep` accepts exactly as they came, one copy for each run of
    /// adjacent kept lines (usually one or two copies for a whole head, where a copy per name, separator, value
    /// and line end made dozens).
    static func copyLines(_ bytes: UnsafeRawBufferPointer, _ fields: [Field], into out: inout ByteBuffer, keep: (Field) -> Bool) {
        var runStart = -1
        var runEnd = -1
        for field in fields where keep(field) {
            if Int(field.nameStart) == runEnd {
                runEnd = Int(field.lineEnd)
                continue
            }
            if runStart >= 0 { out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<runEnd])) }
            runStart = Int(field.nameStart)
            runEnd = Int(field.lineEnd)
        }
        if runStart >= 0 { out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<runEnd])) }
    }

    /// Where the head that starts at `start` ends (the index just past its blank line), if it is complete.
    static func headEnd(_ bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        let count = bytes.count
        guard count - start >= 4 else { return nil }
        var i = start + 3
        while i < count {
            let byte = bytes[i]
            if byte == lf {
                if bytes[i - 1] == cr, bytes[i - 2] == lf, bytes[i - 3] == cr { return i + 1 }
                i += 1
            } else if byte == cr {
                i += 1
            } else {
                i += 4  // none of the next three positions can end the head
            }
        }
        return nil
    }

    /// Whether a line ends in a bare LF: such a head never gets the CRLF CRLF the wire path waits for, so the
    /// codec must have it at once (it decides whether to accept it).
    static func hasBareLF(_ bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Bool {
        for i in start..<bytes.count where bytes[i] == lf && (i == 0 || bytes[i - 1] != cr) { return true }
        return false
    }

    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let colon = UInt8(ascii: ":")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    /// RFC 9110 `tchar`.
    static let tokenTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for char in "!#$%&'*+-.^_`|~".utf8 { table[Int(char)] = true }
        return table
    }()

    /// Field value bytes: visible ASCII, space, tab and obs-text; no other control characters.
    @inline(__always)
    static func isValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// Reads the header lines of a head from `start` (the first byte after the start line) to `end` (just past
    /// the blank line). `nil` when any line is malformed.
    static func fields(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, into fields: inout [Field]) -> Bool {
        var i = start
        let last = end - 2  // the blank line's CR
        while i < last {
            let nameStart = i
            while i < last, tokenTable[Int(bytes[i])] { i += 1 }
            guard i > nameStart, i < last, bytes[i] == colon else { return false }
            let nameEnd = i
            i += 1
            while i < last, bytes[i] == space || bytes[i] == tab { i += 1 }
            let valueStart = i
            // Eight bytes at a time while none of them is a control byte (CR, tab and the refused ones) or DEL:
            // a token in an Authorization header is hundreds of bytes. Any word that has one is looked at byte
            // by byte below.
            while i + 8 <= last {
                let word = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
                let belowSpace = (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080
                let notDel = word ^ 0x7F7F_7F7F_7F7F_7F7F
                let del = (notDel &- 0x0101_0101_0101_0101) & ~notDel & 0x8080_8080_8080_8080
                if belowSpace | del != 0 { break }
                i += 8
            }
            while i < last, bytes[i] != cr {
                guard isValueByte(bytes[i]) else { return false }
                i += 1
            }
            guard i < last, bytes[i + 1] == lf else { return false }
            var valueEnd = i
            while valueEnd > valueStart, bytes[valueEnd - 1] == space || bytes[valueEnd - 1] == tab { valueEnd -= 1 }
            fields.append(Field(nameStart: Int32(nameStart), nameEnd: Int32(nameEnd), valueStart: Int32(valueStart), valueEnd: Int32(valueEnd),
                                lineEnd: Int32(i + 2)))
            i += 2
        }
        return i == last && bytes[last] == cr && bytes[last + 1] == lf
    }

    /// Whether `bytes[range]` equals `lowercased` ignoring ASCII case (`lowercased` must be lower-case).
    @inline(__always)
    static func name(_ bytes: UnsafeRawBufferPointer, _ start: Int32, _ end: Int32, is lowercased: StaticString) -> Bool {
        let length = Int(end - start)
        guard length == lowercased.utf8CodeUnitCount else { return false }
        let expected = lowercased.utf8Start
        for k in 0..<length where bytes[Int(start) + k] | 0x20 != expected[k] {
            // `| 0x20` lower-cases letters; it also maps some punctuation, which tokens never put where a
            // letter is expected in these names except '-' (0x2D), whose `| 0x20` is itself.
            return false
        }
        return true
    }

    static func string(_ bytes: UnsafeRawBufferPointer, _ start: Int32, _ end: Int32) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[Int(start)..<Int(end)]), as: UTF8.self)
    }

    /// A non-negative decimal, or `nil` (empty, other characters, or too long to be a sane length).
    static func decimal(_ bytes: UnsafeRawBufferPointer, _ start: Int32, _ end: Int32) -> Int? {
        guard end > start, end - start <= 15 else { return nil }
        var value = 0
        for k in Int(start)..<Int(end) {
            let digit = Int(bytes[k]) - 48
            guard digit >= 0, digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}

// MARK: - Requests

extension Wire {
    /// A request head the wire path understood.
    struct RequestHead {
        enum Kind {
            /// A GET or HEAD with no body, which the fast path may proxy.
            case bodiless
            /// Any other request with a `Content-Length` (possibly 0): the router gets it; its body's length is known.
            case sized(Int)
        }

        var kind: Kind
        let isHead: Bool
        let isGetOrHead: Bool
        let target: String
        /// UTF-8 length of the target's path (the part before any `?`).
        var pathLength = 0
        var fields: [Field]
        /// Values of the headers the gateway reads (each present at most once, or the head is refused).
        /// The whole `Authorization` value.
        var authorization: String? {
            bearerToken.map { "Bearer " + $0 } ?? otherAuthorization
        }
        /// The token of an `Authorization: Bearer <token>` header (the scheme in any case), made into a string once.
        var bearerToken: String?
        /// An `Authorization` value of another scheme.
        var otherAuthorization: String?
        var apiKey: String?
        var requestID: String?
        var traceparent: String?
        var timeout: String?
        var forwardedFor: String?
        var host: String?
        /// Whether the router must answer: any request but a bodiless GET or HEAD, and those with `Upgrade`,
        /// `Expect`, the internal credential or a `Connection` option other than `keep-alive` (`close` included).
        var needsRouter = false
    }

    static let otherMethods: [StaticString] = ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    /// Whether `bytes[0..<end]` is one of ``otherMethods`` (upper case, as methods are case-sensitive).
    static func knownMethod(_ bytes: UnsafeRawBufferPointer, _ end: Int) -> Bool {
        otherMethods.contains { method in
            method.utf8CodeUnitCount == end && (0..<end).allSatisfy { bytes[$0] == method.utf8Start[$0] }
        }
    }

    /// Parses the request head in `bytes[0..<end]`. `nil`: the head is not for the wire path (HTTP/1.0, a chunked
    /// body, anything malformed) and the connection should go to the codec for good.
    ///
    /// The field list is made in `fields` (emptied first): a connection passes the same array for every head, and its
    /// storage is reused once the previous head is gone.
    static func requestHead(_ bytes: UnsafeRawBufferPointer, end: Int, reusing fields: inout [Field]) -> RequestHead? {
        // Request line: method SP target SP HTTP/1.1 CRLF.
        var i = 0
        while i < end, tokenTable[Int(bytes[i])] { i += 1 }
        guard i > 0, i < end, bytes[i] == space else { return nil }
        let methodEnd = i
        let isGet = methodEnd == 3 && bytes[0] == UInt8(ascii: "G") && bytes[1] == UInt8(ascii: "E") && bytes[2] == UInt8(ascii: "T")
        let isHead = methodEnd == 4 && bytes[0] == UInt8(ascii: "H") && bytes[1] == UInt8(ascii: "E") && bytes[2] == UInt8(ascii: "A")
            && bytes[3] == UInt8(ascii: "D")
        // Any other method must be one the codec behind this parser knows too (a token it refuses, such as `get`, is
        // left to it whole, so the two never read one request differently).
        guard isGet || isHead || Self.knownMethod(bytes, methodEnd) else { return nil }
        i += 1
        let targetStart = i
        var queryStart = -1
        while i < end, bytes[i] > 0x20, bytes[i] < 0x7F {
            if bytes[i] == UInt8(ascii: "?"), queryStart < 0 { queryStart = i }
            i += 1
        }
        // Origin-form only (`/path?query`); absolute-form and `*` are the codec's.
        guard i > targetStart, bytes[targetStart] == UInt8(ascii: "/"), i + 10 <= end, bytes[i] == space else { return nil }
        let targetEnd = i
        i += 1
        let version: StaticString = "HTTP/1.1\r\n"
        for k in 0..<10 where bytes[i + k] != version.utf8Start[k] { return nil }
        i += 10
        fields.removeAll(keepingCapacity: true)
        fields.reserveCapacity(16)
        guard Self.fields(bytes, from: i, to: end, into: &fields) else { return nil }

        // The values are gathered in locals and the head is made once at the end (a head built up field by field
        // was copied whole on its way out: ten reference counts a request).
        let isGetOrHead = isGet || isHead
        var host, apiKey, traceparent, requestID, bearerToken, otherAuthorization, forwardedFor, timeout: String?
        var needsRouter = false
        var kind = RequestHead.Kind.bodiless
        var contentLength: Int?
        func once(_ slot: inout String?, _ field: Field) -> Bool {
            guard slot == nil else { return false }
            slot = string(bytes, field.valueStart, field.valueEnd)
            return true
        }
        for field in fields {
            let (s, e) = (field.nameStart, field.nameEnd)
            switch e - s {
            case 4:
                if name(bytes, s, e, is: "host") { guard once(&host, field) else { return nil } }
            case 6:
                if name(bytes, s, e, is: "expect") { needsRouter = true }
            case 7:
                if name(bytes, s, e, is: "upgrade") { needsRouter = true }
            case 9:
                if name(bytes, s, e, is: "x-api-key") { guard once(&apiKey, field) else { return nil } }
            case 10:
                if name(bytes, s, e, is: "connection") {
                    // Only `keep-alive` is left to the wire path; `close` and named hop-by-hop headers go to the router.
                    if !name(bytes, field.valueStart, field.valueEnd, is: "keep-alive") { needsRouter = true }
                }
            case 11:
                if name(bytes, s, e, is: "traceparent") { guard once(&traceparent, field) else { return nil } }
            case 12:
                if name(bytes, s, e, is: "x-request-id") { guard once(&requestID, field) else { return nil } }
            case 13:
                if name(bytes, s, e, is: "authorization") {
                    guard bearerToken == nil, otherAuthorization == nil else { return nil }
                    if field.valueEnd - field.valueStart > 7, name(bytes, field.valueStart, field.valueStart + 7, is: "bearer ") {
                        bearerToken = string(bytes, field.valueStart + 7, field.valueEnd)
                    } else {
                        otherAuthorization = string(bytes, field.valueStart, field.valueEnd)
                    }
                }
            case 14:
                if name(bytes, s, e, is: "content-length") {
                    guard contentLength == nil, let value = decimal(bytes, field.valueStart, field.valueEnd) else { return nil }
                    contentLength = value
                }
            case 15:
                if name(bytes, s, e, is: "x-forwarded-for") { guard once(&forwardedFor, field) else { return nil } }
            case 17:
                if name(bytes, s, e, is: "transfer-encoding") { return nil }
                if name(bytes, s, e, is: "x-bourse-internal") { needsRouter = true }
            case 19:
                if name(bytes, s, e, is: "x-bourse-timeout-ms") { guard once(&timeout, field) else { return nil } }
            default:
                break
            }
        }
        if let contentLength, contentLength > 0 || !isGetOrHead {
            kind = .sized(contentLength)
            needsRouter = true
        } else if !isGetOrHead {
            // No body and not GET/HEAD (e.g. DELETE): the router handles it.
            kind = .sized(0)
            needsRouter = true
        }
        return RequestHead(kind: kind, isHead: isHead, isGetOrHead: isGetOrHead, target: string(bytes, Int32(targetStart), Int32(targetEnd)),
                           pathLength: (queryStart < 0 ? targetEnd : queryStart) - targetStart, fields: fields, bearerToken: bearerToken,
                           otherAuthorization: otherAuthorization, apiKey: apiKey, requestID: requestID, traceparent: traceparent,
                           timeout: timeout, forwardedFor: forwardedFor, host: host, needsRouter: needsRouter)
    }

    /// Whether a client header is passed on to the upstream as it is: not hop-by-hop, not one the gateway owns
    /// (credentials, request id, trace, deadline, identity — ``ProxyMiddleware``'s lists, shared with the router
    /// path), and not one it rewrites (`Host`, `X-Forwarded-For`).
    static func forwardsRequestField(_ bytes: UnsafeRawBufferPointer, _ field: Field) -> Bool {
        !droppedRequestNames.contains(bytes, field.nameStart, field.nameEnd)
    }

    static let droppedRequestNames = NameSet(
        ProxyMiddleware.alwaysHopByHop.union(ProxyMiddleware.gatewayOwned).union(Principal.headerNames)
            .union(["host", "x-forwarded-for"]))

    /// Lower-case header names, looked up by a name's bytes without making a string of them.
    struct NameSet: Sendable {
        /// The names by length.
        private let byLength: [[[UInt8]]]

        init(_ names: Set<String>) {
            var byLength = [[[UInt8]]](repeating: [], count: (names.map(\.utf8.count).max() ?? 0) + 1)
            for name in names { byLength[name.utf8.count].append(Array(name.lowercased().utf8)) }
            self.byLength = byLength
        }

        func contains(_ bytes: UnsafeRawBufferPointer, _ start: Int32, _ end: Int32) -> Bool {
            let length = Int(end - start)
            guard length < byLength.count else { return false }
            candidates: for candidate in byLength[length] {
                for k in 0..<length where bytes[Int(start) + k] | 0x20 != candidate[k] { continue candidates }
                return true
            }
            return false
        }
    }
}

// MARK: - Responses

extension Wire {
    /// How an upstream response's body ends.
    enum Framing {
        case none
        case length(Int)
        case chunked(ChunkedScanner)
        case untilClose
    }

    /// A response head from an upstream.
    struct ResponseHead {
        let status: Int
        /// The head's bytes (status line to blank line).
        let bytes: ByteBuffer
        let statusLineEnd: Int
        let fields: [Field]
        let framing: Framing
        /// Whether the connection can carry another request after this response.
        let keepAlive: Bool
    }

    /// Parses a response head in `buffer`'s first `end` readable bytes; `nil` when malformed.
    ///
    /// The field list is made in `fields` (emptied first), as ``requestHead(_:end:reusing:)`` does.
    static func responseHead(_ buffer: ByteBuffer, end: Int, requestWasHead: Bool, reusing fields: inout [Field]) -> ResponseHead? {
        buffer.withUnsafeReadableBytes { bytes -> ResponseHead? in
            // "HTTP/1.x SSS[ reason]\r\n"
            guard end >= 14, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"),
                  bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/"), bytes[5] == UInt8(ascii: "1"), bytes[6] == UInt8(ascii: "."),
                  bytes[8] == space else { return nil }
            let minor = bytes[7]
            guard minor == UInt8(ascii: "1") || minor == UInt8(ascii: "0") else { return nil }
            var status = 0
            for k in 9..<12 {
                let digit = Int(bytes[k]) - 48
                guard digit >= 0, digit <= 9 else { return nil }
                status = status * 10 + digit
            }
            guard status >= 100 else { return nil }
            var i = 12
            while i < end, bytes[i] != cr {
                guard isValueByte(bytes[i]) else { return nil }
                i += 1
            }
            guard i + 1 < end, bytes[i + 1] == lf else { return nil }
            let statusLineEnd = i + 2
            fields.removeAll(keepingCapacity: true)
            fields.reserveCapacity(12)
            guard Self.fields(bytes, from: statusLineEnd, to: end, into: &fields) else { return nil }
            var contentLength: Int?
            var chunked = false
            var transferEncoding = false
            var close = minor == UInt8(ascii: "0")
            for field in fields {
                let (s, e) = (field.nameStart, field.nameEnd)
                if e - s == 14, name(bytes, s, e, is: "content-length") {
                    guard let value = decimal(bytes, field.valueStart, field.valueEnd), contentLength == nil || contentLength == value else { return nil }
                    contentLength = value
                } else if e - s == 17, name(bytes, s, e, is: "transfer-encoding") {
                    transferEncoding = true
                    let value = string(bytes, field.valueStart, field.valueEnd).lowercased()
                    chunked = value.split(separator: ",").last.map { $0.trimmingSpaces() == "chunked" } ?? false
                } else if e - s == 10, name(bytes, s, e, is: "connection") {
                    // The usual values are read off the bytes; a list of options is split.
                    if name(bytes, field.valueStart, field.valueEnd, is: "keep-alive") {
                        if minor == UInt8(ascii: "0") { close = false }
                        continue
                    }
                    if name(bytes, field.valueStart, field.valueEnd, is: "close") {
                        close = true
                        continue
                    }
                    let value = string(bytes, field.valueStart, field.valueEnd).lowercased()
                    if value.split(separator: ",").contains(where: { $0.trimmingSpaces() == "close" }) { close = true }
                    if minor == UInt8(ascii: "0"), value.split(separator: ",").contains(where: { $0.trimmingSpaces() == "keep-alive" }) { close = false }
                }
            }
            let framing: Framing
            if requestWasHead || status < 200 || status == 204 || status == 304 {
                framing = .none
            } else if transferEncoding {
                // RFC 9112 §6.3: with Transfer-Encoding, Content-Length is ignored; an encoding that does not end
                // in chunked runs to the close.
                framing = chunked ? .chunked(ChunkedScanner()) : .untilClose
                if contentLength != nil { close = true }
            } else if let contentLength {
                framing = .length(contentLength)
            } else {
                framing = .untilClose
            }
            if case .untilClose = framing { close = true }
            return ResponseHead(status: status, bytes: buffer.getSlice(at: buffer.readerIndex, length: end)!, statusLineEnd: statusLineEnd,
                                fields: fields, framing: framing, keepAlive: !close)
        }
    }

    /// Whether an upstream response header is passed on to the client as it is: not hop-by-hop, except
    /// `Transfer-Encoding` (the body is passed on as it was framed), and not one the gateway sets itself (request
    /// id, rate-limit state).
    static func forwardsResponseField(_ bytes: UnsafeRawBufferPointer, _ field: Field) -> Bool {
        !droppedResponseNames.contains(bytes, field.nameStart, field.nameEnd)
    }

    static let droppedResponseNames = NameSet(
        ProxyMiddleware.alwaysHopByHop.subtracting(["transfer-encoding"]).union([
            HTTPField.Name.requestID, .rateLimitLimit, .rateLimitRemaining, .rateLimitReset,
        ].map(\.canonicalName)))

    /// Finds the end of a chunked body without changing it (the body is passed on as it was framed).
    struct ChunkedScanner {
        private enum State {
            case size, extensionText, sizeLF, data, dataCR, dataLF, trailerStart, trailerLine, trailerLF, finalLF, done
        }

        private var state = State.size
        private var remaining = 0
        private var digits = 0

        var isDone: Bool { state == .done }

        /// Consumes bytes; returns how many belong to the body (fewer than given only when the body ended), or
        /// `nil` when the framing is malformed.
        mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Int? {
            var i = 0
            let count = bytes.count
            while i < count, state != .done {
                switch state {
                case .data:
                    let take = min(remaining, count - i)
                    i += take
                    remaining -= take
                    if remaining == 0 { state = .dataCR }
                    continue
                default:
                    break
                }
                let byte = bytes[i]
                i += 1
                switch state {
                case .size:
                    if let value = Self.hex(byte) {
                        digits += 1
                        guard digits <= 15 else { return nil }
                        remaining = remaining * 16 + value
                    } else if byte == UInt8(ascii: ";") || byte == space || byte == tab, digits > 0 {
                        state = .extensionText
                    } else if byte == cr, digits > 0 {
                        state = .sizeLF
                    } else {
                        return nil
                    }
                case .extensionText:
                    if byte == cr { state = .sizeLF } else if !isValueByte(byte) { return nil }
                case .sizeLF:
                    guard byte == lf else { return nil }
                    digits = 0
                    state = remaining == 0 ? .trailerStart : .data
                case .dataCR:
                    guard byte == cr else { return nil }
                    state = .dataLF
                case .dataLF:
                    guard byte == lf else { return nil }
                    state = .size
                case .trailerStart:
                    state = byte == cr ? .finalLF : .trailerLine
                case .trailerLine:
                    if byte == cr { state = .trailerLF }
                case .trailerLF:
                    guard byte == lf else { return nil }
                    state = .trailerStart
                case .finalLF:
                    guard byte == lf else { return nil }
                    state = .done
                case .data, .done:
                    break
                }
            }
            return i
        }

        private static func hex(_ byte: UInt8) -> Int? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}

extension ByteBuffer {
    /// Writes the strings one after the other with one capacity check and one access to the storage: a head is
    /// written from dozens of pieces, and each `writeString` call pays for both.
    @inline(__always)
    mutating func writeJoined(_ a: String, _ b: String = "", _ c: String = "", _ d: String = "", _ e: String = "", _ f: String = "") {
        let total = a.utf8.count + b.utf8.count + c.utf8.count + d.utf8.count + e.utf8.count + f.utf8.count
        writeWithUnsafeMutableBytes(minimumWritableBytes: total) { out in
            // The offset is passed in and out rather than captured by a nested function (a captured variable is
            // checked for exclusive access at run time on every use).
            var at = 0
            Self.put(a, into: out, at: &at)
            Self.put(b, into: out, at: &at)
            Self.put(c, into: out, at: &at)
            Self.put(d, into: out, at: &at)
            Self.put(e, into: out, at: &at)
            Self.put(f, into: out, at: &at)
            return at
        }
    }

    @inline(__always)
    private static func put(_ text: String, into out: UnsafeMutableRawBufferPointer, at: inout Int) {
        let count = text.utf8.count
        guard count > 0 else { return }
        let start = at
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            UnsafeMutableRawBufferPointer(rebasing: out[start..<(start + count)]).copyMemory(from: UnsafeRawBufferPointer(utf8))
        }
        if copied == nil {
            for (k, byte) in text.utf8.enumerated() { out[start + k] = byte }
        }
        at = start + count
    }
}
