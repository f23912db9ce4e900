import Foundation
import Testing
@testable import ServiceKit

/// The contract mechanism itself: drift detection, access rules derived from endpoints, the rendered document.
@Suite struct ContractMechanismTests {
    static let item = Endpoint(.get, "/api/v1/t/items/{id}", access: .scope("t:read"), summary: "One item.",
                               responses: [.json(.ok, "The item.", .object([.init("id", .string)]))], problems: [.notFound])
    static let me = Endpoint(.get, "/api/v1/t/items/me", access: .authenticated, summary: "Mine.", responses: [.empty(.noContent, "None.")])
    static let create = Endpoint(.post, "/api/v1/t/items", access: .scope("t:write"), summary: "Create.",
                                 body: .json(.object([.init("name", .string)], required: ["name"])), responses: [.empty(.created, "Created.")])

    @Test func aServedRouteMissingFromTheContractAndADeclaredRouteNothingServesAreBothReported() {
        let served = [ServiceRouter.Route(method: "GET", path: "/api/v1/t/items/{name}"), ServiceRouter.Route(method: "GET", path: "/api/v1/t/extra")]
        let differences = ContractCheck.differences(served: served, contract: [Self.item, Self.create])
        #expect(differences == ["served but not in the contract: GET /api/v1/t/extra",
                                "in the contract but not served: POST /api/v1/t/items"])
    }

    @Test func aRouteServedTwiceIsReported() {
        let route = ServiceRouter.Route(method: "GET", path: "/api/v1/t/items/{id}")
        #expect(ContractCheck.differences(served: [route, route], contract: [Self.item]) == ["served twice: GET /api/v1/t/items/{id}"])
    }

    @Test func literalSegmentsWinOverParametersWhateverTheDeclarationOrder() {
        let policy = AccessPolicy(endpoints: [Self.item, Self.me])
        #expect(policy.requirement(method: "GET", path: "/api/v1/t/items/me") == .authenticated)
        #expect(policy.requirement(method: "GET", path: "/api/v1/t/items/42") == .scope("t:read"))
        #expect(policy.requirement(method: "HEAD", path: "/api/v1/t/items/42") == .scope("t:read"))
        #expect(policy.requirement(method: "DELETE", path: "/api/v1/t/items/42") == nil)
    }

    @Test func problemAnswersFollowFromTheDeclaration() {
        #expect(Self.item.problemStatuses.map(\.code) == [400, 401, 403, 404, 429])
        #expect(Self.create.problemStatuses.map(\.code) == [400, 401, 403, 413, 415, 422, 429])
        let open = Endpoint(.get, "/health", access: .open, summary: "Alive.", responses: [.text(.ok, "Yes.")])
        #expect(open.problemStatuses.isEmpty)
    }

    @Test func theDocumentNamesSecurityProblemsAndReferencedComponents() throws {
        struct Thing: ContractSchema {
            static let contractSchema = SchemaComponent("Thing", .object([.init("n", .integer(minimum: 0)), .init("note", JSONSchema.string.orNull)]))
        }
        let get = Endpoint(.get, "/api/v1/t/things", access: .scope("t:read"), summary: "Things.",
                           parameters: [.query("limit", .integer(minimum: 1, maximum: 10))],
                           responses: [.json(.ok, "Things.", .array(.ref(Thing.self)))])
        let descriptor = ServiceDescriptor(name: "t", summary: "Test.", endpoints: [get])
        let yaml = OpenAPIDocument.render(descriptor)
        #expect(yaml.contains("\"$ref\": \"#/components/schemas/Thing\""))
        #expect(yaml.contains("\n    \"Thing\":\n"))
        #expect(yaml.contains("\"security\":\n        - \"bearer\":\n            - \"t:read\"\n"))
        #expect(yaml.contains("\"429\":\n          \"$ref\": \"#/components/responses/Problem\""))
        #expect(yaml.contains("\"note\":\n          \"type\":\n            - \"string\"\n            - \"null\""))
    }

    @Test func yamlStringsAreQuotedSoNoValueIsReadAsAnotherType() {
        let yaml = YAMLWriter.write(.object(["a": .string("yes"), "b": .string("1.0"), "c": .array([.string("x: y"), .number(2)]),
                                             "d": .object([:]), "e": .bool(true)]))
        #expect(yaml == """
            "a": "yes"
            "b": "1.0"
            "c":
              - "x: y"
              - 2
            "d": {}
            "e": true

            """)
    }
}
