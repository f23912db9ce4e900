import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import MarketData
import ServiceKit

/// Validation reports, quality metrics, fundamentals and corporate actions through the `data` service's routes.
@Suite struct ReferenceAndQualityRoutesTests {
    func object(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    func bar(_ date: String, _ close: Double, high: Double? = nil, volume: Double = 100) -> String {
        #"{"date":"\#(date)","open":\#(close),"high":\#(high ?? close + 1),"low":\#(close - 1),"close":\#(close),"volume":\#(volume)}"#
    }

    @Test func validateReportsEveryBadRowAndTheGapsAndStoresNothing() async throws {
        try await DataServiceHarness.with(.sqlite) { _, _, app in
            try await app.test(.router) { client in
                // 2024-01-01 is a Monday; the 3rd is missing (a gap of one trading day), the 5th repeats, the 8th is inconsistent.
                let bars = [bar("2024-01-01", 10), bar("2024-01-02", 10.5), bar("2024-01-04", 10.2), bar("2024-01-05", 10.1),
                            bar("2024-01-05", 10.3), bar("2024-01-08", 11, high: 10), bar("2024-01-09", 11, volume: -1)]
                let body = #"{"bars":[\#(bars.joined(separator: ","))]}"#
                try await client.execute(uri: "/api/v1/data/validate?symbol=X", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                    let result = object(response.body)
                    #expect(result["valid"] as? Bool == false)
                    let report = result["report"] as? [String: Any] ?? [:]
                    let issues = (report["issues"] as? [[String: Any]] ?? []).map { "\($0["index"] ?? "")/\($0["field"] ?? "")" }
                    #expect(issues == ["4/date", "5/high", "6/volume"])
                    let gaps = report["gaps"] as? [[String: Any]] ?? []
                    #expect(gaps.count == 1)
                    #expect(gaps.first?["from"] as? String == "2024-01-03")
                    #expect(report["missing_bars"] as? Int == 1)
                    #expect(report["expected_bars"] as? Int == 5)
                }
                try await client.execute(uri: "/api/v1/data/quality/metrics", method: .get) { response in
                    #expect(object(response.body)["bars"] as? Int == 0)
                }
                try await client.execute(uri: "/api/v1/data/validate", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: #"{"bars":[]}"#)) { response in
                    #expect(response.status == .badRequest)
                }
            }
        }
    }

    @Test(arguments: TestSupport.engines)
    func statementsAndActionsAreStoredAndReadBack(engine: Database.Engine) async throws {
        try await DataServiceHarness.with(engine) { _, _, app in
            try await app.test(.router) { client in
                let statements = """
                    [{"statement":"income","period":"annual","period_end":"2023-05-31","currency":"USD","items":{"revenue":50e9,"net_income":8.5e9}},
                     {"statement":"income","period":"annual","period_end":"2024-05-31","currency":"USD","items":{"revenue":53e9,"net_income":10.5e9}},
                     {"statement":"balance","period":"quarterly","period_end":"2024-02-29","currency":"USD","items":{"total_assets":137e9}}]
                    """
                try await client.execute(uri: "/api/v1/data/fundamentals/orcl", method: .put, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: statements)) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/api/v1/data/fundamentals/ORCL?statement=income", method: .get) { response in
                    let found = (object(response.body)["statements"] as? [[String: Any]] ?? [])
                    #expect(found.map { $0["period_end"] as? String } == ["2024-05-31", "2023-05-31"])
                    #expect((found.first?["items"] as? [String: Double])?["net_income"] == 10.5e9)
                }
                try await client.execute(uri: "/api/v1/data/fundamentals/ORCL", method: .put, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: #"[{"statement":"wealth","period":"annual","period_end":"2024-13-01","currency":"usd","items":{}}]"#)) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(((object(response.body)["errors"] as? [Any]) ?? []).count == 4)
                }
                let actions = #"[{"date":"2000-01-18","kind":"split","value":2},{"date":"2024-04-10","kind":"dividend","value":0.4,"currency":"USD"}]"#
                try await client.execute(uri: "/api/v1/data/actions/ORCL", method: .put, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: actions)) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/api/v1/data/actions/ORCL?kind=split", method: .get) { response in
                    let found = object(response.body)["actions"] as? [[String: Any]] ?? []
                    #expect(found.count == 1)
                    #expect(found.first?["value"] as? Double == 2)
                }
                try await client.execute(uri: "/api/v1/data/actions/ORCL?from=2024-01-01", method: .get) { response in
                    let found = object(response.body)["actions"] as? [[String: Any]] ?? []
                    #expect(found.map { $0["kind"] as? String } == ["dividend"])
                }
                try await client.execute(uri: "/api/v1/data/actions/ORCL", method: .put, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: #"[{"date":"2024-04-10","kind":"dividend","value":0.4}]"#)) { response in
                    #expect(response.status == .unprocessableContent)
                }
            }
        }
    }
}
