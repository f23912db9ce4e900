import Quant
import ServiceKit

extension BarStore {
    /// The `bars` columns in the order ``Batch`` writes them.
    static let columns = ["symbol", "date", "open", "high", "low", "close", "adj_close", "volume"]

    /// Many symbols' bars for the bulk path.
    public struct Batch: BulkRows {
        public var series: [(symbol: String, bars: [DailyBar])]
        /// Row i's series and position, flattened once so that `write` is O(1).
        private let index: [(series: Int32, bar: Int32)]

        public init(_ series: [(symbol: String, bars: [DailyBar])]) {
            self.series = series
            var index: [(series: Int32, bar: Int32)] = []
            index.reserveCapacity(series.reduce(0) { $0 + $1.bars.count })
            for (s, entry) in series.enumerated() {
                for b in entry.bars.indices { index.append((Int32(s), Int32(b))) }
            }
            self.index = index
        }

        public var count: Int { index.count }

        public func write(row: Int, to writer: inout BulkRowWriter) {
            let (s, b) = index[row]
            let entry = series[Int(s)]
            let bar = entry.bars[Int(b)]
            writer.text(entry.symbol)
            writer.text(bar.date)
            writer.double(bar.open)
            writer.double(bar.high)
            writer.double(bar.low)
            writer.double(bar.close)
            writer.double(bar.adjClose)
            writer.double(bar.volume)
        }
    }

    /// Stores many symbols' bars in one transaction through the storage layer's bulk path (SQLite: one prepared
    /// statement bound and stepped per bar; PostgreSQL: binary `COPY`). Stored (symbol, date) pairs
    /// are left as they are, as with ``insert(symbol:bars:)``. Returns how many bars were new.
    @discardableResult
    public func insertBulk(_ batch: Batch) async throws -> Int {
        guard batch.count > 0 else { return 0 }
        return try await database.bulkTransaction { writer in
            let inserted = try await writer.insert(
                into: "bars", columns: Self.columns,
                conflictKey: ["symbol", "date"], rows: batch)
            if inserted > 0 { try await Self.bumpVersion(of: Set(batch.series.map(\.symbol)), in: writer.sql) }
            return inserted
        }
    }
}
