import AsyncHTTPClient
import BourseTesting
import Foundation
import ServiceKit
@testable import ETL

/// Recorded provider payloads in Tests/ETLTests/Fixtures (excluded from the target, read from the source tree).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let prices = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/prices")

    static func data(_ path: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(path))
    }

    static func price(_ file: String) throws -> Data {
        try Data(contentsOf: prices.appendingPathComponent(file))
    }

    /// A fetcher for parser tests: parsing never touches the network, so the shared client is never used.
    static var fetcher: HTTPFetcher {
        HTTPFetcher(client: ServiceClient(http: HTTPClient.shared), logger: TestSupport.logger)
    }
}

extension ParsedSeries {
    var dates: [String] { bars.map(\.bar.date) }
}
