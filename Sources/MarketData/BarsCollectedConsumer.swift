import Foundation
import Logging
import Quant
import SQLKit
import ServiceKit

/// The payload of `data.bars.stored`: what one `etl.bars.collected` batch changed in the `data` service.
public struct BarsStoredEvent: Codable, Sendable, Equatable {
    public static let topic = "data.bars.stored"

    public var symbol: String
    /// Bars of the batch that were new (stored for the first time).
    public var inserted: Int
    /// Bars of the batch that replaced stored values (transform replays only).
    public var updated: Int
    public var firstDate: String?
    public var lastDate: String?
    /// The `etl.bars.collected` event this answers.
    public var sourceEventID: String

    enum CodingKeys: String, CodingKey {
        case symbol, inserted, updated
        case firstDate = "first_date"
        case lastDate = "last_date"
        case sourceEventID = "source_event_id"
    }
}

/// Stores the bars of `etl.bars.collected` events (consumer group `data`) and publishes `data.bars.stored`.
///
/// Idempotent: the processed mark, the bars, the series' quality row and the outgoing event commit in one
/// transaction of the service's database, so a redelivered event (same id) is recognised and changes nothing,
/// and a handler that fails midway leaves nothing behind. A collection (`run` 0) never changes a stored bar;
/// a transform replay (`run` > 0) overwrites the bars it carries, as the topic's contract asks. An unknown
/// symbol gets an instrument from the event's metadata (name defaulting to the symbol, currency to USD).
struct BarsCollectedConsumer: Sendable {
    static let group = "data"

    let database: Database
    let bus: EventBus

    func handle(_ delivery: BusDelivery) async throws {
        let event = try delivery.event.decode(BarsCollectedEvent.self)
        let symbol = event.symbol.uppercased()
        let bars = event.bars.map { DailyBar(date: $0.date, open: $0.open, high: $0.high, low: $0.low, close: $0.close,
                                             adjClose: $0.adjClose, volume: $0.volume) }
        // The bulk transaction's writer: COPY (PostgreSQL) or directly bound statements (SQLite) for the bars,
        // and `writer.sql` for everything else, all in one transaction.
        try await database.bulkTransaction { writer in
            let sql = writer.sql
            if try await delivery.alreadyProcessed(in: sql) { return }
            try await ensureInstrument(symbol, event.instrument, in: sql)
            let result: BarStore.StoreResult
            if event.run > 0 {
                result = try await BarStore.store(symbol: symbol, bars: bars, overwrite: true, in: sql)
            } else {
                let inserted = try await writer.insert(
                    into: "bars", columns: BarStore.columns, conflictKey: ["symbol", "date"], rows: BarStore.Batch([(symbol, bars)]))
                if inserted > 0 { try await BarStore.bumpVersion(of: [symbol], in: sql) }
                result = BarStore.StoreResult(inserted: inserted, updated: 0)
            }
            try await sql.raw("""
                INSERT INTO series_quality (symbol, source, job_id, quality_score, updated_at)
                VALUES (\(bind: symbol), \(bind: event.source), \(bind: event.jobID), \(bind: event.qualityScore), \(bind: Date().formatted(.iso8601)))
                ON CONFLICT (symbol) DO UPDATE SET source = excluded.source, job_id = excluded.job_id,
                    quality_score = excluded.quality_score, updated_at = excluded.updated_at
                """).run()
            let stored = BarsStoredEvent(symbol: symbol, inserted: result.inserted, updated: result.updated,
                                         firstDate: bars.first?.date, lastDate: bars.last?.date, sourceEventID: delivery.event.id)
            // Derived id: a retried handler (after a rollback) publishes the same event, never a second one.
            try await bus.publish(topic: BarsStoredEvent.topic, key: symbol, json: stored, eventID: "stored:" + delivery.event.id, in: sql)
        }
    }

    /// Creates the instrument of an unknown symbol from what the provider said; a known one is left as it is.
    private func ensureInstrument(_ symbol: String, _ info: BarsCollectedEvent.Instrument?, in sql: any SQLDatabase) async throws {
        let type = info?.type.flatMap { Instrument.InstrumentType(rawValue: $0) }?.rawValue ?? (info?.type == "economic" ? "index" : "equity")
        let currency = info?.currency.map { $0.uppercased() }.flatMap { (try? Instrument.currencyPattern.wholeMatch(in: $0)) != nil ? $0 : nil } ?? "USD"
        try await sql.raw("""
            INSERT INTO instruments (symbol, name, exchange, currency, type, sector, industry, created_at)
            VALUES (\(bind: symbol), \(bind: String((info?.name ?? symbol).prefix(200))), \(bind: info?.exchange.map { String($0.prefix(100)) }),
                    \(bind: currency), \(bind: type), NULL, NULL, \(bind: Date().formatted(.iso8601)))
            ON CONFLICT (symbol) DO NOTHING
            """).run()
    }
}
