import Foundation

/// How a disposal picks the cost it removes from a position.
public enum CostMethod: String, Sendable, Codable, CaseIterable {
    /// First in, first out: a SELL or TRANSFER_OUT consumes the oldest lots; a partly consumed lot gives up
    /// `cost · sold / lotQuantity` (rounded half-even to 10 decimals, the remainder stays in the lot).
    case fifo
    /// Moving average: one pooled lot per position; a disposal removes `poolCost · sold / poolQuantity`.
    case averageCost
}

/// An open lot: shares acquired on one day and the part of their cost not yet disposed of.
///
/// A BUY opens a lot costing `q·p + fee`; a TRANSFER_IN opens one at market value `q·price`. A SPLIT multiplies
/// the quantity of every open lot by its ratio and leaves the cost alone. With ``CostMethod/averageCost`` a
/// position is one lot dated by the first acquisition since the position was last empty.
public struct Lot: Hashable, Sendable, Codable {
    public var symbol: String
    public var acquired: LocalDate
    public var quantity: Decimal
    public var cost: Decimal

    public init(symbol: String, acquired: LocalDate, quantity: Decimal, cost: Decimal) {
        self.symbol = symbol
        self.acquired = acquired
        self.quantity = quantity
        self.cost = cost
    }
}

/// The lots of one position as the engine keeps them: a queue whose consumed head is skipped, not removed.
struct LotQueue<N: LedgerNumber>: Sendable {
    struct Entry: Sendable {
        var day: Int
        var quantity: N
        var cost: N
    }

    var entries: [Entry] = []
    var head = 0
    var quantity = N.zero
    var cost = N.zero

    mutating func open(day: Int, quantity q: N, cost c: N, method: CostMethod) throws(LedgerOverflow) {
        if method == .averageCost && head < entries.count {
            entries[head].quantity = try entries[head].quantity.plus(q)
            entries[head].cost = try entries[head].cost.plus(c)
        } else {
            entries.append(Entry(day: day, quantity: q, cost: c))
        }
        quantity = try quantity.plus(q)
        cost = try cost.plus(c)
    }

    /// Removes `q` shares (the caller has checked they are held) and returns the cost they carried.
    mutating func consume(_ q: N) throws(LedgerOverflow) -> N {
        var remaining = q
        var consumed = N.zero
        while !remaining.isZero && head < entries.count {
            let lot = entries[head]
            if lot.quantity <= remaining {
                consumed = try consumed.plus(lot.cost)
                remaining = try remaining.minus(lot.quantity)
                head += 1
            } else {
                let part = try lot.cost.prorated(remaining, of: lot.quantity)
                consumed = try consumed.plus(part)
                entries[head].cost = try lot.cost.minus(part)
                entries[head].quantity = try lot.quantity.minus(remaining)
                remaining = .zero
            }
        }
        quantity = try quantity.minus(q)
        cost = try cost.minus(consumed)
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return consumed
    }

    mutating func split(_ ratio: N) throws(LedgerOverflow) {
        for i in head..<entries.count { entries[i].quantity = try entries[i].quantity.times(ratio) }
        quantity = try quantity.times(ratio)
    }

    var openLots: ArraySlice<Entry> { entries[head...] }
}
