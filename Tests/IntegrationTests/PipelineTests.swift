import AsyncHTTPClient
import BourseTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The market-data pipeline end to end, through the real binary and the gateway: the three real price files are
/// uploaded to `etl`, travel over the shared event bus to `data`, and read back as CSV equal to the file on every
/// row; weekly and monthly bars match an independent computation; malformed uploads are refused whole.
@Suite(.serialized) struct PipelineTests {
    static let files = ["orcl-1995-2014.csv", "nvda-1999-2014.csv", "yhoo-1996-2014.csv"]
    static let pricesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/prices")

    struct Row: Equatable {
        let date: String
        let values: [Double]  // open, high, low, close, adj close, volume
    }

    static func rows(_ csv: String) -> [Row] {
        csv.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let cells = line.split(separator: ",").map(String.init)
            return Row(date: cells[0], values: cells.dropFirst().compactMap(Double.init))
        }
    }

    func upload(_ session: PlatformSession, token: String, symbol: String, csv: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: session.gateway + "/api/v1/etl/collect/csv?symbol=\(symbol)")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "text/csv")
        // A debug build on a busy CI machine can take longer than the gateway's default 30 s deadline to archive
        // and record a 5,000-row upload; ask for more (the gateway allows up to 300 s).
        request.headers.add(name: "X-Bourse-Timeout-Ms", value: "240000")
        request.body = .bytes(ByteBuffer(string: csv))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(250))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 8 << 20)))
    }

    func csv(_ session: PlatformSession, token: String, _ path: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: session.gateway + path)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "text/csv")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 64 << 20)))
    }

    /// Groups daily rows by ISO week (Foundation's calendar, not Quant's arithmetic) or by month: first open,
    /// highest high, lowest low, last close and adjusted close, summed volume, dated by the period's first day.
    static func resample(_ rows: [Row], weekly: Bool) -> [Row] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parser = DateFormatter()
        parser.dateFormat = "yyyy-MM-dd"
        parser.timeZone = TimeZone(identifier: "UTC")
        parser.locale = Locale(identifier: "en_US_POSIX")
        var groups: [(key: String, rows: [Row])] = []
        for row in rows {
            let key: String
            if weekly {
                let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: parser.date(from: row.date)!)
                key = "\(parts.yearForWeekOfYear!)-\(parts.weekOfYear!)"
            } else {
                key = String(row.date.prefix(7))
            }
            if groups.last?.key == key { groups[groups.count - 1].rows.append(row) } else { groups.append((key, [row])) }
        }
        return groups.map { group in
            let r = group.rows
            return Row(date: r[0].date, values: [r[0].values[0], r.map { $0.values[1] }.max()!, r.map { $0.values[2] }.min()!,
                                                 r.last!.values[3], r.last!.values[4], r.reduce(0) { $0 + $1.values[5] }])
        }
    }

    func expectEqual(_ got: [Row], _ want: [Row], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == want.count, "\(what): \(got.count) rows, expected \(want.count)", sourceLocation: sourceLocation)
        var mismatches = 0
        for (a, b) in zip(got, want) where a.date != b.date || a.values.count != b.values.count
            || zip(a.values, b.values).contains(where: { abs($0 - $1) > 1e-9 * max(1, abs($1)) }) {
            mismatches += 1
            if mismatches <= 3 { Issue.record("\(what): \(a) ≠ \(b)", sourceLocation: sourceLocation) }
        }
        #expect(mismatches == 0, "\(what): \(mismatches) rows differ", sourceLocation: sourceLocation)
    }

    @Test func realFilesTravelFromUploadToCSVAndResampleAsComputedIndependently() async throws {
        let port = BourseProcess.freePort()
        let dataDir = TestSupport.temporaryDirectory()
        let up = try BourseProcess.start(["up", "--data-dir", dataDir, "--port", String(port)])
        defer { up.signal(SIGTERM) }
        let healthy = await TestSupport.eventually(.seconds(60)) { up.log.contains("services healthy") }
        try #require(healthy, "bourse up did not report healthy:\n\(up.log)")
        let session = PlatformSession(gateway: "http://127.0.0.1:\(port)", dataDir: dataDir)
        let token = try await session.loginAsAdmin().access

        for file in Self.files {
            let symbol = String(file.prefix { $0 != "-" }).uppercased()
            let text = try String(contentsOf: Self.pricesDir.appendingPathComponent(file), encoding: .utf8)
            let daily = Self.rows(text)
            let (status, body) = try await upload(session, token: token, symbol: symbol, csv: text)
            #expect(status == 202, "\(file): \(body)")
            // The job runs, publishes on the bus, and `data` stores the bars: wait until every row is readable.
            var stored: [Row] = []
            let arrived = await TestSupport.eventually(.seconds(90)) {
                guard let (code, csv) = try? await csv(session, token: token, "/api/v1/data/market/\(symbol)?from=1900-01-01"), code == 200
                else { return false }
                stored = Self.rows(csv)
                return stored.count >= daily.count
            }
            #expect(arrived, "\(symbol): \(stored.count) of \(daily.count) rows arrived")
            expectEqual(stored, daily, "\(symbol) daily")
            let (weeklyStatus, weekly) = try await csv(session, token: token, "/api/v1/data/market/\(symbol)?from=1900-01-01&interval=1w")
            #expect(weeklyStatus == 200)
            expectEqual(Self.rows(weekly), Self.resample(daily, weekly: true), "\(symbol) weekly")
            let (monthlyStatus, monthly) = try await csv(session, token: token, "/api/v1/data/market/\(symbol)?from=1900-01-01&interval=1mo")
            #expect(monthlyStatus == 200)
            expectEqual(Self.rows(monthly), Self.resample(daily, weekly: false), "\(symbol) monthly")
        }

        // Each kind of bad row is refused with the whole file, listing the row, and nothing is stored.
        let header = "Date,Open,High,Low,Close,Adj Close,Volume\n"
        let good = "2020-01-02,10,11,9,10.5,10.5,1000\n"
        let bad: [(String, String)] = [
            ("high below close", "2020-01-03,10,10.2,9,10.5,10.5,1000\n"),
            ("low above open", "2020-01-03,10,11,10.2,10.5,10.5,1000\n"),
            ("negative volume", "2020-01-03,10,11,9,10.5,10.5,-5\n"),
            ("duplicate date", "2020-01-02,10,11,9,10.5,10.5,1000\n"),
            ("unreadable number", "2020-01-03,10,eleven,9,10.5,10.5,1000\n"),
            ("bad date", "2020-13-45,10,11,9,10.5,10.5,1000\n"),
        ]
        for (kind, row) in bad {
            let (status, body) = try await upload(session, token: token, symbol: "BADX", csv: header + good + row)
            #expect(status == 422, "\(kind): \(status) \(body)")
            let problem = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
            let rows = problem["rows"] as? [[String: Any]] ?? []
            #expect(rows.contains { ($0["line"] as? Int) == 3 }, "\(kind): the bad line 3 is not listed: \(body)")
        }
        let (missing, _) = try await csv(session, token: token, "/api/v1/data/market/BADX")
        #expect(missing == 404, "a refused upload stored bars")
    }
}
