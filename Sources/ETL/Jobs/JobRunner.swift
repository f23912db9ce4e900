import Foundation
import Logging
import Quant
import ServiceKit

/// Processes one claimed item: obtain the payload (fetch and archive it, or, for uploads and transform replays,
/// read it back from the archive), parse, validate, transform, and publish — or schedule a retry or fail it.
struct JobRunner: Sendable {
    let repository: JobStore
    let connectors: ConnectorSet
    let archive: RawArchive
    let bus: EventBus
    let settings: ETLSettings
    let metrics: ETLMetrics
    let logger: Logger

    func process(_ claim: JobStore.Claim) async {
        let started = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - started
            metrics.seconds(source: claim.source).increment(by: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        do {
            let outcome = try await run(claim)
            metrics.item(source: claim.source, outcome: outcome.rawValue).increment()
        } catch is JobStore.StaleClaim {
            logger.warning("item taken over by another worker; result dropped", metadata: ["job": .string(claim.jobID), "symbol": .string(claim.symbol)])
        } catch {
            // A database or file-system failure: the item stays claimed and is picked up again when its lease expires.
            logger.error("item processing failed", metadata: ["job": .string(claim.jobID), "symbol": .string(claim.symbol),
                                                             "error": .string(Redaction.text(String(reflecting: error)))])
        }
    }

    /// Processes the item and says how its attempt ended.
    func run(_ claim: JobStore.Claim) async throws -> ItemState {
        guard let connector = connectors[claim.source] else {
            try await repository.fail(claim, error: "unknown source \(claim.source)")
            return .failed
        }
        let request = claim.request.fetchRequest(symbol: claim.symbol)
        let payload: Data
        do {
            payload = try await obtain(claim, connector: connector, request: request)
        } catch let error as ConnectorError {
            return try await handle(error, claim)
        } catch let error as ArchiveError {
            try await repository.fail(claim, error: error.description)
            return .failed
        }
        let parsed: ParsedSeries
        do {
            parsed = try connector.parse(payload, request: request)
        } catch {
            return try await handle(error, claim)
        }
        let splits: [Split]
        switch SplitAdjustment.parse(claim.request.options["splits"] ?? "") {
        case .success(let value): splits = value
        case .failure(let issue):
            try await repository.fail(claim, error: issue.description)
            return .failed
        }
        let rows = parsed.bars.count + Set(parsed.issues.map(\.line)).count
        switch SeriesValidator.validate(parsed, profile: connector.profile, settings: settings.quality, splits: splits) {
        case .invalid(let issues):
            let first = issues.prefix(3).map(\.description).joined(separator: "; ")
            try await repository.fail(claim, error: "\(issues.count) bad rows, nothing published (\(first))", issues: issues, rows: rows)
            return .failed
        case .valid(let series):
            try await repository.complete(claim, series: series, rows: rows, batchBars: settings.batchBars, bus: bus)
            logger.info("item collected", metadata: ["job": .string(claim.jobID), "symbol": .string(claim.symbol),
                                                    "bars": .stringConvertible(series.bars.count), "quality": .stringConvertible(series.quality.score)])
            metrics.bars(source: claim.source).increment(by: Int64(series.bars.count))
            return .succeeded
        }
    }

    /// The payload to parse: replays and uploads read the newest archived payload (checksum verified); collections
    /// fetch and archive what they received before anything else happens to it.
    func obtain(_ claim: JobStore.Claim, connector: any Connector, request: FetchRequest) async throws -> Data {
        if claim.run > 0 || claim.source == "csv" {
            guard let latest = try await repository.archived(jobID: claim.jobID)[claim.symbol]?.last else {
                throw ConnectorError(.rejected, "no raw payload of \(claim.symbol) is archived for this job")
            }
            let archive = self.archive
            return try await BlockingIO.run { try archive.load(latest.path, expecting: latest.sha256) }
        }
        let raw = try await connector.fetch(request)
        let sequence = try await repository.nextRawSequence(jobID: claim.jobID, symbol: claim.symbol)
        let now = Date()
        let path = RawArchive.relativePath(source: claim.source, symbol: claim.symbol, date: Resampler.isoDate(daysSinceEpoch: Int(now.timeIntervalSince1970 / 86_400)),
                                           jobID: claim.jobID, sequence: sequence, fileExtension: raw.fileExtension)
        let archive = self.archive
        let checksum = try await BlockingIO.run { try archive.store(raw.data, at: path) }
        try await repository.recordRaw(ArchivedPayload(path: path, sha256: checksum, bytes: raw.data.count, fetchedAt: now),
                                       jobID: claim.jobID, symbol: claim.symbol, sequence: sequence)
        return raw.data
    }

    /// A retryable failure with attempts left waits (exponential backoff, at least the provider's Retry-After);
    /// anything else fails the item.
    func handle(_ error: ConnectorError, _ claim: JobStore.Claim) async throws -> ItemState {
        guard error.isRetryable, claim.attempts < settings.itemAttempts else {
            let suffix = error.isRetryable ? " (after \(claim.attempts) attempts)" : ""
            try await repository.fail(claim, error: error.description + suffix)
            return .failed
        }
        let backoff = settings.itemBackoff * (1 << min(claim.attempts - 1, 20))
        let delay = max(backoff, error.retryAfter ?? .zero)
        try await repository.retry(claim, error: error.description, at: Date().addingTimeInterval(Double(Clock.millis(delay)) / 1000))
        logger.notice("item will be retried", metadata: ["job": .string(claim.jobID), "symbol": .string(claim.symbol),
                                                        "attempt": .stringConvertible(claim.attempts), "error": .string(error.description)])
        return .retrying
    }
}
