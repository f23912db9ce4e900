import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import ServiceKit

@Suite struct InternalCredentialTests {
    let credential = InternalCredential(secret: "s3cret")

    @Test func aTokenVerifiesOnlyForItsMethodTargetSecretAndMinute() {
        let now = Date()
        let token = credential.token(method: "GET", target: "/api/v1/echo/context?x=1", now: now)
        #expect(credential.verify(token, method: "GET", target: "/api/v1/echo/context?x=1", now: now))
        #expect(credential.verify(token, method: "GET", target: "/api/v1/echo/context?x=1", now: now + 59))
        #expect(!credential.verify(token, method: "GET", target: "/api/v1/echo/context?x=1", now: now + 61))
        #expect(!credential.verify(token, method: "POST", target: "/api/v1/echo/context?x=1", now: now))
        #expect(!credential.verify(token, method: "GET", target: "/api/v1/echo/context?x=2", now: now))
        #expect(!InternalCredential(secret: "other").verify(token, method: "GET", target: "/api/v1/echo/context?x=1", now: now))
        #expect(!credential.verify("v1.garbage", method: "GET", target: "/", now: now))
        #expect(!credential.verify(token.replacingOccurrences(of: "v1.", with: "v2."), method: "GET", target: "/api/v1/echo/context?x=1", now: now))
    }

    @Test func randomSecretsAre256BitsAndDiffer() {
        let a = InternalCredential.randomSecret(), b = InternalCredential.randomSecret()
        #expect(a.count == 64 && b.count == 64 && a != b)
    }

    @Test func aServiceWithASecretRefusesRequestsWithoutTheCredentialButNotProbes() async throws {
        try await TestSupport.withService(EchoService.self, settings: ["internal.secret": "s3cret"]) { _, _, app in
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/echo/context", method: .get) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
                let forged = [HTTPField.Name("X-Bourse-Internal")!: "v1.1.deadbeef"]
                try await client.execute(uri: "/api/v1/echo/context", method: .get, headers: HTTPFields(forged.map { HTTPField(name: $0.key, value: $0.value) })) { response in
                    #expect(response.status == .unauthorized)
                }
                let token = credential.token(method: "GET", target: "/api/v1/echo/context")
                try await client.execute(uri: "/api/v1/echo/context", method: .get, headers: [InternalCredential.header: token]) { response in
                    #expect(response.status == .ok)
                }
                for probe in ["/health", "/health/detailed", "/metrics", "/openapi.yaml"] {
                    try await client.execute(uri: probe, method: .get) { #expect($0.status == .ok, "\(probe)") }
                }
                try await client.execute(uri: "/api/status/config", method: .get) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
    }
}
