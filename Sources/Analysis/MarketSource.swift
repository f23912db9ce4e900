import Foundation
import Quant
import ServiceKit

/// What the `data` service says about an instrument (the fields this service reads).
struct InstrumentInfo: Codable, Sendable, Equatable {
    var symbol: String
    var name: String
    var exchange: String?
    var currency: String
    var type: String
    var sector: String?
    var industry: String?
    var country: String?
}

/// One statement of one period as `data` stores it: line items by name.
struct StatementRecord: Codable, Sendable, Equatable {
    var statement: String
    var period: String
    var periodEnd: String
    var currency: String
    var items: [String: Double]

    enum CodingKeys: String, CodingKey {
        case statement, period, currency, items
        case periodEnd = "period_end"
    }
}

/// A symbol's whole daily history as cached, and the version it had (`data`'s ETag of the answer).
struct CachedBars: Sendable {
    var bars: OHLCV
    var version: String
    var fetched: ContinuousClock.Instant
}

/// The service's caches: each symbol's bars (whole history) and computed answers keyed by the bars' version and
/// the normalised request. An entry lives until `data.bars.stored` names its symbol, or `ttl` passes (the bus
/// delivers an event to one replica of the consumer group, so other replicas' entries age out). Answers are
/// bounded in number (least recently used out first). Hits and misses are counted per kind for
/// `/api/status/cache`.
actor AnalysisCache {
    struct Answer: Sendable {
        var body: [UInt8]
        var contentType: String
        var symbols: [String]
    }

    struct Counter: Sendable, Codable {
        var hits = 0
        var misses = 0
    }

    let ttl: Duration
    let capacity: Int
    private var bars: [String: CachedBars] = [:]
    private var answers: [String: (answer: Answer, used: UInt64)] = [:]
    private var clock: UInt64 = 0
    private(set) var counters: [String: Counter] = [:]
    private(set) var invalidations = 0

    init(ttl: Duration, capacity: Int) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func bars(_ symbol: String) -> CachedBars? {
        guard let entry = bars[symbol], ContinuousClock.now - entry.fetched < ttl else {
            count("bars", hit: false)
            return nil
        }
        count("bars", hit: true)
        return entry
    }

    func store(_ symbol: String, _ entry: CachedBars) { bars[symbol] = entry }

    func answer(_ key: String, kind: String) -> Answer? {
        guard var entry = answers[key] else {
            count(kind, hit: false)
            return nil
        }
        clock += 1
        entry.used = clock
        answers[key] = entry
        count(kind, hit: true)
        return entry.answer
    }

    func store(_ key: String, _ answer: Answer) {
        clock += 1
        answers[key] = (answer, clock)
        if answers.count > capacity, let oldest = answers.min(by: { $0.value.used < $1.value.used })?.key { answers[oldest] = nil }
    }

    /// Drops the symbol's bars and every answer computed from them.
    func invalidate(_ symbol: String) {
        bars[symbol] = nil
        for (key, entry) in answers where entry.answer.symbols.contains(symbol) { answers[key] = nil }
        invalidations += 1
    }

    private func count(_ kind: String, hit: Bool) {
        var c = counters[kind, default: Counter()]
        if hit { c.hits += 1 } else { c.misses += 1 }
        counters[kind] = c
    }

    var status: (bars: Int, answers: Int, counters: [String: Counter], invalidations: Int) { (bars.count, answers.count, counters, invalidations) }
}

/// Bars, instruments and fundamentals from `data`, for the user of the request (their rights apply there).
struct MarketSource: Sendable {
    let peers: PeerClient
    let cache: AnalysisCache

    typealias Caller = PeerCaller

    static func path(_ symbol: String) -> String { PeerClient.pathSegment(symbol) }

    private func get(_ path: String, _ caller: Caller, maxBytes: Int = 8 << 20) async throws -> ServiceClient.Reply {
        try await peers.send("data", .GET, path, for: caller, maxResponseBytes: maxBytes)
    }

    private func unexpected(_ reply: ServiceClient.Reply, _ what: String) -> Problem {
        if reply.status == 403 {
            return Problem(status: .forbidden, slug: "insufficient-scope",
                           detail: "The data service refused \(what) for this caller: analysis needs the scope data:read.")
        }
        return Problem.badGateway("The data service answered \(reply.status) for \(what).")
    }

    /// The whole daily history of `symbol` (cached); 404 when `data` has no bars of it.
    func bars(_ symbol: String, _ caller: Caller) async throws -> CachedBars {
        if let cached = await cache.bars(symbol) { return cached }
        let fetched = try await peers.dailyBars(symbol, for: caller)
        guard fetched.bars.count > 0 else { throw Problem.notFound("No bars of \(symbol) in the data service.") }
        let entry = CachedBars(bars: fetched.bars, version: fetched.etag ?? fetched.digest, fetched: .now)
        await cache.store(symbol, entry)
        return entry
    }

    /// The instrument, or `nil` when `data` does not know it.
    func instrument(_ symbol: String, _ caller: Caller) async throws -> InstrumentInfo? {
        let reply = try await get("/api/v1/data/instruments/\(Self.path(symbol))", caller)
        if reply.status == 404 { return nil }
        guard reply.status == 200 else { throw unexpected(reply, "instrument \(symbol)") }
        return try reply.decode(InstrumentInfo.self)
    }

    /// Every instrument `data` knows, in symbol order (pages of 1,000).
    func instruments(_ caller: Caller) async throws -> [InstrumentInfo] {
        struct Page: Decodable { var items: [InstrumentInfo]; var total: Int }
        var out: [InstrumentInfo] = []
        while true {
            let reply = try await get("/api/v1/data/instruments?limit=1000&offset=\(out.count)", caller)
            guard reply.status == 200 else { throw unexpected(reply, "the instruments") }
            let page = try reply.decode(Page.self)
            out += page.items
            if page.items.isEmpty || out.count >= page.total { return out }
        }
    }

    /// Statements of `symbol` of one period type, newest first (empty when none).
    func statements(_ symbol: String, period: String, _ caller: Caller) async throws -> [StatementRecord] {
        struct Body: Decodable { var statements: [StatementRecord] }
        let reply = try await get("/api/v1/data/fundamentals/\(Self.path(symbol))?period=\(period)", caller)
        if reply.status == 404 { return [] }
        guard reply.status == 200 else { throw unexpected(reply, "the statements of \(symbol)") }
        return try reply.decode(Body.self).statements
    }
}
