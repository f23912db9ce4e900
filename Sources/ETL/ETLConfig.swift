import Logging
import ServiceKit

/// The `etl` service's configuration keys (documented here once; `bourse config` prints them).
public enum ETLKeys {
    public static let stooqURL = ConfigKey("etl.stooq_url", .url(schemes: ["http", "https"]), default: "https://stooq.com/q/d/l/",
                                           help: "Stooq's daily CSV download endpoint.")
    public static let yahooURL = ConfigKey("etl.yahoo_url", .url(schemes: ["http", "https"]), default: "https://query1.finance.yahoo.com/v8/finance/chart/",
                                           help: "Yahoo Finance's chart API; the symbol is appended.")
    public static let alphaVantageURL = ConfigKey("etl.alpha_vantage_url", .url(schemes: ["http", "https"]), default: "https://www.alphavantage.co/query",
                                                  help: "Alpha Vantage's query endpoint.")
    public static let alphaVantageKey = ConfigKey("etl.alpha_vantage_key", .string, default: nil, secret: true,
                                                  help: "Alpha Vantage API key; without it the alphavantage source is refused.")
    public static let fredURL = ConfigKey("etl.fred_url", .url(schemes: ["http", "https"]), default: "https://api.stlouisfed.org/fred/series/observations",
                                          help: "FRED's series observations endpoint.")
    public static let fredKey = ConfigKey("etl.fred_key", .string, default: nil, secret: true,
                                          help: "FRED API key; without it the fred source is refused.")
    public static let worldBankURL = ConfigKey("etl.worldbank_url", .url(schemes: ["http", "https"]), default: "https://api.worldbank.org/v2/country/",
                                               help: "The World Bank's country API; `<country>/indicator/<id>` is appended.")
    public static let httpTimeout = ConfigKey("etl.http_timeout_seconds", .seconds(0.1...600), default: "30",
                                              help: "Deadline of one request to a provider.")
    public static let httpAttempts = ConfigKey("etl.http_max_attempts", .integer(1...20), default: "4",
                                               help: "Requests per fetch on 429, 5xx or a network failure, the first included.")
    public static let httpBackoff = ConfigKey("etl.http_backoff_seconds", .seconds(0...600), default: "0.5",
                                              help: "First retry delay of a fetch (doubled per retry, jittered) when there is no Retry-After.")
    public static let httpMaxRetryAfter = ConfigKey("etl.http_max_retry_after_seconds", .seconds(0...3600), default: "60",
                                                    help: "Longest Retry-After waited for within a fetch; longer ones reschedule the item.")
    public static let itemAttempts = ConfigKey("etl.item_max_attempts", .integer(1...100), default: "5",
                                               help: "Attempts of one symbol of a job before it fails (rate limits and outages).")
    public static let itemBackoff = ConfigKey("etl.item_backoff_seconds", .seconds(0...86_400), default: "10",
                                              help: "Delay before an item's first retry; doubled per retry (at least the provider's Retry-After).")
    public static let itemLease = ConfigKey("etl.item_lease_seconds", .seconds(1...86_400), default: "120",
                                            help: "How long a worker owns a claimed item; after that (the process died) another worker resumes it.")
    public static let workerConcurrency = ConfigKey("etl.worker_concurrency", .integer(1...64), default: "4",
                                                    help: "Items processed at once by one etl process.")
    public static let pollInterval = ConfigKey("etl.poll_seconds", .seconds(0.01...60), default: "0.5",
                                               help: "How often the worker looks for due items queued by other processes.")
    public static let batchBars = ConfigKey("etl.batch_bars", .integer(1...BarsCollectedEvent.maxBarsPerBatch), default: "5000",
                                            help: "Bars per etl.bars.collected event.")
    public static let holidays = ConfigKey("etl.holidays", .string, default: "",
                                           help: "Comma-separated YYYY-MM-DD weekdays without trading, excluded from gap detection.")
    public static let outlierZ = ConfigKey("etl.outlier_z", .number(1...1000), default: "6",
                                           help: "|z-score| (1 to 1000) of a daily log return above which it is an outlier.")
    public static let staleRun = ConfigKey("etl.stale_run", .integer(2...10_000), default: "5",
                                           help: "Consecutive bars with identical OHLC that count as stale prices.")

    public static let all: [ConfigKey] = [
        stooqURL, yahooURL, alphaVantageURL, alphaVantageKey, fredURL, fredKey, worldBankURL, httpTimeout, httpAttempts, httpBackoff,
        httpMaxRetryAfter, itemAttempts, itemBackoff, itemLease, workerConcurrency, pollInterval, batchBars, holidays, outlierZ, staleRun,
    ]
}

/// The settings the service derives from its configuration, read once at start.
struct ETLSettings: Sendable {
    let quality: QualitySettings
    let retry: RetryPolicy
    let itemAttempts: Int
    let itemBackoff: Duration
    let itemLease: Duration
    let concurrency: Int
    let pollInterval: Duration
    let batchBars: Int
    let dataDir: String

    init(_ configuration: Configuration) throws {
        let (calendar, invalid) = TradingCalendar.parse(configuration.string(ETLKeys.holidays) ?? "")
        guard invalid.isEmpty else {
            throw ConfigurationError(key: ETLKeys.holidays.name, value: configuration.string(ETLKeys.holidays) ?? "",
                                     source: configuration.entries[ETLKeys.holidays.name]?.source ?? .default,
                                     reason: "not YYYY-MM-DD: \(invalid.joined(separator: ", "))")
        }
        quality = QualitySettings(outlierZ: configuration.number(ETLKeys.outlierZ), staleRun: configuration.int(ETLKeys.staleRun), calendar: calendar)
        retry = RetryPolicy(maxAttempts: configuration.int(ETLKeys.httpAttempts), initialBackoff: configuration.seconds(ETLKeys.httpBackoff),
                            timeout: configuration.seconds(ETLKeys.httpTimeout), maxRetryAfter: configuration.seconds(ETLKeys.httpMaxRetryAfter))
        itemAttempts = configuration.int(ETLKeys.itemAttempts)
        itemBackoff = configuration.seconds(ETLKeys.itemBackoff)
        itemLease = configuration.seconds(ETLKeys.itemLease)
        concurrency = configuration.int(ETLKeys.workerConcurrency)
        pollInterval = configuration.seconds(ETLKeys.pollInterval)
        batchBars = configuration.int(ETLKeys.batchBars)
        dataDir = configuration.string(.dataDir) ?? "./data"
    }
}

/// Every connector of the service, by source name.
struct ConnectorSet: Sendable {
    let all: [String: any Connector]

    init(configuration: Configuration, client: ServiceClient, retry: RetryPolicy, logger: Logger) {
        let fetcher = HTTPFetcher(client: client, policy: retry, logger: logger)
        func url(_ key: ConfigKey) -> String { configuration.string(key) ?? key.defaultValue ?? "" }
        let connectors: [any Connector] = [
            StooqConnector(baseURL: url(ETLKeys.stooqURL), fetcher: fetcher),
            YahooConnector(baseURL: url(ETLKeys.yahooURL), fetcher: fetcher),
            AlphaVantageConnector(baseURL: url(ETLKeys.alphaVantageURL), apiKey: configuration.string(ETLKeys.alphaVantageKey), fetcher: fetcher),
            FREDConnector(baseURL: url(ETLKeys.fredURL), apiKey: configuration.string(ETLKeys.fredKey), fetcher: fetcher),
            WorldBankConnector(baseURL: url(ETLKeys.worldBankURL), fetcher: fetcher),
            SyntheticConnector(), CSVUploadConnector(),
        ]
        all = Dictionary(uniqueKeysWithValues: connectors.map { ($0.source, $0) })
    }

    subscript(source: String) -> (any Connector)? { all[source] }

    /// The configuration key a source needs and lacks, if any.
    static func missingKey(for source: String, in configuration: Configuration) -> ConfigKey? {
        let key: ConfigKey? = source == "alphavantage" ? ETLKeys.alphaVantageKey : source == "fred" ? ETLKeys.fredKey : nil
        guard let key, (configuration.string(key) ?? "").isEmpty else { return nil }
        return key
    }
}
