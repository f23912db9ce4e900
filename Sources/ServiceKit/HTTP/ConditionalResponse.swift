import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A response whose body carries a strong `ETag` (SHA-256 of the bytes) and `Cache-Control`; a request whose
/// `If-None-Match` names that tag gets `304 Not Modified` with no body.
public struct ConditionalResponse: ResponseGenerator {
    let body: ByteBuffer
    let contentType: String
    let cacheControl: String

    public init(body: ByteBuffer, contentType: String, cacheControl: String = "private, max-age=30") {
        self.body = body
        self.contentType = contentType
        self.cacheControl = cacheControl
    }

    public static func etag(of body: ByteBuffer) -> String {
        let digest = SHA256.hash(data: body.readableBytesView)
        return "\"" + digest.prefix(16).hexString + "\""
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let tag = Self.etag(of: body)
        var headers: HTTPFields = [.eTag: tag, .cacheControl: cacheControl]
        if let match = request.headers[.ifNoneMatch],
           match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = contentType
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
