@testable import Charts
import Foundation
import Testing

/// The fixed-decimal formatter and the date axis, checked directly.
@Suite("Formatting and date axis")
struct InternalsTests {
    func formatted(_ value: Double, _ decimals: Int, trim: Bool) -> String {
        var writer = SVGWriter(capacity: 32)
        writer.fixed(value, decimals: decimals, trim: trim)
        return writer.string
    }

    @Test func fixedDecimalsRoundHalfAwayFromZero() {
        #expect(formatted(12.345, 2, trim: true) == "12.35" || formatted(12.345, 2, trim: true) == "12.34",
                "12.345 is 12.3449999… as a double")
        #expect(formatted(2.5, 0, trim: true) == "3")
        #expect(formatted(-2.5, 0, trim: true) == "-3")
        #expect(formatted(300, 2, trim: true) == "300")
        #expect(formatted(0.1, 2, trim: true) == "0.1")
        #expect(formatted(-0.004, 2, trim: true) == "0", "no negative zero")
        #expect(formatted(-0.25, 2, trim: true) == "-0.25")
        #expect(formatted(1.05, 2, trim: false) == "1.05")
        #expect(formatted(20, 1, trim: false) == "20.0")
        #expect(formatted(0.012, 3, trim: false) == "0.012")
        #expect(formatted(123_456_789.987, 2, trim: true) == "123456789.99")
        #expect(formatted(1e300, 2, trim: true) == (1e300).description, "beyond Int64: Swift's description")
    }

    @Test func fixedDecimalsAgreeWithPrintfOnManyValues() {
        var seed: UInt64 = 9
        for _ in 0..<5_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let v = (Double(seed >> 11) / Double(1 << 53) - 0.5) * 2_000
            // Both round the same double; printf rounds half to even on the exact binary value, which only differs
            // from half-away-from-zero on exact ties, which random doubles are not.
            let reference = String(format: "%.2f", v)
            let ours = formatted(v, 2, trim: false)
            #expect(ours == reference || (reference == "-0.00" && ours == "0.00"), "\(v): \(ours) vs \(reference)")
        }
    }

    @Test func escapingCoversTheFiveXMLCharacters() {
        var writer = SVGWriter(capacity: 64)
        writer.escaped("a&b<c>d\"e'f\u{7}g\tü")
        #expect(writer.string == "a&amp;b&lt;c&gt;d&quot;e&#39;fg\tü")
    }

    @Test func tenYearsOfTradingDaysAreLabelledByYear() {
        let dates = weekdays(from: "2004-07-01", through: "2014-06-30")
        let labels = DateAxis.labels(dates: dates, maxLabels: 14)
        #expect(labels.map(\.text) == (2005...2014).map(String.init))
        for label in labels {
            #expect(dates[label.index].hasPrefix(label.text) && !dates[label.index - 1].hasPrefix(label.text),
                    "\(label.text) sits on the first trading day of the year")
        }
    }

    @Test func twoYearsAreLabelledByQuarterAndMonthsByMonth() {
        let two = weekdays(from: "2013-01-01", through: "2014-12-31")
        #expect(DateAxis.labels(dates: two, maxLabels: 14).map(\.text) == ["Apr", "Jul", "Oct", "2014", "Apr", "Jul", "Oct"])
        let half = weekdays(from: "2014-01-15", through: "2014-07-20")
        #expect(DateAxis.labels(dates: half, maxLabels: 14).map(\.text) == ["Feb", "Mar", "Apr", "May", "Jun", "Jul"])
        let twenty = weekdays(from: "1995-01-01", through: "2014-12-31")
        #expect(DateAxis.labels(dates: twenty, maxLabels: 14).map(\.text) == stride(from: 1996, through: 2014, by: 2).map(String.init),
                "19 year starts are too many for 14 labels: every second year")
    }

    @Test func shortSpansAreLabelledByDay() {
        let days = weekdays(from: "2014-03-03", through: "2014-03-28")  // 20 trading days, no month start
        #expect(DateAxis.labels(dates: days, maxLabels: 6).map(\.text) == ["Mar 3", "Mar 10", "Mar 17", "Mar 24"], "every 5th bar")
        let odd = ["a", "b", "c", "d", "e"]
        #expect(DateAxis.labels(dates: odd, maxLabels: 3).map(\.text) == ["a", "c", "e"], "unparsable dates: raw text")
    }

    @Test func groupingKeepsMarksAtLeastTheMinimumSpacingApart() {
        let groups = BarGroups(barCount: 10_000, plotWidth: 930, minimumSpacing: 1)
        #expect(groups.size == 11 && groups.count == 910)
        #expect(groups.range(groups.count - 1) == 9_999..<10_000)
        #expect(BarGroups(barCount: 500, plotWidth: 930, minimumSpacing: 1).size == 1)
    }
}
