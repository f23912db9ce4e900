/// W3C Trace Context (`traceparent: 00-<trace-id>-<parent-id>-<flags>`), continued from an incoming
/// request or started here, and passed on to every outgoing call.
public struct TraceContext: Sendable, Equatable {
    /// The header value to send downstream, `00-<trace id>-<span id>-<flags>` (this hop's span becomes the callee's
    /// parent). The context is kept as this one string: a proxied request needs it whole, and one string is one
    /// allocation where three parts and their joining were six.
    public let traceparent: String
    /// The caller's span, when the trace was continued.
    public let parentSpanID: String?

    /// 32 lowercase hex characters, never all zero.
    public var traceID: String { part(1) }
    /// The span of this hop: 16 lowercase hex characters.
    public var spanID: String { part(2) }
    public var flags: String { part(3) }

    public init(traceID: String, spanID: String, parentSpanID: String?, flags: String) {
        self.traceparent = "00-\(traceID)-\(spanID)-\(flags)"
        self.parentSpanID = parentSpanID
    }

    private init(traceparent: String, parentSpanID: String?) {
        self.traceparent = traceparent
        self.parentSpanID = parentSpanID
    }

    /// The `index`-th dash-separated part of `traceparent`.
    private func part(_ index: Int) -> String {
        var utf8 = traceparent.utf8[...]
        for _ in 0..<index {
            guard let dash = utf8.firstIndex(of: UInt8(ascii: "-")) else { return "" }
            utf8 = utf8[utf8.index(after: dash)...]
        }
        return String(Substring(utf8.prefix { $0 != UInt8(ascii: "-") }))
    }

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
            return TraceContext(traceparent: make(traceID: parsed.traceID, flags: parsed.flags), parentSpanID: parsed.parentID)
        }
        return start()
    }

    public static func start() -> TraceContext {
        TraceContext(traceparent: make(traceID: nil, flags: "01"), parentSpanID: nil)
    }

    /// `00-<trace id>-<new span id>-<flags>`, with a new random trace id when `traceID` is `nil` (ids are never
    /// all zero), written into one string.
    static func make(traceID: String?, flags: String) -> String {
        var high = IdentifierSource.next()
        var low = IdentifierSource.next()
        if high == 0 && low == 0 { low = 1 }
        var span = IdentifierSource.next()
        if span == 0 { span = 1 }
        let idBytes = traceID?.utf8.count ?? 32
        let flagBytes = flags.utf8.count
        return String(unsafeUninitializedCapacity: 3 + idBytes + 1 + 16 + 1 + flagBytes) { buffer in
            let out = buffer.baseAddress!
            var index = 0
            func put(_ text: String) {
                for byte in text.utf8 {
                    out[index] = byte
                    index += 1
                }
            }
            out[0] = UInt8(ascii: "0")
            out[1] = UInt8(ascii: "0")
            out[2] = UInt8(ascii: "-")
            index = 3
            if let traceID {
                put(traceID)
            } else {
                IdentifierSource.hex(high, nibbles: 16, from: 60, to: out + index)
                IdentifierSource.hex(low, nibbles: 16, from: 60, to: out + index + 16)
                index += 32
            }
            out[index] = UInt8(ascii: "-")
            IdentifierSource.hex(span, nibbles: 16, from: 60, to: out + index + 1)
            index += 17
            out[index] = UInt8(ascii: "-")
            index += 1
            put(flags)
            return index
        }
    }
}

import Foundation

extension Character {
    var isLowercaseHex: Bool { ("0"..."9").contains(self) || ("a"..."f").contains(self) }
}
