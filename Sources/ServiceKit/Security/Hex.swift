extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal, two digits a byte (digests, MACs, checksums). Built from a table: `String(format:)`
    /// per byte costs more than the SHA-256 it prints, and some callers are on the per-request path.
    public var hexString: String {
        var out = [UInt8]()
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)
