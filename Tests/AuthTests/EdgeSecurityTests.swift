import Crypto
import Foundation
import NIOHTTP1
import Testing
import ServiceKit
@testable import Gateway

/// Every bad token the auth issue lists, forged and sent through the live gateway: each one is a 401 with a
/// `WWW-Authenticate` challenge, and the same claims with a proper signature pass (so each test isolates its defect).
@Suite(.serialized) struct EdgeSecurityTests {
    let route = "/api/v1/data/instruments"

    func expectRefused(_ platform: Platform, _ token: String, _ why: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reply = try await platform.call(.GET, route, token: token)
        #expect(reply.status == 401, "\(why): \(reply.text)", sourceLocation: sourceLocation)
        let challenge = reply.headers.first(name: "WWW-Authenticate") ?? ""
        #expect(challenge.hasPrefix("Bearer realm=\"bourse\""), "\(why): \(challenge)", sourceLocation: sourceLocation)
        #expect(reply.headers.first(name: "Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
    }

    @Test func everyForgedOrBrokenTokenIsRefusedWith401AndAChallenge() async throws {
        try await Platform.run { platform in
            let forge = try await TokenForge.load(from: platform.authDatabase)
            // The control: the forge's own, correct token passes (otherwise every refusal below proves nothing).
            let valid = try forge.sign(forge.claims())
            #expect(try await platform.call(.GET, route, token: valid).status == 200)

            let missing = try await platform.call(.GET, route)
            #expect(missing.status == 401)
            #expect(missing.headers.first(name: "WWW-Authenticate") == "Bearer realm=\"bourse\"")

            try await expectRefused(platform, "not-a-jwt", "malformed")
            try await expectRefused(platform, "e30.e30.e30", "no alg")
            try await expectRefused(platform, valid + "x", "tampered signature")
            let parts = valid.split(separator: ".")
            let otherPayload = try TokenForge.encode(forge.claims(scope: "admin"))
            try await expectRefused(platform, "\(parts[0]).\(otherPayload).\(parts[2])", "payload swapped under a valid signature")
            try await expectRefused(platform, try forge.sign(forge.claims { $0.exp = Date().timeIntervalSince1970 - 60 }), "expired")
            try await expectRefused(platform, try forge.sign(forge.claims { $0.nbf = Date().timeIntervalSince1970 + 600 }), "not yet valid")
            try await expectRefused(platform, try forge.sign(forge.claims { $0.iat = Date().timeIntervalSince1970 + 600 }), "issued in the future")
            try await expectRefused(platform, try forge.sign(forge.claims { $0.iss = "https://evil.example" }), "wrong issuer")
            try await expectRefused(platform, try forge.sign(forge.claims { $0.aud = ["another-api"] }), "wrong audience")
            try await expectRefused(platform, try forge.unsigned(forge.claims()), "alg none")
            try await expectRefused(platform, try forge.hmacWithPublicKey(forge.claims()), "HS256 keyed with the public key")
            try await expectRefused(platform, try forge.sign(forge.claims(), kid: .some("k-unknown")), "unknown kid")
            try await expectRefused(platform, try forge.sign(forge.claims(), kid: .some(.none)), "no kid")
            try await expectRefused(platform, try forge.sign(forge.claims(), with: P256.Signing.PrivateKey()), "signed by another key")
            let basic = try await platform.call(.GET, route, headers: [("Authorization", "Basic YWRtaW46YWRtaW4=")])
            #expect(basic.status == 401)
        }
    }

    @Test func aRevokedTokenIsRefusedAfterLogoutAndItsRefreshTokenNoLongerWorks() async throws {
        try await Platform.run { platform in
            let tokens = try await platform.user("rita", roles: ["viewer"])
            #expect(try await platform.call(.GET, route, token: tokens.access).status == 200)
            #expect(try await platform.call(.POST, "/api/v1/auth/logout", token: tokens.access).status == 204)
            // This gateway saw the logout: refused at once.
            try await expectRefused(platform, tokens.access, "logged out")
            let refresh = try await platform.call(.POST, "/api/v1/auth/refresh", json: ["refresh_token": tokens.refresh])
            #expect(refresh.status == 401)
        }
    }

    @Test func aTokenRevokedThroughAnotherGatewayIsRefusedOnceTheFeedIsRead() async throws {
        try await Platform.run { platform in
            let tokens = try await platform.user("otto", roles: ["viewer"])
            #expect(try await platform.call(.GET, route, token: tokens.access).status == 200)
            // Logout straight at the auth service (as through another gateway replica): this gateway did not see it.
            let claims = try await platform.gateway.authenticator.verifier.verify(tokens.access)
            var request = HTTPFieldsBuilder.signed(method: "POST", target: "/api/v1/auth/logout", principal: claims, secret: Platform.secret)
            request.append(("Content-Length", "0"))
            #expect(try await platform.call(.POST, "/api/v1/auth/logout", headers: request, port: platform.authPort).status == 204)
            await platform.syncRevocations()
            try await expectRefused(platform, tokens.access, "revoked elsewhere")
        }
    }

    @Test func identityHeadersSentByAClientAreIgnored() async throws {
        try await Platform.run { platform in
            let viewer = try await platform.user("vera", roles: ["viewer"])
            let spoofed = [("X-Bourse-Subject", "admin-id"), ("X-Bourse-Scopes", "admin portfolio:write"), ("X-Bourse-Principal", "user"),
                           ("X-Bourse-Credential-Id", "x"), ("X-Bourse-Roles", "admin")]
            // Without a token the spoofed identity does not authenticate anyone.
            #expect(try await platform.call(.GET, "/api/v1/portfolio/positions", headers: spoofed).status == 401)
            // With a viewer's token the viewer's identity, not the spoofed one, reaches the service and decides.
            #expect(try await platform.call(.POST, "/api/v1/portfolio/orders", token: viewer.access, headers: spoofed).status == 403)
            let read = try await platform.call(.GET, "/api/v1/portfolio/positions", token: viewer.access, headers: spoofed)
            #expect(read.status == 200)
            #expect(!read.text.hasPrefix("admin-id"))
            #expect(!read.text.contains("portfolio:write"))
            // The service sees the identity the token proved, never the token itself.
            #expect(!read.text.contains("credential-forwarded"))
        }
    }

    @Test func aRequestStraightToAServiceWithoutTheInternalCredentialIsRefused() async throws {
        try await Platform.run { platform in
            let admin = try await platform.adminTokens()
            let direct = try await platform.call(.GET, "/api/v1/data/instruments", token: admin.access, port: platform.dataPort)
            #expect(direct.status == 401)
            #expect(direct.headers.first(name: "WWW-Authenticate") == "Bourse-Internal")
            // Forged identity headers with a credential made for another identity are refused too.
            let viewer = Principal(subject: "v", username: "v", roles: ["viewer"], scopes: ["data:read"], kind: .user, credentialID: "j")
            var headers = HTTPFieldsBuilder.signed(method: "GET", target: "/api/v1/data/instruments", principal: viewer, secret: Platform.secret)
            headers = headers.map { $0.0 == "X-Bourse-Scopes" ? ($0.0, "admin") : $0 }
            #expect(try await platform.call(.GET, "/api/v1/data/instruments", headers: headers, port: platform.dataPort).status == 401)
            // The same request, unaltered, passes: the refusal above is about the alteration.
            let honest = HTTPFieldsBuilder.signed(method: "GET", target: "/api/v1/data/instruments", principal: viewer, secret: Platform.secret)
            #expect(try await platform.call(.GET, "/api/v1/data/instruments", headers: honest, port: platform.dataPort).status == 200)
        }
    }
}

/// Headers a peer service would send: the identity and an internal credential that signs it.
enum HTTPFieldsBuilder {
    static func signed(method: String, target: String, principal: Principal, secret: String) -> [(String, String)] {
        var headers = principal.headerFields
        headers.append((InternalCredential.headerName,
                        InternalCredential(secret: secret).token(method: method, target: target, identity: principal.signedText)))
        return headers
    }
}
