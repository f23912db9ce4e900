import AsyncHTTPClient
import BourseTesting
import Foundation
import HTTPTypes
import ServiceKit
import Testing
@testable import ETL

/// The connectors' HTTP behaviour against a real server on loopback: retries with backoff on 429/5xx, Retry-After
/// honoured, client errors not retried, and a connector reading the final answer.
@Suite struct FetcherRetryTests {
    static let csv = "Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n"

    func withFetcher<R: Sendable>(_ policy: ETL.RetryPolicy, _ body: @escaping @Sendable (HTTPFetcher) async throws -> R) async throws -> R {
        let http = ServiceClient.makeHTTPClient()
        do {
            let result = try await body(HTTPFetcher(client: ServiceClient(http: http), policy: policy, logger: TestSupport.logger))
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    static let fast = ETL.RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(200), timeout: .seconds(5),
                                  maxRetryAfter: .seconds(5))

    @Test func serverErrorsAndTooManyRequestsAreRetriedUntilTheProviderAnswers() async throws {
        let script = ProviderScript([.init(status: .serviceUnavailable, body: "down"), .init(status: .badGateway, body: "down"),
                                     .init(status: .tooManyRequests, body: "slow down"), .init(body: Self.csv)])
        let parsed = try await ProviderStub.run(script) { base in
            try await withFetcher(Self.fast) { fetcher in
                let stooq = StooqConnector(baseURL: base + "/q/d/l/", fetcher: fetcher)
                let payload = try await stooq.fetch(FetchRequest(symbol: "ibm.us"))
                return try stooq.parse(payload.data, request: FetchRequest(symbol: "ibm.us"))
            }
        }
        #expect(parsed.bars.count == 1)
        #expect(await script.count == 4)
        #expect(await script.requests.first?.uri == "/q/d/l/?s=ibm.us&i=d")
    }

    @Test func theDelayBetweenAttemptsGrowsExponentially() async throws {
        let script = ProviderScript([.init(status: .internalServerError, body: "e"), .init(status: .internalServerError, body: "e"),
                                     .init(status: .internalServerError, body: "e"), .init(body: Self.csv)])
        let policy = ETL.RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(200), maxBackoff: .seconds(5), timeout: .seconds(5))
        try await ProviderStub.run(script) { base in
            try await withFetcher(policy) { fetcher in _ = try await fetcher.get(base + "/x", accept: "*/*") }
        }
        let times = await script.requests.map(\.at)
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        // Equal jitter: the n-th wait lies in [b·2ⁿ⁻¹/2, b·2ⁿ⁻¹] for b = 200 ms.
        #expect(gaps.count == 3)
        #expect(gaps[0] >= .milliseconds(100) && gaps[1] >= .milliseconds(200) && gaps[2] >= .milliseconds(400))
    }

    @Test func retryAfterIsHonoured() async throws {
        let script = ProviderScript([.init(status: .tooManyRequests, headers: [.retryAfter: "1"], body: "wait"), .init(body: Self.csv)])
        let started = ContinuousClock.now
        let reply = try await ProviderStub.run(script) { base in
            try await withFetcher(Self.fast) { fetcher in try await fetcher.get(base + "/x", accept: "text/csv") }
        }
        #expect(reply.status == 200)
        #expect(ContinuousClock.now - started >= .seconds(1))
        #expect(await script.count == 2)
    }

    @Test func aRetryAfterBeyondTheLimitEndsTheFetchWithTheDelayForTheJob() async throws {
        let script = ProviderScript([.init(status: .tooManyRequests, headers: [.retryAfter: "120"], body: "wait")])
        await #expect {
            try await ProviderStub.run(script) { base in
                try await withFetcher(Self.fast) { fetcher in _ = try await fetcher.get(base + "/x", accept: "*/*") }
            }
        } throws: { error in
            (error as? ConnectorError) == ConnectorError(.rateLimited, (error as? ConnectorError)?.message ?? "", retryAfter: .seconds(120))
        }
        #expect(await script.count == 1)
    }

    @Test func persistentFailureGivesUpAfterTheAttemptsAsUnavailable() async throws {
        let script = ProviderScript([.init(status: .serviceUnavailable, body: "down")])
        await #expect {
            try await ProviderStub.run(script) { base in
                try await withFetcher(Self.fast) { fetcher in _ = try await fetcher.get(base + "/x", accept: "*/*") }
            }
        } throws: { error in (error as? ConnectorError)?.kind == .unavailable }
        #expect(await script.count == 4)
    }

    @Test func clientErrorsAreNotRetriedAndCarryTheProvidersMessage() async throws {
        let body = try String(decoding: Fixture.data("fred/error_api_key.json"), as: UTF8.self)
        let script = ProviderScript([.init(status: .badRequest, body: body)])
        await #expect {
            try await ProviderStub.run(script) { base in
                try await withFetcher(Self.fast) { fetcher in
                    _ = try await FREDConnector(baseURL: base + "/fred/series/observations", apiKey: "SECRETKEY", fetcher: fetcher)
                        .fetch(FetchRequest(symbol: "DGS10"))
                }
            }
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.kind == .rejected && error.message.contains("not registered") && !error.message.contains("SECRETKEY")
        }
        #expect(await script.count == 1)
        #expect(await script.requests.first?.uri.contains("api_key=SECRETKEY") == true)
    }

    @Test func aRefusedConnectionIsRetriedThenReportedWithoutTheKey() async throws {
        // Port 9 (discard) is closed on loopback: every attempt is refused.
        await #expect {
            try await withFetcher(ETL.RetryPolicy(maxAttempts: 2, initialBackoff: .milliseconds(10), timeout: .seconds(2))) { fetcher in
                _ = try await fetcher.get("http://127.0.0.1:9/query?apikey=SECRETKEY", accept: "*/*")
            }
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.kind == .unavailable && !error.message.contains("SECRETKEY")
        }
    }

    @Test func aNotFoundCarriesTheProvidersErrorWhenItHasOneAndTheStatusOtherwise() async throws {
        let body = try String(decoding: Fixture.data("yahoo/chart_not_found.json"), as: UTF8.self)
        let script = ProviderScript([.init(status: .notFound, body: body), .init(status: .notFound, body: "<html>not here</html>")])
        try await ProviderStub.run(script) { base in
            try await withFetcher(Self.fast) { fetcher in
                let yahoo = YahooConnector(baseURL: base + "/v8/finance/chart/", fetcher: fetcher)
                for expected in ["No data found, symbol may be delisted", "Yahoo answered HTTP 404"] {
                    do {
                        _ = try await yahoo.fetch(FetchRequest(symbol: "ZZZZ"))
                        Issue.record("a 404 was fetched as data")
                    } catch let error as ConnectorError {
                        #expect(error.kind == .rejected && error.message.contains(expected), "\(error)")
                    }
                }
            }
        }
        #expect(await script.requests.first?.uri.hasPrefix("/v8/finance/chart/ZZZZ?period1=0&period2=") == true)
    }
}
