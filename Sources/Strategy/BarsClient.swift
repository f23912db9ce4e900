import Crypto
import Foundation
import Quant
import ServiceKit

/// Daily bars (not adjusted) from the `data` service, for backtests and live evaluation.
///
/// Requests made while answering a user carry that user (their rights apply); runs and live evaluation happen in
/// the background and call as the service itself (market data is shared; ownership of strategies and runs is
/// checked here, when they are created and read).
struct BarsClient: Sendable {
    let peers: PeerClient
    /// Parsed answers by request path and `data`'s ETag: the same bars again (a strategy iterated on) skip parsing.
    let parsed = ParsedBars()

    /// The last parsed answer per request path (at most 64 paths), reused while `data`'s ETag for it is unchanged.
    actor ParsedBars {
        private var entries: [String: (etag: String, series: Series, used: UInt64)] = [:]
        private var clock: UInt64 = 0

        func get(_ path: String, etag: String) -> Series? {
            guard let e = entries[path], e.etag == etag else { return nil }
            clock += 1
            entries[path]?.used = clock
            return e.series
        }

        func put(_ path: String, etag: String, _ series: Series) {
            clock += 1
            entries[path] = (etag, series, clock)
            if entries.count > 64, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key { entries[oldest] = nil }
        }
    }

    /// A symbol's bars and the SHA-256 of exactly what was used (dates and the shortest round-trip text of each
    /// value), the ingredient of a run's `data_hash`.
    struct Series: Sendable {
        var symbol: String
        var bars: OHLCV
        var digest: String
    }

    static func path(_ symbol: String) -> String { PeerClient.pathSegment(symbol) }

    /// Whether `data` knows `symbol`, asked as `caller` (so a caller without `data:read` is refused there).
    func knows(_ symbol: String, acting caller: Principal?, deadline: ContinuousClock.Instant? = nil) async throws -> Bool {
        let reply = try await peers.send("data", .GET, "/api/v1/data/instruments/\(Self.path(symbol))", deadline: deadline, acting: caller)
        switch reply.status {
        case 200: return true
        case 404: return false
        case 403:
            throw Problem(status: .forbidden, slug: "insufficient-scope",
                          detail: "The data service refused to describe \(symbol) for this caller: backtests need the scope data:read.")
        default: throw Problem.badGateway("The data service answered \(reply.status) for instrument \(symbol).")
        }
    }

    /// Bars of `symbol` in `from...to` (either open-ended); empty when `data` has none (`PeerClient.dailyBars`).
    /// The parsed bars are kept per request and ETag, so the same bars again are not parsed again.
    func bars(_ symbol: String, from: LocalDate?, to: LocalDate?) async throws -> Series {
        let key = "\(symbol)|\(from?.description ?? "")|\(to?.description ?? "")"
        let fetched = try await peers.dailyBars(symbol, from: from?.description, to: to?.description)
        if let etag = fetched.etag, let known = await parsed.get(key, etag: etag) { return known }
        let series = Series(symbol: symbol, bars: fetched.bars, digest: fetched.digest)
        if let etag = fetched.etag { await parsed.put(key, etag: etag, series) }
        return series
    }

    /// Bars of several symbols, fetched concurrently, in the order asked.
    func bars(_ symbols: [String], from: LocalDate?, to: LocalDate?) async throws -> [Series] {
        let fetched = try await withThrowingTaskGroup(of: Series.self) { group in
            for s in Set(symbols) { group.addTask { try await bars(s, from: from, to: to) } }
            var out: [String: Series] = [:]
            for try await series in group { out[series.symbol] = series }
            return out
        }
        return symbols.compactMap { fetched[$0] }
    }

    /// The hash of the bar data of a run: SHA-256 over the symbols' digests in order.
    static func dataHash(_ series: [Series]) -> String {
        var hash = SHA256()
        for s in series { hash.update(data: Data((s.digest + "\n").utf8)) }
        return Array(hash.finalize()).hexString
    }
}
