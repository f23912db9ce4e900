import Foundation
import Quant
import ServiceKit

/// A fill as answered.
struct FillView: Codable, Sendable, Equatable {
    var date: String
    var symbol: String
    var side: String
    var quantity: Double
    var price: Double
    var fee: Double
    var slippage: Double
    var orderID: Int
    var orderType: String

    enum CodingKeys: String, CodingKey {
        case date, symbol, side, quantity, price, fee, slippage
        case orderID = "order_id"
        case orderType = "order_type"
    }

    init(_ f: Fill) {
        (date, symbol, side, quantity, price, fee, slippage, orderID, orderType) =
            (f.date, f.symbol, f.side.rawValue, f.quantity, f.price, f.fee, f.slippage, f.orderID, f.orderType)
    }
}

/// A round-trip trade as answered (an open trade has no exit).
struct TradeView: Codable, Sendable, Equatable {
    var symbol: String
    var side: String
    var quantity: Double
    var entryDate: String
    var entryPrice: Double
    var exitDate: String?
    var exitPrice: Double?
    var pnl: Double
    var returnFraction: Double
    var fees: Double
    var bars: Int
    var days: Int
    var mae: Double
    var mfe: Double
    var open: Bool

    enum CodingKeys: String, CodingKey {
        case symbol, side, quantity, pnl, fees, bars, days, mae, mfe, open
        case entryDate = "entry_date"
        case entryPrice = "entry_price"
        case exitDate = "exit_date"
        case exitPrice = "exit_price"
        case returnFraction = "return"
    }

    init(_ t: Trade) {
        symbol = t.symbol
        side = t.direction == .buy ? "long" : "short"
        (quantity, entryDate, entryPrice, pnl, returnFraction, fees) = (t.quantity, t.entryDate, t.entryPrice, t.pnl, t.returnFraction, t.fees)
        exitDate = t.isOpen ? nil : t.exitDate
        exitPrice = t.isOpen ? nil : t.exitPrice
        (bars, days, mae, mfe, open) = (t.durationBars, t.durationDays, t.mae, t.mfe, t.isOpen)
    }
}

struct RefusalView: Codable, Sendable, Equatable {
    var date: String
    var symbol: String
    var orderID: Int
    var reason: String

    enum CodingKeys: String, CodingKey {
        case date, symbol, reason
        case orderID = "order_id"
    }

    init(_ r: Refusal) {
        (date, symbol, orderID) = (r.date, r.symbol, r.orderID)
        reason = "\(r.reason.rawValue): \(r.detail)"
    }
}

/// Equity, cash and exposure at each close.
struct EquityView: Codable, Sendable {
    struct Point: Codable, Sendable {
        var date: String
        var equity: Double
        /// Absent from a stitched walk-forward curve (only its equity is defined).
        var cash: Double?
        var exposure: Double?
    }

    var items: [Point]

    init(items: [Point]) { self.items = items }

    init(_ r: BacktestResult) {
        items = r.dates.indices.map { Point(date: r.dates[$0], equity: r.equity[$0], cash: r.cash[$0], exposure: r.exposure[$0]) }
    }
}

/// The stored parts of a finished backtest (JSON text, answered as stored).
struct ResultParts {
    var statistics: String
    var all: [String: String]

    init(_ result: BacktestResult) throws {
        statistics = try StoredJSON.text(try StatisticsView.json(result.statistics))
        all = [
            "equity": Self.equityJSON(result),
            "trades": try StoredJSON.text(["items": result.trades.map(TradeView.init)]),
            "fills": try StoredJSON.text(FillsPart(items: result.fills.map(FillView.init), refusals: result.refusals.map(RefusalView.init))),
        ]
    }

    /// The equity part as `EquityView` encodes it, written directly: it is the one large part (a point per bar), and
    /// Foundation's encoder takes tens of milliseconds over 5,000 points. Numbers are Swift's shortest round-trip text,
    /// as the encoder writes them; every value is finite (equity, cash and exposure are sums of finite prices).
    static func equityJSON(_ r: BacktestResult) -> String {
        var out = "{\"items\":["
        out.reserveCapacity(r.dates.count * 90)
        for i in r.dates.indices {
            if i > 0 { out += "," }
            out += "{\"date\":\"\(r.dates[i])\",\"equity\":\(r.equity[i].description),\"cash\":\(r.cash[i].description),\"exposure\":\(r.exposure[i].description)}"
        }
        out += "]}"
        return out
    }

    struct FillsPart: Codable {
        var items: [FillView]
        var refusals: [RefusalView]
    }
}
