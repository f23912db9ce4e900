/// The payload of the `etl.bars.collected` topic: one batch of validated daily bars of one symbol, published by
/// the `etl` service in the same transaction that marks the job's item done (a transactional outbox).
///
/// Contract for consumers (the `data` service):
/// - The event key is the symbol, so batches of one symbol arrive in order within a consumer group.
/// - A job item publishes `batchCount` events (`batchIndex` 0 … `batchCount − 1`) of at most
///   ``maxBarsPerBatch`` bars each, every bar dated `YYYY-MM-DD`, ascending, no date twice in one item.
/// - The event id is `<jobID>:<run>:<symbol>:<batchIndex>`: a redelivery carries the same id, so
///   `BusDelivery.alreadyProcessed(in:)` recognises it. `run` is 0 for the collection and grows with each
///   `POST /api/v1/etl/transform/{job_id}` replay, which publishes the re-validated bars again (a consumer
///   that wants the replayed values must overwrite, not skip, bars it already holds).
/// - Bars passed every row rule (OHLC consistency, non-negative volume, no duplicates, every field parsed);
///   quality findings (gaps, outliers, stale runs) do not hold bars back and are summarised in `qualityScore`.
/// - Economic series (FRED, World Bank) carry the observation in all four prices and volume 0.
public struct BarsCollectedEvent: Codable, Sendable, Equatable {
    /// The bus topic these events are published on.
    public static let topic = "etl.bars.collected"
    /// The largest number of bars in one event.
    public static let maxBarsPerBatch = 5_000

    /// What the provider said about the instrument, when it said anything (all fields optional).
    public struct Instrument: Codable, Sendable, Equatable {
        public var name: String?
        public var exchange: String?
        public var currency: String?
        /// `equity`, `etf`, `index`, `economic`… as the provider names it, lower-cased.
        public var type: String?

        public init(name: String? = nil, exchange: String? = nil, currency: String? = nil, type: String? = nil) {
            self.name = name
            self.exchange = exchange
            self.currency = currency
            self.type = type
        }
    }

    /// One daily bar. `adjClose` is the close adjusted for splits and dividends (equal to `close` when the
    /// provider gives no adjustment).
    public struct Bar: Codable, Sendable, Equatable {
        public var date: String
        public var open: Double
        public var high: Double
        public var low: Double
        public var close: Double
        public var adjClose: Double
        public var volume: Double

        public init(date: String, open: Double, high: Double, low: Double, close: Double, adjClose: Double, volume: Double) {
            self.date = date
            self.open = open
            self.high = high
            self.low = low
            self.close = close
            self.adjClose = adjClose
            self.volume = volume
        }
    }

    /// Upper-case symbol as the platform names it (`ORCL`, `DGS10`, `US:NY.GDP.MKTP.CD`).
    public var symbol: String
    /// The connector: `stooq`, `yahoo`, `alphavantage`, `fred`, `worldbank`, `csv` or `synthetic`.
    public var source: String
    public var jobID: String
    /// 0 for the job's collection, n for its n-th transform replay.
    public var run: Int
    public var batchIndex: Int
    public var batchCount: Int
    public var bars: [Bar]
    public var instrument: Instrument?
    /// The series' quality score, 0–100 (see docs/etl.md).
    public var qualityScore: Double

    public init(symbol: String, source: String, jobID: String, run: Int, batchIndex: Int, batchCount: Int, bars: [Bar],
                instrument: Instrument?, qualityScore: Double) {
        self.symbol = symbol
        self.source = source
        self.jobID = jobID
        self.run = run
        self.batchIndex = batchIndex
        self.batchCount = batchCount
        self.bars = bars
        self.instrument = instrument
        self.qualityScore = qualityScore
    }

    /// The bus event id of a batch: stable across redeliveries and publisher retries.
    public static func eventID(jobID: String, run: Int, symbol: String, batchIndex: Int) -> String {
        "\(jobID):\(run):\(symbol):\(batchIndex)"
    }

    enum CodingKeys: String, CodingKey {
        case symbol, source, run, bars, instrument
        case jobID = "job_id"
        case batchIndex = "batch_index"
        case batchCount = "batch_count"
        case qualityScore = "quality_score"
    }
}

extension BarsCollectedEvent.Bar {
    enum CodingKeys: String, CodingKey {
        case date, open, high, low, close, volume
        case adjClose = "adj_close"
    }
}
