import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit
import Synchronization

/// Encoded bar responses by query, each tagged with the symbol's bar version (``BarStore/version(of:)``) it
/// was built from: a request whose symbol still has that version is answered from memory, without reading or
/// encoding a bar. Bounded by bytes; the oldest entries go first.
final class BarResponseCache: Sendable {
    struct Entry: Sendable {
        let version: Int64
        let body: ByteBuffer
        let etag: String
        let contentType: String
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var bytes = 0
    }

    private let state = Mutex(State())
    let capacityBytes: Int

    init(capacityBytes: Int = 64 << 20) {
        self.capacityBytes = capacityBytes
    }

    func get(_ key: String, version: Int64) -> Entry? {
        state.withLock { state in
            guard let entry = state.entries[key], entry.version == version else { return nil }
            return entry
        }
    }

    func put(_ key: String, _ entry: Entry) {
        guard entry.body.readableBytes <= capacityBytes / 4 else { return }
        state.withLock { state in
            if let old = state.entries.updateValue(entry, forKey: key) {
                state.bytes -= old.body.readableBytes
            } else {
                state.order.append(key)
            }
            state.bytes += entry.body.readableBytes
            while state.bytes > capacityBytes, !state.order.isEmpty {
                let victim = state.order.removeFirst()
                if let removed = state.entries.removeValue(forKey: victim) { state.bytes -= removed.body.readableBytes }
            }
        }
    }

    /// The same tag `ConditionalResponse` computes (SHA-256 of the body), computed once per cached body.
    static func etag(of body: ByteBuffer) -> String {
        ConditionalResponse.etag(of: body)
    }
}

/// A response from a cache entry: `ETag`, `Cache-Control`, and 304 when `If-None-Match` names the tag.
struct CachedBarResponse: ResponseGenerator {
    let entry: BarResponseCache.Entry
    let cacheControl: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.eTag: entry.etag, .cacheControl: cacheControl]
        if let match = request.headers[.ifNoneMatch],
           match.split(separator: ",").contains(where: { let t = $0.trimmingCharacters(in: .whitespaces); return t == entry.etag || t == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = entry.contentType
        headers[.contentLength] = String(entry.body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: entry.body))
    }
}
