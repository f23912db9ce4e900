import Crypto
import Foundation
import JWTKit
import Logging
import SQLKit
import ServiceKit

/// The ES256 signing keys: the newest signs, and every key stays published in the JWKS until the last token it
/// signed has expired (retirement + access-token lifetime + leeway), so rotation never breaks a valid token.
///
/// Keys live in the auth database, so replicas share them; each replica reloads them every minute, and a
/// rotation by one replica reaches the others then.
actor KeyRing {
    struct Key {
        let kid: String
        let privateKey: P256.Signing.PrivateKey
        let createdAt: Int64
        let retiredAt: Int64?
    }

    let database: Database
    let rotationSeconds: Int64
    let accessTokenSeconds: Int64
    let logger: Logger
    private var keys: [Key] = []
    private var signer = JWTKeyCollection()

    init(database: Database, rotationSeconds: Int64, accessTokenSeconds: Int64, logger: Logger) {
        self.database = database
        self.rotationSeconds = rotationSeconds
        self.accessTokenSeconds = accessTokenSeconds
        self.logger = logger
    }

    /// Loads the keys, making a first one or rotating when the current one is older than the rotation period.
    func refresh(now: Int64 = Secrets.now()) async throws {
        try await load()
        if let current = keys.first(where: { $0.retiredAt == nil }), now - current.createdAt < rotationSeconds { return }
        try await rotate(now: now)
    }

    /// Retires the signing key and makes a new one (the old one stays published until its tokens expire).
    func rotate(now: Int64 = Secrets.now()) async throws {
        let key = P256.Signing.PrivateKey()
        let kid = "k" + String(now, radix: 36) + "-" + Secrets.random(bytes: 4)
        try await database.transaction { sql in
            try await sql.raw("UPDATE signing_keys SET retired_at = \(bind: now) WHERE retired_at IS NULL").run()
            try await sql.raw("""
                INSERT INTO signing_keys (kid, private_key_pem, created_at) VALUES (\(bind: kid), \(bind: key.pemRepresentation), \(bind: now))
                """).run()
            // Keys no token can still need are deleted, not just hidden.
            try await sql.raw("DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < \(bind: now - self.publishedSeconds)").run()
        }
        logger.info("signing key rotated", metadata: ["kid": .string(kid)])
        try await load()
    }

    /// How long a retired key stays in the JWKS.
    var publishedSeconds: Int64 { accessTokenSeconds + 60 }

    private func load() async throws {
        struct Row: Decodable { let kid: String; let private_key_pem: String; let created_at: Int64; let retired_at: Int64? }
        let rows = try await database.withSQL { sql in
            try await sql.raw("SELECT kid, private_key_pem, created_at, retired_at FROM signing_keys ORDER BY created_at DESC").all(decoding: Row.self)
        }
        keys = try rows.map { Key(kid: $0.kid, privateKey: try P256.Signing.PrivateKey(pemRepresentation: $0.private_key_pem),
                                  createdAt: $0.created_at, retiredAt: $0.retired_at) }
        let collection = JWTKeyCollection()
        if let current = keys.first(where: { $0.retiredAt == nil }) {
            await collection.add(ecdsa: try ES256PrivateKey(backing: current.privateKey), kid: JWKIdentifier(string: current.kid))
        }
        signer = collection
    }

    var currentKeyID: String? { keys.first { $0.retiredAt == nil }?.kid }

    /// The public keys a verifier needs now.
    func jwks(now: Int64 = Secrets.now()) -> JWKSDocument {
        JWKSDocument(keys: keys.filter { ($0.retiredAt ?? now) + publishedSeconds > now }.map { key in
            let raw = key.privateKey.publicKey.x963Representation  // 0x04 || X || Y
            return JWKSDocument.Key(kid: key.kid, x: Data(raw[1..<33]).base64URLString, y: Data(raw[33..<65]).base64URLString)
        })
    }

    struct NoSigningKey: Error {}

    func sign(_ claims: AccessClaims) async throws -> String {
        guard let kid = currentKeyID else { throw NoSigningKey() }
        var header = JWTHeader()
        header.typ = "JWT"
        return try await signer.sign(claims, kid: JWKIdentifier(string: kid), header: header)
    }
}
