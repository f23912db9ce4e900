import Foundation
import Quant
import ServiceKit

/// What the `data` service says about an instrument (the fields this service reads).
struct InstrumentInfo: Codable, Sendable, Equatable {
    var symbol: String
    var currency: String
    var type: String
    var sector: String?
    /// ISO 3166-1 alpha-2, when `data` knows it.
    var country: String?
}

/// Daily closes (not adjusted) and instruments from the `data` service, through the peer client, cached in
/// memory per symbol. A symbol's closes are dropped when `data.bars.stored` names it (consumer group
/// `portfolio`) and after ``ttl`` in any case: the group delivers each event to one instance, so with several
/// replicas the others' entries age out rather than stay stale.
actor MarketCache {
    struct Series: Sendable {
        var from: LocalDate
        var closes: [(date: LocalDate, close: Decimal)]
        var fetched: ContinuousClock.Instant
    }

    static let ttl = Duration.seconds(600)
    private var series: [String: Series] = [:]
    private var instruments: [String: (info: InstrumentInfo, fetched: ContinuousClock.Instant)] = [:]
    private(set) var invalidations = 0

    func closes(_ symbol: String, from: LocalDate) -> [(date: LocalDate, close: Decimal)]? {
        guard let s = series[symbol], s.from <= from, ContinuousClock.now - s.fetched < Self.ttl else { return nil }
        return s.closes
    }

    func store(_ symbol: String, from: LocalDate, closes: [(date: LocalDate, close: Decimal)]) {
        series[symbol] = Series(from: from, closes: closes, fetched: .now)
    }

    func instrument(_ symbol: String) -> InstrumentInfo? {
        guard let entry = instruments[symbol], ContinuousClock.now - entry.fetched < Self.ttl else { return nil }
        return entry.info
    }

    func store(_ info: InstrumentInfo) { instruments[info.symbol] = (info, .now) }

    func invalidate(_ symbol: String) {
        series[symbol] = nil
        invalidations += 1
    }

    var cachedSymbols: [String] { series.keys.sorted() }
}

/// Calls to `data` made for the user of the request (its identity travels signed with each call).
struct MarketClient: Sendable {
    let peers: PeerClient
    let cache: MarketCache

    typealias Caller = PeerCaller

    private struct SeriesBody: Decodable {
        struct Bar: Decodable {
            var date: String
            var close: Decimal
        }
        var bars: [Bar]
    }

    static func path(_ symbol: String) -> String { PeerClient.pathSegment(symbol) }

    private func get(_ path: String, _ caller: Caller) async throws -> ServiceClient.Reply {
        try await peers.send("data", .GET, path, for: caller)
    }

    private func unexpected(_ reply: ServiceClient.Reply, _ what: String) -> Problem {
        if reply.status == 403 {
            return Problem(status: .forbidden, slug: "insufficient-scope",
                           detail: "The data service refused \(what) for this caller: pricing a portfolio needs the scope data:read.")
        }
        return Problem.badGateway("The data service answered \(reply.status) for \(what).")
    }

    /// The instrument named `symbol`, or `nil` when `data` does not know it (404).
    func instrument(_ symbol: String, _ caller: Caller) async throws -> InstrumentInfo? {
        if let cached = await cache.instrument(symbol) { return cached }
        let reply = try await get("/api/v1/data/instruments/\(Self.path(symbol))", caller)
        if reply.status == 404 { return nil }
        guard reply.status == 200 else { throw unexpected(reply, "instrument \(symbol)") }
        let info = try reply.decode(InstrumentInfo.self)
        await cache.store(info)
        return info
    }

    /// Instruments of `symbols` (unknown ones absent), fetched concurrently.
    func instruments(_ symbols: [String], _ caller: Caller) async throws -> [String: InstrumentInfo] {
        try await withThrowingTaskGroup(of: (String, InstrumentInfo?).self) { group in
            for s in Set(symbols) { group.addTask { (s, try await instrument(s, caller)) } }
            var out: [String: InstrumentInfo] = [:]
            for try await (s, info) in group { if let info { out[s] = info } }
            return out
        }
    }

    /// Daily closes of `symbol` from `from` on (empty when `data` has none).
    func closes(_ symbol: String, from: LocalDate, _ caller: Caller) async throws -> [(date: LocalDate, close: Decimal)] {
        if let cached = await cache.closes(symbol, from: from) { return cached }
        let reply = try await get("/api/v1/data/market/\(Self.path(symbol))?from=\(from)", caller)
        if reply.status == 404 {
            await cache.store(symbol, from: from, closes: [])
            return []
        }
        guard reply.status == 200 else { throw unexpected(reply, "the bars of \(symbol)") }
        let body = try reply.decode(SeriesBody.self)
        let closes = body.bars.compactMap { bar in LocalDate(bar.date).map { (date: $0, close: bar.close) } }
        await cache.store(symbol, from: from, closes: closes)
        return closes
    }

    /// Closes of every symbol in `from` (each from its own first date), fetched concurrently.
    func closes(_ from: [String: LocalDate], _ caller: Caller) async throws -> [String: [(date: LocalDate, close: Decimal)]] {
        try await withThrowingTaskGroup(of: (String, [(date: LocalDate, close: Decimal)]).self) { group in
            for (s, first) in from { group.addTask { (s, try await closes(s, from: first, caller)) } }
            var out: [String: [(date: LocalDate, close: Decimal)]] = [:]
            for try await (s, series) in group { out[s] = series }
            return out
        }
    }

    /// The daily rates of `currency` in `base` (base units per unit) from `from` on, and how they were read:
    /// the pair `currency+base` (`EURUSD`, close as is) when `data` has closes for it, else the inverse pair
    /// `base+currency` (`USDEUR`, 1/close); empty when neither exists. Both go through ``closes(_:from:_:)``, so
    /// they are cached and dropped on `data.bars.stored` like any symbol's closes.
    func fxRates(_ currency: String, base: String, from: LocalDate, _ caller: Caller) async throws -> (source: String, rates: [(date: LocalDate, rate: Decimal)]) {
        let direct = try await closes(currency + base, from: from, caller)
        if !direct.isEmpty { return (currency + base, direct.map { (date: $0.date, rate: $0.close) }) }
        let inverse = try await closes(base + currency, from: from, caller)
        return ("1/" + base + currency, inverse.filter { $0.close > 0 }.map { (date: $0.date, rate: 1 / $0.close) })
    }
}
