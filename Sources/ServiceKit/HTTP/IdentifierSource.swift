import Quant
import Synchronization

/// Random identifiers for requests and trace spans, made without a system call each: Foundation's `UUID()`
/// opens and reads `/dev/urandom` and `SystemRandomNumberGenerator` calls `getrandom(2)` every time, which
/// the gateway would pay on every proxied request. Seeded once from the system generator; these ids must be
/// unique and unpredictable enough to not collide, not secret.
public enum IdentifierSource {
    private static let generator = Mutex(SplitMix64(seed: {
        var system = SystemRandomNumberGenerator()
        return system.next()
    }()))

    public static func next() -> UInt64 {
        generator.withLock { $0.next() }
    }

    /// A version-4 UUID in lower-case text (`8-4-4-4-12` hex digits).
    public static func requestID() -> String {
        let high = (next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000  // version 4
        let low = (next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000   // RFC 4122 variant
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            func put(_ word: UInt64, nibbles: Int, from shift: Int) {
                for n in 0..<nibbles {
                    let nibble = UInt8((word >> UInt64(shift - 4 * n)) & 0xF)
                    buffer[index] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
                    index += 1
                }
            }
            put(high, nibbles: 8, from: 60); buffer[index] = 0x2D; index += 1
            put(high, nibbles: 4, from: 28); buffer[index] = 0x2D; index += 1
            put(high, nibbles: 4, from: 12); buffer[index] = 0x2D; index += 1
            put(low, nibbles: 4, from: 60); buffer[index] = 0x2D; index += 1
            put(low, nibbles: 12, from: 44)
            return index
        }
    }
}
