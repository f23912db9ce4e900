import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import Quant
import ServiceKit

extension ETLRoutes {
    /// Problems listed in a 422 at most; the count of all of them is in `bad_rows`.
    static let maxListedIssues = 1_000

    /// `POST /collect/csv?symbol=SYM` with a `text/csv` body: the whole file is validated first; a file with any bad row
    /// is refused with 422 listing every bad row (line, column, reason) and nothing is stored — no job, no archive, no bar.
    /// A valid file is archived and becomes a one-item job that the worker publishes.
    @Sendable func upload(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        guard let raw = try QueryReader(request).string("symbol", maxLength: 40), case let symbol = raw.uppercased(), Self.isSymbol(symbol) else {
            throw Problem.badRequest("An upload needs ?symbol=SYM.", errors: [FieldError(field: "symbol", reason: "1–40 of A–Z, 0–9, . - _ ^ = :")])
        }
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        guard contentType.hasPrefix("text/csv") else {
            throw Problem(status: .unsupportedMediaType, slug: "unsupported-media-type",
                          detail: "An upload is text/csv (Date,Open,High,Low,Close,Adj Close,Volume), not \(contentType.isEmpty ? "an untyped body" : contentType).")
        }
        var steps = StepTimer()
        let data = Data(buffer: try await request.body.collect(upTo: context.maxUploadSize))
        steps.mark("body")
        let parsed = CSVBarParser.parse(data, symbol: symbol)
        if case .invalid(let issues) = SeriesValidator.validate(parsed, profile: .prices, settings: settings.quality) {
            throw Self.rejection(issues, symbol: symbol)
        }
        steps.mark("validate")
        defer {
            // An upload normally takes well under a second; a slow one says which step took the time.
            if steps.total > .seconds(5) {
                context.logger.warning("slow upload", metadata: ["symbol": .string(symbol), "bytes": .stringConvertible(data.count),
                                                                 "steps_ms": .string(steps.description)])
            }
        }
        let id = UUID().uuidString.lowercased()
        let now = Date()
        let path = RawArchive.relativePath(source: "csv", symbol: symbol, date: Resampler.isoDate(daysSinceEpoch: Int(now.timeIntervalSince1970 / 86_400)),
                                           jobID: id, sequence: 1, fileExtension: "csv")
        let archive = self.archive
        let checksum = try await BlockingIO.run { try archive.store(data, at: path) }
        steps.mark("archive")
        do {
            try await repository.create(id: id, source: "csv", request: JobRequest(symbols: [symbol]),
                                        upload: ArchivedPayload(path: path, sha256: checksum, bytes: data.count, fetchedAt: now))
            steps.mark("record")
        } catch {
            // The job was not recorded, so its payload must not linger in the archive either.
            archive.remove(path)
            throw error
        }
        wakeups.signal()
        return try accepted(id: id, request: request, context: context)
    }

    /// The 422 of a refused upload: `errors` in the platform's field/reason form and `rows` with line, column and reason.
    static func rejection(_ issues: [RowIssue], symbol: String) -> Problem {
        let listed = issues.prefix(maxListedIssues)
        let lines = Set(issues.map(\.line)).count
        let rows: [JSONValue] = listed.map { .object(["line": .number(Double($0.line)), "column": .string($0.column), "reason": .string($0.reason)]) }
        let errors: [JSONValue] = listed.map { .object(["field": .string("line \($0.line), column \($0.column)"), "reason": .string($0.reason)]) }
        return Problem(status: .unprocessableContent, slug: "validation", title: "Validation failed",
                       detail: "The upload of \(symbol) has \(issues.count) problems on \(lines) lines; nothing was stored.",
                       extensions: ["errors": .array(errors), "rows": .array(rows), "bad_rows": .number(Double(lines)),
                                    "problems": .number(Double(issues.count))])
    }
}

/// The time each step of a request took, for a log line about a slow one.
struct StepTimer: CustomStringConvertible {
    private let start = ContinuousClock.now
    private var last = ContinuousClock.now
    private var steps: [(String, Duration)] = []

    /// Ends the step called `name`.
    mutating func mark(_ name: String) {
        let now = ContinuousClock.now
        steps.append((name, now - last))
        last = now
    }

    var total: Duration { ContinuousClock.now - start }

    /// `body=12 validate=80 …` in milliseconds.
    var description: String {
        steps.map { "\($0.0)=\(Int($0.1.inSeconds * 1000))" }.joined(separator: " ")
    }
}
