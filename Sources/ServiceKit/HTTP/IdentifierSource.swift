import Quant
import Synchronization

/// Random identifiers for requests and trace spans, made without a system call each: Foundation's `UUID()`
/// opens and reads `/dev/urandom` and `SystemRandomNumberGenerator` calls `getrandom(2)` every time, which
/// the gateway would pay on every proxied request. Seeded once from the system generator; these ids must be
/// unique and unpredictable enough to not collide, not secret.
public enum IdentifierSource {
    /// SplitMix64's state, advanced by one atomic add per draw: every request draws several ids, on every event
    /// loop at once, and a lock around the generator was a point they all met at.
    private static let state = Atomic<UInt64>({
        var system = SystemRandomNumberGenerator()
        return system.next()
    }())

    public static func next() -> UInt64 {
        SplitMix64.mix(state.wrappingAdd(SplitMix64.increment, ordering: .relaxed).newValue)
    }

    /// A version-4 UUID in lower-case text (`8-4-4-4-12` hex digits).
    public static func requestID() -> String {
        let high = (next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000  // version 4
        let low = (next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000   // RFC 4122 variant
        return String(unsafeUninitializedCapacity: 36) { buffer in
            let out = buffer.baseAddress!
            hex(high, nibbles: 8, from: 60, to: out)
            out[8] = 0x2D
            hex(high, nibbles: 4, from: 28, to: out + 9)
            out[13] = 0x2D
            hex(high, nibbles: 4, from: 12, to: out + 14)
            out[18] = 0x2D
            hex(low, nibbles: 4, from: 60, to: out + 19)
            out[23] = 0x2D
            hex(low, nibbles: 12, from: 44, to: out + 24)
            return 36
        }
    }

    /// Writes `nibbles` lower-case hex digits of `word`, the first one from bits `shift…shift+3`, at `out`.
    @inline(__always)
    static func hex(_ word: UInt64, nibbles: Int, from shift: Int, to out: UnsafeMutablePointer<UInt8>) {
        let digits: StaticString = "0123456789abcdef"
        let table = digits.utf8Start
        var bits = UInt64(shift)
        for k in 0..<nibbles {
            out[k] = table[Int((word &>> bits) & 0xF)]
            bits &-= 4
        }
    }
}
