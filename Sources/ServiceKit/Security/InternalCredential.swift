import Crypto
import Foundation
import HTTPTypes

/// Proof that a request comes from the gateway or a peer service: an HMAC-SHA256, under the platform's
/// shared secret (`internal.secret`), of the method, the request target, the caller's identity headers
/// (``Principal/signedText``) and the time, valid for a minute.
///
/// Binding the method, target and identity means a captured credential cannot be replayed against another route
/// or with another identity, and the short validity bounds replay of the same one. `bourse up` makes a fresh secret at every start and hands it to
/// its children in the environment; on Kubernetes it is a Secret mounted as `BOURSE_INTERNAL_SECRET`.
public struct InternalCredential: Sendable {
    public static let header = HTTPField.Name("X-Bourse-Internal")!
    public static let headerName = "X-Bourse-Internal"
    public static let maxAge: TimeInterval = 60

    private let key: SymmetricKey

    public init(secret: String) {
        key = SymmetricKey(data: SHA256.hash(data: Data(secret.utf8)))
    }

    /// A new random secret (256 bits, hex).
    public static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    /// The header value for a request with this method, target (`/path?query`) and identity (`""` for none).
    public func token(method: String, target: String, identity: String = "", now: Date = Date()) -> String {
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded())
        return "v1.\(millis).\(signature(method: method, target: target, identity: identity, millis: millis))"
    }

    /// Whether `token` was made with this secret for this method and target within the last minute
    /// (a few seconds of clock skew into the future are tolerated).
    public func verify(_ token: String, method: String, target: String, identity: String = "", now: Date = Date()) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let millis = Int64(parts[1]) else { return false }
        let age = now.timeIntervalSince1970 - Double(millis) / 1000
        guard age <= Self.maxAge, age >= -5 else { return false }
        let expected = signature(method: method, target: target, identity: identity, millis: millis)
        return constantTimeEqual(Array(expected.utf8), Array(parts[2].utf8))
    }

    private func signature(method: String, target: String, identity: String, millis: Int64) -> String {
        let message = "v1\n\(millis)\n\(method)\n\(target)\n\(identity)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)
        return mac.hexString
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
