import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Quant
import ServiceKit
import Testing
@testable import Notifications

/// The notifications service as `bourse serve notifications` builds it, with `data` stubbed on a real socket.
struct NotificationsHarness: Sendable {
    let client: any TestClientProtocol
    let service: NotificationsService
    let environment: ServiceEnvironment
    let data: MarketDataStub

    static func with(data: MarketDataStub, _ body: @escaping @Sendable (NotificationsHarness) async throws -> Void) async throws {
        try await data.application().test(.live) { upstream in
            let url = "http://127.0.0.1:\(try #require(upstream.port))"
            let databaseURL = try await TestSupport.databaseURL(.sqlite)
            let dataDir = TestSupport.temporaryDirectory()
            defer { Task { await BusStores.shared.close(url: nil, dataDir: dataDir) } }
            try await TestSupport.withService(NotificationsService.self, settings: ["database.url": databaseURL, "data.dir": dataDir]) { service, environment, app in
                environment.peers.caller.pool.upsert(.init(service: "data", id: "data-stub", url: url, version: "1"), lease: .seconds(600))
                try await app.test(.router) { client in
                    try await body(NotificationsHarness(client: client, service: service, environment: environment, data: data))
                }
            }
        }
    }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, as user: User? = .alice, json: String? = nil) async throws -> Reply {
        var headers = user?.headers ?? HTTPFields()
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: "/api/v1/notifications/" + path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            Reply(status: response.status, text: String(buffer: response.body), headers: response.headers)
        }
    }

    func published() async throws -> Int {
        try await environment.database!.withSQL { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM bus_outbox WHERE topic = 'alerts.triggered'").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }
}

@Suite("Notifications: alerts on new bars, the inbox", .serialized)
struct NotificationsTests {
    static let alert = #"""
        {"name":"Close over SMA 50","symbol":"ORCL","source":"close","rule":{"condition":{"type":"crossingUp","level":"sma(close, 50)"},"mode":"everyTime"}}
        """#

    /// An alert created on bars up to mid-2014 notifies each crossing of the bars that arrive later — the same bars a
    /// plain loop over the close and Quant's SMA finds — once: a redelivered event adds nothing.
    @Test func anAlertNotifiesEachNewCrossingOnce() async throws {
        let data = MarketDataStub(series: ["ORCL": try PriceFiles.bars("ORCL", to: "2014-06-30")])
        try await NotificationsHarness.with(data: data) { h in
            let created = try await h.call(.post, "alerts", json: Self.alert)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            #expect((created.json["state"] as? [String: Any])?["last_evaluated_bar"] as? String == "2014-06-30")

            let whole = try PriceFiles.bars("ORCL")
            data.set("ORCL", whole)
            try await h.service.evaluation.barsStored(symbol: "ORCL")
            let sma = try Indicators.sma(whole.close, period: 50)
            var expected: [String] = []
            for t in 1..<whole.count where whole.dates[t] > "2014-06-30" {
                if whole.close[t] > sma[t] && whole.close[t - 1] <= sma[t - 1] { expected.append(whole.dates[t]) }
            }
            #expect(!expected.isEmpty)
            let inbox = try await h.call(.get, "inbox?limit=1000")
            let bars = inbox.array.compactMap { ($0["body"] as? [String: Any])?["bar"] as? String }.sorted()
            #expect(bars == expected)
            #expect(inbox.json["unread"] as? Int == expected.count)
            #expect(try await h.published() == expected.count)

            try await h.service.evaluation.barsStored(symbol: "ORCL")  // the same event again
            #expect(try await h.call(.get, "inbox").json["total"] as? Int == expected.count)
            #expect(try await h.published() == expected.count)
            let state = try await h.call(.get, "alerts/\(id)").json["state"] as? [String: Any]
            #expect(state?["last_evaluated_bar"] as? String == "2014-12-31")
            #expect(state?["trigger_count"] as? Int == expected.count)
        }
    }

    /// The inbox: unread count, read/unread, delete; another user sees none of it and gets 404s.
    @Test func theInboxBelongsToItsOwner() async throws {
        let data = MarketDataStub(series: ["ORCL": try PriceFiles.bars("ORCL", to: "2014-06-30")])
        try await NotificationsHarness.with(data: data) { h in
            let id = try #require(try await h.call(.post, "alerts", json: Self.alert).json["id"] as? String)
            data.set("ORCL", try PriceFiles.bars("ORCL"))
            try await h.service.evaluation.barsStored(symbol: "ORCL")
            let first = try #require(try await h.call(.get, "inbox").array.first?["id"] as? String)
            let total = try #require(try await h.call(.get, "inbox").json["unread"] as? Int)
            #expect(try await h.call(.patch, "inbox/\(first)", json: #"{"read":true}"#).json["read"] as? Bool == true)
            #expect(try await h.call(.get, "inbox").json["unread"] as? Int == total - 1)
            #expect(try await h.call(.get, "inbox?unread=true").array.count == total - 1)
            #expect(try await h.call(.patch, "inbox/\(first)", as: .bob, json: #"{"read":false}"#).status == .notFound)
            #expect(try await h.call(.delete, "inbox/\(first)", as: .bob).status == .notFound)
            #expect(try await h.call(.get, "inbox", as: .bob).json["total"] as? Int == 0)
            #expect(try await h.call(.get, "alerts/\(id)", as: .bob).status == .notFound)
            #expect(try await h.call(.delete, "alerts/\(id)", as: .bob).status == .notFound)
            #expect(try await h.call(.delete, "inbox/\(first)").status == .noContent)
            #expect(try await h.call(.delete, "alerts/\(id)").status == .noContent)
        }
    }

    /// Bad alerts are 422s naming the field; nothing is stored.
    @Test func invalidAlertsAreRefused() async throws {
        let data = MarketDataStub(series: ["ORCL": try PriceFiles.bars("ORCL", to: "2014-06-30")])
        try await NotificationsHarness.with(data: data) { h in
            for (body, field) in [
                (#"{"name":"a","symbol":"ORCL","rule":{"condition":{"type":"crossingUp","level":"smaa(close, 50)"}}}"#, "/rule/condition"),
                (#"{"name":"a","symbol":"ORCL","source":"close >","rule":{"condition":{"type":"crossingUp","level":1}}}"#, "/source"),
                (#"{"name":"a","symbol":"ZZZZ","rule":{"condition":{"type":"crossingUp","level":1}}}"#, "/symbol"),
                (#"{"name":"a","symbol":"ORCL"}"#, "/rule"),
                (#"{"symbol":"ORCL","rule":{"condition":{"type":"crossingUp","level":1}}}"#, "/name"),
            ] {
                let reply = try await h.call(.post, "alerts", json: body)
                #expect(reply.status == .unprocessableContent || reply.status == .badRequest, "\(body): \(reply.status)")
                #expect(reply.status == .badRequest || reply.errorFields.contains(field), "\(body) → \(reply.text)")
            }
            #expect(try await h.call(.get, "alerts").array.isEmpty)
        }
    }
}
