import Testing
@testable import ServiceKit

/// Route patterns of access rules: literal segments, `{name}` for one segment, a final `**` for any rest.
@Suite struct AccessPolicyTests {
    let policy = AccessPolicy(rules: [
        .init("GET", "/api/v1/data/market/{symbol}/latest", .open),
        .init("GET", "/api/v1/data/market/{symbol}", .authenticated),
        .init(nil, "/api/v1/data/admin/**", .scope("admin")),
        .init(nil, "/api/v1/data/**", .scope("data:read")),
    ])

    @Test func theFirstMatchingRuleDecides() {
        #expect(policy.requirement(method: "GET", path: "/api/v1/data/market/ORCL/latest") == .open)
        #expect(policy.requirement(method: "GET", path: "/api/v1/data/market/ORCL") == .authenticated)
        #expect(policy.requirement(method: "GET", path: "/api/v1/data/market/ORCL/bars") == .scope("data:read"))
        #expect(policy.requirement(method: "POST", path: "/api/v1/data/market/ORCL") == .scope("data:read"))
        #expect(policy.requirement(method: "DELETE", path: "/api/v1/data/admin/cache/all") == .scope("admin"))
    }

    @Test func headIsGovernedByTheGetRules() {
        #expect(policy.requirement(method: "HEAD", path: "/api/v1/data/market/ORCL/latest") == .open)
    }

    @Test func segmentsMustMatchWholeAndEmptySegmentsAreIgnored() {
        #expect(policy.requirement(method: "GET", path: "/api/v1/data/market/ORCL/latestx") == .scope("data:read"))
        #expect(policy.requirement(method: "GET", path: "//api/v1//data/market/ORCL/latest/") == .open)
        #expect(policy.requirement(method: "GET", path: "/api/v1/datax/market/ORCL") == nil)
        #expect(policy.requirement(method: "GET", path: "/api/v1/data") == .scope("data:read"), "a final ** matches an empty rest")
        #expect(policy.requirement(method: "GET", path: "/api/v1") == nil)
        #expect(policy.requirement(method: "GET", path: "") == nil)
    }

    @Test func aPlaceholderMatchesExactlyOneSegment() {
        let only = AccessPolicy(rules: [.init("GET", "/a/{id}", .open)])
        #expect(only.requirement(method: "GET", path: "/a/1") == .open)
        #expect(only.requirement(method: "GET", path: "/a") == nil)
        #expect(only.requirement(method: "GET", path: "/a/1/2") == nil)
    }
}
