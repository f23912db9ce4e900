import Crypto
import Foundation
import NIOCore
import Quant

/// A symbol's daily bars as `data` serves them to a peer.
public struct FetchedBars: Sendable {
    public var symbol: String
    /// Empty when `data` has no bars of the symbol in the range (or does not know it).
    public var bars: OHLCV
    /// `data`'s ETag of the answer (its version), when it sent one.
    public var etag: String?
    /// SHA-256 of the symbol and the CSV exactly as received (what a run that used these bars can cite).
    public var digest: String
    /// Whether `data` answered 404 (no such symbol).
    public var notFound: Bool
}

extension PeerClient {
    /// Daily bars of `symbol` in `from...to` (ISO dates, either open-ended) from `data`, read as its CSV
    /// (`Date,Open,High,Low,Close,Adj Close,Volume`) and parsed by `PriceTable`: a fraction of the cost of decoding the
    /// JSON of the same bars. Any answer but 200 or 404 is a 502 (a 403 says which scope is missing).
    public func dailyBars(_ symbol: String, from: String? = nil, to: String? = nil, for caller: PeerCaller = PeerCaller()) async throws -> FetchedBars {
        var query: [String] = []
        if let from { query.append("from=\(from)") }
        if let to { query.append("to=\(to)") }
        let path = "/api/v1/data/market/\(Self.pathSegment(symbol))" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        let reply = try await send("data", .GET, path, for: caller, maxResponseBytes: 64 << 20, accept: "text/csv")
        var hash = SHA256()
        hash.update(data: Data((symbol + "\n").utf8))
        let none = try OHLCV(dates: [], open: [], high: [], low: [], close: [], volume: [])
        if reply.status == 404 {
            return FetchedBars(symbol: symbol, bars: none, etag: nil, digest: Array(hash.finalize()).hexString, notFound: true)
        }
        if reply.status == 403 {
            throw Problem(status: .forbidden, slug: "insufficient-scope",
                          detail: "The data service refused the bars of \(symbol) for this caller: this needs the scope data:read.")
        }
        guard reply.status == 200 else { throw Problem.badGateway("The data service answered \(reply.status) for the bars of \(symbol).") }
        let text = String(buffer: reply.body)
        hash.update(data: Data(text.utf8))
        let bars: OHLCV
        do {
            // A range without bars is the header alone.
            bars = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true).count < 2
                ? none : try PriceTable.parse(text, source: "data:\(symbol)").ohlcv()
        } catch {
            throw Problem.badGateway("The data service's CSV of \(symbol) could not be read: \(error)")
        }
        return FetchedBars(symbol: symbol, bars: bars, etag: reply.headers.first(name: "ETag"), digest: Array(hash.finalize()).hexString,
                           notFound: false)
    }
}
