extension AlertRule {
    /// Unix seconds of an ISO 8601 `YYYY-MM-DD` (the end of that day in UTC, i.e. the next midnight UTC) or
    /// `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or `±HH:MM`; `nil` for anything else (a date-time
    /// without a zone is ambiguous and refused).
    static func unixSeconds(iso text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, let days = Resampler.daysSinceEpoch(String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        if bytes.count == 10 { return Double(days + 1) * 86_400 }
        func number(_ from: Int, _ width: Int) -> Int? {
            guard from + width <= bytes.count else { return nil }
            var value = 0
            for b in bytes[from..<(from + width)] {
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard bytes[10] == UInt8(ascii: "T"), let hour = number(11, 2), hour < 24, bytes.count > 13, bytes[13] == UInt8(ascii: ":"),
            let minute = number(14, 2), minute < 60
        else { return nil }
        var seconds = Double(hour * 3600 + minute * 60)
        var i = 16
        if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
            guard let second = number(i + 1, 2), second < 60 else { return nil }
            seconds += Double(second)
            i += 3
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                var numerator = 0, denominator = 1, digits = 0
                while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                    if digits < 9 {  // nanoseconds are enough; further digits are read and ignored
                        numerator = numerator * 10 + Int(bytes[i] - 48)
                        denominator *= 10
                    }
                    digits += 1
                    i += 1
                }
                guard digits > 0 else { return nil }
                seconds += Double(numerator) / Double(denominator)
            }
        }
        guard i < bytes.count else { return nil }
        var offset = 0
        switch bytes[i] {
        case UInt8(ascii: "Z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let h = number(i + 1, 2), h < 24, i + 3 < bytes.count, bytes[i + 3] == UInt8(ascii: ":"), let m = number(i + 4, 2), m < 60
            else { return nil }
            offset = (h * 3600 + m * 60) * (bytes[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        default:
            return nil
        }
        guard i == bytes.count else { return nil }
        return Double(days) * 86_400 + seconds - Double(offset)
    }
}
