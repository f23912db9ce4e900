/// Where the date axis puts its labels: at the first trading day of a calendar period, with the finest
/// period that fits.
///
/// Dates are `YYYY-MM-DD` strings (anything after the tenth character is ignored). The candidate levels, finest
/// first, are months, quarters, and years in steps of 1, 2, 5, 10, 20, 50 and 100. A period starts at a bar whose
/// month (quarter, year) differs from the previous bar's; the first bar never starts one. The finest level giving
/// at least 2 labels and at most `maxLabels` is chosen. Labels: the year (`2014`) when a year starts, otherwise
/// the month's English abbreviation (`Apr`). A span too short for two month starts is labelled every k-th bar
/// (k = 1, 2, 5, 10, 20, …) as `Mar 14`. Dates that do not parse are labelled every k-th bar with their raw text.
enum DateAxis {
    struct Label: Equatable {
        let index: Int
        let text: String
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func labels(dates: [String], maxLabels: Int) -> [Label] {
        let maxLabels = max(maxLabels, 2)
        guard !dates.isEmpty else { return [] }
        var parsed: [(year: Int, month: Int, day: Int)] = []
        parsed.reserveCapacity(dates.count)
        for date in dates {
            guard let ymd = parse(date) else { return everyKth(count: dates.count, maxLabels: maxLabels) { dates[$0] } }
            parsed.append(ymd)
        }
        var monthStarts: [Int] = []
        for i in 1..<max(parsed.count, 1) where parsed[i].month != parsed[i - 1].month || parsed[i].year != parsed[i - 1].year {
            monthStarts.append(i)
        }
        let yearStarts = monthStarts.filter { parsed[$0].year != parsed[$0 - 1].year }
        let text = { (i: Int) in parsed[i].year != parsed[i - 1].year ? String(parsed[i].year) : months[parsed[i].month - 1] }
        var levels: [[Int]] = [monthStarts, monthStarts.filter { (parsed[$0].month - 1) % 3 == 0 || parsed[$0].year != parsed[$0 - 1].year }]
        for step in [1, 2, 5, 10, 20, 50, 100] {
            levels.append(yearStarts.filter { parsed[$0].year % step == 0 })
        }
        if monthStarts.count >= 2 {
            for level in levels where level.count >= 2 && level.count <= maxLabels {
                return level.map { Label(index: $0, text: text($0)) }
            }
            if let coarsest = levels.last, coarsest.count >= 2 { return coarsest.map { Label(index: $0, text: text($0)) } }
        }
        return everyKth(count: dates.count, maxLabels: maxLabels) { i in "\(months[parsed[i].month - 1]) \(parsed[i].day)" }
    }

    /// Every k-th bar from the first, k the smallest of 1, 2, 5, 10, 20, 50, … giving at most `maxLabels` labels.
    private static func everyKth(count: Int, maxLabels: Int, text: (Int) -> String) -> [Label] {
        var k = 1
        var decade = 1
        search: while true {
            for multiple in [1, 2, 5] {
                k = multiple * decade
                if (count + k - 1) / k <= maxLabels { break search }
            }
            decade *= 10
        }
        return stride(from: 0, to: count, by: k).map { Label(index: $0, text: text($0)) }
    }

    /// `YYYY-MM-DD` → (year, month, day) without Foundation date parsing.
    static func parse(_ date: String) -> (year: Int, month: Int, day: Int)? {
        var fields = [0, 0, 0]
        var field = 0
        var digits = 0
        for byte in date.utf8.prefix(10) {
            if byte == 0x2D {
                guard digits > 0, field < 2 else { return nil }
                field += 1
                digits = 0
            } else if byte >= 0x30 && byte <= 0x39 {
                fields[field] = fields[field] * 10 + Int(byte - 0x30)
                digits += 1
            } else {
                return nil
            }
        }
        guard field == 2, digits > 0, (1...12).contains(fields[1]), (1...31).contains(fields[2]) else { return nil }
        return (fields[0], fields[1], fields[2])
    }
}
