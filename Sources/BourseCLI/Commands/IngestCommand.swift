import ArgumentParser
import AsyncHTTPClient
import ETL
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Quant
import ServiceKit

/// `bourse ingest`: feeds the running platform through the gateway (the `etl` service's jobs) and follows the jobs
/// with a progress bar on stderr.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Load price history into the running platform through the gateway.",
        subcommands: [IngestCSVCommand.self, IngestSyntheticCommand.self])
}

/// Where the platform is and who is calling.
struct GatewayOptions: ParsableArguments {
    @Option(help: "The gateway's URL.") var gateway: String = "http://127.0.0.1:8080"
    @Option(help: "Access token or API key sent as Authorization: Bearer (default: $BOURSE_TOKEN).") var token: String?

    var headers: [(String, String)] {
        let token = token ?? ProcessInfo.processInfo.environment["BOURSE_TOKEN"]
        return token.map { [("Authorization", "Bearer \($0)")] } ?? []
    }
}

struct IngestCSVCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv",
        abstract: "Upload price files (Date,Open,High,Low,Close,Adj Close,Volume), one job per file.",
        discussion: "Without --symbol, each file's symbol is the start of its name up to the first '-' or '.' (orcl-1995-2014.csv → ORCL).")

    @Option(help: "The symbol of every file.") var symbol: String?
    @Argument(help: "CSV files.") var files: [String]
    @OptionGroup var gateway: GatewayOptions

    func run() async throws {
        try await IngestSession.with(gateway) { session in
            var jobs: [String] = []
            var refused = 0
            for file in files {
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                let name = URL(fileURLWithPath: file).lastPathComponent
                let sym = symbol ?? String(name.prefix { $0 != "-" && $0 != "." }).uppercased()
                let query = sym.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? sym
                let reply = try await session.send(.POST, "/api/v1/etl/collect/csv?symbol=\(query)", body: ByteBuffer(data: data), contentType: "text/csv")
                if reply.status == 202, let id = IngestSession.jobID(reply) {
                    jobs.append(id)
                } else {
                    refused += 1
                    IngestSession.report("\(file) (\(sym)) refused", reply)
                }
            }
            let ok = try await session.follow(jobs)
            if refused > 0 || !ok { throw ExitCode(1) }
        }
    }
}

struct IngestSyntheticCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthetic", abstract: "Generate deterministic GBM series (weekdays) for N symbols over the last Y years.")

    @Option(help: "How many symbols (named <prefix>0001, <prefix>0002, …).") var symbols: Int
    @Option(help: "Years of history up to today.") var years: Int
    @Option(help: "Seed: the same seed gives the same series.") var seed: UInt64 = 1
    @Option(help: "Symbol prefix.") var prefix: String = "SYN"
    @OptionGroup var gateway: GatewayOptions

    func validate() throws {
        guard (1...100_000).contains(symbols) else { throw ValidationError("--symbols must be 1 to 100000") }
        guard (1...100).contains(years) else { throw ValidationError("--years must be 1 to 100") }
    }

    struct Body: Encodable, Sendable {
        let symbols: [String]
        let from: String
        let to: String
        let options: [String: String]
    }

    func run() async throws {
        let today = Int(Date().timeIntervalSince1970 / 86_400)
        let from = Resampler.isoDate(daysSinceEpoch: today - years * 365 - years / 4)
        let to = Resampler.isoDate(daysSinceEpoch: today)
        let width = max(4, String(symbols).count)
        let names = (1...symbols).map { prefix.uppercased() + String(repeating: "0", count: width - String($0).count) + String($0) }
        try await IngestSession.with(gateway) { session in
            var jobs: [String] = []
            // The etl service takes at most 500 symbols per job.
            for start in stride(from: 0, to: names.count, by: 500) {
                let chunk = Array(names[start..<min(start + 500, names.count)])
                let body = Body(symbols: chunk, from: from, to: to, options: ["seed": String(seed)])
                let reply = try await session.send(.POST, "/api/v1/etl/collect/synthetic", body: ByteBuffer(data: try JSONEncoder().encode(body)),
                                                   contentType: "application/json")
                guard reply.status == 202, let id = IngestSession.jobID(reply) else {
                    IngestSession.report("synthetic job refused", reply)
                    throw ExitCode(1)
                }
                jobs.append(id)
            }
            if !(try await session.follow(jobs)) { throw ExitCode(1) }
        }
    }
}

/// One HTTP client (ServiceKit's) for the command, the gateway's address and the caller's credentials.
struct IngestSession: Sendable {
    let client: ServiceClient
    let options: GatewayOptions

    struct Reply: Sendable {
        let status: Int
        let body: ByteBuffer
    }

    static func with(_ options: GatewayOptions, _ body: (IngestSession) async throws -> Void) async throws {
        let http = ServiceClient.makeHTTPClient()
        do {
            try await body(IngestSession(client: ServiceClient(http: http), options: options))
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    func send(_ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil, contentType: String? = nil) async throws -> IngestSession.Reply {
        var request = HTTPClientRequest(url: options.gateway.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = method
        for (name, value) in options.headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(body)
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        }
        let response = try await client.http.execute(request, timeout: .seconds(120))
        return Reply(status: Int(response.status.code), body: try await response.body.collect(upTo: 64 * 1024 * 1024))
    }

    static func jobID(_ reply: IngestSession.Reply) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(buffer: reply.body)) as? [String: Any])?["job_id"] as? String
    }

    /// Prints a refusal: the problem's detail and, for a 422, its bad rows.
    static func report(_ what: String, _ reply: IngestSession.Reply) {
        let problem = (try? JSONSerialization.jsonObject(with: Data(buffer: reply.body))) as? [String: Any]
        var text = "\(what): HTTP \(reply.status) \(problem?["detail"] as? String ?? String(buffer: reply.body).prefix(300).description)\n"
        for row in (problem?["rows"] as? [[String: Any]] ?? []).prefix(20) {
            text += "  line \(row["line"] ?? "?"), column \(row["column"] ?? "?"): \(row["reason"] ?? "")\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Polls the jobs until every one has finished, drawing a progress bar with rows/s on stderr; prints each job's
    /// outcome; returns whether all succeeded.
    func follow(_ jobs: [String]) async throws -> Bool {
        guard !jobs.isEmpty else { return false }
        let started = ContinuousClock.now
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let terminal = isatty(2) == 1
        var lastLine = ContinuousClock.now - .seconds(1)
        while true {
            var statuses: [JobStatus] = []
            for id in jobs {
                let reply = try await send(.GET, "/api/v1/etl/status/\(id)")
                guard reply.status == 200 else {
                    IngestSession.report("status of job \(id)", reply)
                    return false
                }
                statuses.append(try decoder.decode(JobStatus.self, from: Data(buffer: reply.body)))
            }
            let items = statuses.reduce(0) { $0 + $1.counts.items }
            let done = statuses.reduce(0) { $0 + $1.counts.succeeded + $1.counts.failed }
            let rows = statuses.reduce(0) { $0 + $1.counts.rows }
            let elapsed = ContinuousClock.now - started
            let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 0.001)
            let finished = statuses.allSatisfy { $0.state == .succeeded || $0.state == .failed }
            if terminal || finished || ContinuousClock.now - lastLine >= .seconds(1) {
                let filled = items == 0 ? 0 : done * 30 / items
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
                let line = String(format: "[%@] %d/%d series  %d rows  %.0f rows/s  %.1fs", bar, done, items, rows, Double(rows) / seconds, seconds)
                FileHandle.standardError.write(Data(((terminal ? "\r" : "") + line + (terminal && !finished ? "" : "\n")).utf8))
                lastLine = .now
            }
            if finished {
                for status in statuses {
                    let score = status.qualityScore.map { String(format: " quality %.1f", $0) } ?? ""
                    print("job \(status.id) \(status.state.rawValue): \(status.counts.succeeded) series, \(status.counts.bars) bars\(score)")
                    for error in status.errors { print("  \(error.symbol): \(error.message)") }
                }
                return statuses.allSatisfy { $0.state == .succeeded }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
