/// An append-only UTF-8 buffer that the charts write their SVG text into.
///
/// One buffer is reserved up front (the caller estimates the size from the bar count), and numbers are
/// written by `fixed(_:decimals:trim:)`, an integer-digit formatter: no `String(format:)`, no intermediate
/// `String` per number. Text from users goes through `escaped(_:)`.
struct SVGWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// The document as a `String` (the bytes are valid UTF-8 by construction).
    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Program text that never holds markup characters (colours, ids, `Double.description`).
    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// XML-escapes `&`, `<`, `>`, `"` and `'` and drops the control characters XML 1.0 forbids (all below
    /// U+0020 except tab, line feed and carriage return), so any user string is safe in text and attributes.
    mutating func escaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case 0x26: raw("&amp;")
            case 0x3C: raw("&lt;")
            case 0x3E: raw("&gt;")
            case 0x22: raw("&quot;")
            case 0x27: raw("&#39;")
            case 0x09, 0x0A, 0x0D: bytes.append(byte)
            case 0..<0x20: continue
            default: bytes.append(byte)
            }
        }
    }

    mutating func int(_ value: Int) {
        if value < 0 {
            bytes.append(0x2D)
            writeDigits(UInt64(value.magnitude))
        } else {
            writeDigits(UInt64(value))
        }
    }

    /// A coordinate: two decimals, trailing zeros dropped (`12.5`, `300`, `-0.25`).
    mutating func num(_ value: Double) {
        fixed(value, decimals: 2, trim: true)
    }

    /// `value` rounded as `num(_:)` writes it, so that a height computed from two rounded edges puts both edges
    /// exactly where they would be written (`y + height` of a rect = the rounded bottom).
    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// ` name="value"` with `num(_:)`.
    mutating func attr(_ name: StaticString, _ value: Double) {
        bytes.append(0x20)
        raw(name)
        raw("=\"")
        num(value)
        bytes.append(0x22)
    }

    /// `value` rounded half away from zero to `decimals` (0...9) digits after the point; with `trim`, trailing
    /// zeros (and a bare point) are dropped. Magnitudes beyond 9e15 after scaling, NaN and infinities fall back to
    /// Swift's `description` (the charts never pass them: only finite, on-canvas coordinates are written).
    mutating func fixed(_ value: Double, decimals: Int, trim: Bool) {
        let decimals = min(max(decimals, 0), 9)
        let scale = Self.powersOfTen[decimals]
        let scaled = (value.magnitude * Double(scale)).rounded()
        guard value.isFinite, scaled < 9e15 else {
            raw(value.description)
            return
        }
        let units = UInt64(scaled)
        if units != 0 && value < 0 { bytes.append(0x2D) }
        writeDigits(units / scale)
        var fraction = units % scale
        var digits = decimals
        if trim {
            if fraction == 0 { return }
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
        }
        guard digits > 0 else { return }
        bytes.append(0x2E)
        let end = bytes.count + digits
        bytes.append(contentsOf: repeatElement(0x30, count: digits))
        var index = end - 1
        while fraction > 0 {
            bytes[index] = 0x30 + UInt8(fraction % 10)
            fraction /= 10
            index -= 1
        }
    }

    private mutating func writeDigits(_ value: UInt64) {
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        let end = bytes.count + count
        bytes.append(contentsOf: repeatElement(0x30, count: count))
        var index = end - 1
        var value = value
        repeat {
            bytes[index] = 0x30 + UInt8(value % 10)
            value /= 10
            index -= 1
        } while value > 0
    }

    private static let powersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]
}
