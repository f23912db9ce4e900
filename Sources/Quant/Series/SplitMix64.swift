/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny deterministic generator, so synthetic series for benchmarks,
/// property tests and demos are identical across runs and machines for the same seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// What the state advances by on every draw.
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The output of the generator whose state (already advanced) is `state`. With ``increment`` this lets a
    /// shared generator advance its state with one atomic add instead of a lock.
    @inlinable
    public static func mix(_ state: UInt64) -> UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
