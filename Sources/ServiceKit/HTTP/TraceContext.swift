/// W3C Trace Context (`traceparent: 00-<trace-id>-<parent-id>-<flags>`), continued from an incoming
/// request or started here, and passed on to every outgoing call.
public struct TraceContext: Sendable, Equatable {
    /// 32 lowercase hex characters, never all zero.
    public let traceID: String
    /// The span of this hop: 16 lowercase hex characters.
    public let spanID: String
    /// The caller's span, when the trace was continued.
    public let parentSpanID: String?
    public let flags: String

    /// The header value to send downstream (this hop's span becomes the callee's parent).
    public var traceparent: String { "00-\(traceID)-\(spanID)-\(flags)" }

    /// Parses a `traceparent` header; `nil` when it is absent or malformed (then a new trace starts).
    public static func parse(_ header: String) -> (traceID: String, parentID: String, flags: String)? {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff",
              parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isLowercaseHex) }),
              parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" })
        else { return nil }
        if parts[0] == "00" && parts.count != 4 { return nil }
        return (String(parts[1]), String(parts[2]), String(parts[3]))
    }

    /// Continues the trace of `header` when it is valid, otherwise starts a new sampled trace.
    public static func continuing(_ header: String?) -> TraceContext {
        if let header, let parsed = parse(header) {
            return TraceContext(traceID: parsed.traceID, spanID: randomHex(bytes: 8), parentSpanID: parsed.parentID, flags: parsed.flags)
        }
        return start()
    }

    public static func start() -> TraceContext {
        TraceContext(traceID: randomHex(bytes: 16), spanID: randomHex(bytes: 8), parentSpanID: nil, flags: "01")
    }

    /// `bytes` (8 or 16) random bytes as lowercase hex, never all zero.
    static func randomHex(bytes: Int) -> String {
        precondition(bytes == 8 || bytes == 16, "trace ids are 8 or 16 bytes")
        var words = (0..<(bytes / 8)).map { _ in IdentifierSource.next() }
        if words.allSatisfy({ $0 == 0 }) { words[words.count - 1] = 1 }
        return String(unsafeUninitializedCapacity: bytes * 2) { buffer in
            var index = 0
            for word in words {
                for shift in stride(from: 60, through: 0, by: -4) {
                    let nibble = UInt8((word >> UInt64(shift)) & 0xF)
                    buffer[index] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
                    index += 1
                }
            }
            return index
        }
    }
}

import Foundation

extension Character {
    var isLowercaseHex: Bool { ("0"..."9").contains(self) || ("a"..."f").contains(self) }
}
