import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A provider on loopback for tests of fetching: answers each request with the next scripted reply (the last
/// one repeats) and counts the requests and the times they arrived.
actor ProviderScript {
    struct Reply: Sendable {
        var status: HTTPResponse.Status = .ok
        var headers: HTTPFields = [:]
        var body: String
    }

    private var replies: [Reply]
    private(set) var requests: [(uri: String, at: ContinuousClock.Instant)] = []

    init(_ replies: [Reply]) {
        self.replies = replies
    }

    func next(uri: String) -> Reply {
        requests.append((uri, .now))
        return replies.count > 1 ? replies.removeFirst() : replies[0]
    }

    var count: Int { requests.count }
}

enum ProviderStub {
    /// Runs a real HTTP server on a loopback port answering every path from `script`, and hands its base URL to `body`.
    static func run<R: Sendable>(_ script: ProviderScript, _ body: @escaping @Sendable (String) async throws -> R) async throws -> R {
        let router = Router()
        router.get("**") { request, _ -> Response in
            let reply = await script.next(uri: request.uri.description)
            return Response(status: reply.status, headers: reply.headers, body: .init(byteBuffer: ByteBuffer(string: reply.body)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: TestSupport.logger)
        return try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)")
        }
    }
}
