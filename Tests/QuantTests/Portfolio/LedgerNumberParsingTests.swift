import Foundation
import Testing
@testable import Quant

/// The CSV reader's own number and date parsing agrees with Foundation's on every input it accepts.
@Suite struct LedgerNumberParsingTests {
    @Test func decimalsReadExactlyAsFoundationReadsThem() {
        var rng = SystemRandomNumberGenerator()
        var cases = ["0", "-0", "+1", ".5", "5.", "0.000000000000000001", "123456789012345678", "1234567890123456789",
                     "99999999999999999999.5", "-12.340", "000123.4500", "1e5", "1.2.3", "", "-", "12a", "+-1"]
        for _ in 0..<2_000 {
            let whole = String(UInt64.random(in: 0...999_999_999, using: &rng))
            let fraction = String(UInt64.random(in: 0...99_999_999, using: &rng))
            cases.append((Bool.random(using: &rng) ? "-" : "") + whole + (Bool.random(using: &rng) ? "." + fraction : ""))
        }
        for text in cases {
            let reference: Decimal? = text.range(of: #"^[+-]?(\d+\.?\d*|\.\d+)$"#, options: .regularExpression) == nil
                ? nil : Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
            #expect(LedgerCSV.decimal(text) == reference, "\(text)")
        }
    }

    @Test func datesInEveryAcceptedFormatAndNoOther() {
        let day = LocalDate(year: 2024, month: 2, day: 29)
        for text in ["2024-02-29", "2024-02-29T10:00:00Z", "2024-02-29 10:00", "29-02-2024", "29/02/2024", "29.02.2024", "20240229"] {
            #expect(LedgerCSV.date(text) == day, "\(text)")
        }
        for text in ["2023-02-29", "29-02/2024", "2024-2-29", "2024022", "٢٠٢٤٠٢٢٩", "2024-02-2x", "29.02.24"] {
            #expect(LedgerCSV.date(text) == nil, "\(text)")
        }
    }
}
