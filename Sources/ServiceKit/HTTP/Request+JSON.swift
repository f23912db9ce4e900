import Foundation
import Hummingbird
import NIOFoundationCompat

extension Request {
    /// Decodes a JSON body, answering 400 with a problem that names the offending field
    /// (`/weight must be an integer`) and 413 past the body limit.
    public func decodeJSON<T: Decodable>(as type: T.Type, context: ServiceRequestContext) async throws -> T {
        let body = try await self.body.collect(upTo: context.maxUploadSize)
        guard body.readableBytes > 0 else { throw Problem.badRequest("The request needs a JSON body.") }
        let decoder = ServiceJSON.decoder()
        do {
            return try decoder.decode(T.self, from: body)
        } catch let error as DecodingError {
            throw Problem.badRequest("The request body is not valid: \(error.readableDescription)")
        }
    }
}
