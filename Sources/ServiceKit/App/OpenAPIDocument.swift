/// Builds a service's OpenAPI 3.1 document: its own paths plus the endpoints every service serves.
public enum OpenAPIDocument {
    public static func render(_ descriptor: ServiceDescriptor) -> String {
        """
        openapi: 3.1.0
        info:
          title: Bourse \(descriptor.name) service
          version: \(descriptor.version)
          description: \(descriptor.summary)
        servers:
          - url: /
        paths:
        \(annotatingSecurity(descriptor.openAPIPaths, policy: descriptor.access).trimmingTrailingNewlines)
        \(commonPaths)\(descriptor.usesBus ? "\n" + busPaths : "")
        components:
          schemas:
            Problem:
              type: object
              description: RFC 9457 problem details (media type application/problem+json).
              required: [type, title, status, detail]
              properties:
                type: {type: string, format: uri}
                title: {type: string}
                status: {type: integer}
                detail: {type: string}
                instance: {type: string, description: "urn:request:<request id>"}
                errors:
                  type: array
                  items:
                    type: object
                    properties:
                      field: {type: string}
                      reason: {type: string}
        \(descriptor.openAPISchemas.trimmingTrailingNewlines)
          securitySchemes:
            bearer: {type: http, scheme: bearer, bearerFormat: JWT, description: "An access token from POST /api/v1/auth/login."}
            apiKey: {type: apiKey, in: header, name: X-API-Key, description: "An API key (also accepted as `Authorization: ApiKey <key>`)."}
          responses:
            Problem:
              description: An error, as RFC 9457 problem details.
              content:
                application/problem+json:
                  schema: {$ref: '#/components/schemas/Problem'}
        """
    }

    static let busPaths = """
          /api/status/bus:
            get:
              summary: The service's event bus - topics, consumer groups, offsets, lag, dead-letter counts.
              responses:
                '200': {description: Bus status.}
        """

    static let commonPaths = """
          /health:
            get:
              summary: Liveness - the process answers.
              responses:
                '200': {description: Alive.}
          /health/detailed:
            get:
              summary: Readiness - the database and every dependency answer.
              responses:
                '200': {description: Every check passes.}
                '503': {description: At least one check fails; the body says which.}
          /metrics:
            get:
              summary: Prometheus text exposition of this process's metrics.
              responses:
                '200':
                  description: Metrics.
                  content:
                    text/plain: {}
          /api/status/config:
            get:
              summary: Effective configuration with each value's source; secrets redacted.
              responses:
                '200': {description: Configuration.}
          /openapi.yaml:
            get:
              summary: This document.
              responses:
                '200': {description: The OpenAPI 3.1 contract.}
        """
}

extension OpenAPIDocument {
    /// Adds to every operation under `/api/v1/` the `security` requirement its ``AccessPolicy`` rule states
    /// (OpenAPI 3.1 allows role names in non-OAuth requirements: here, the scope), plus `x-bourse-access`.
    static func annotatingSecurity(_ paths: String, policy: AccessPolicy) -> String {
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch"]
        var output: [String] = []
        var currentPath: String?
        for line in paths.split(separator: "\n", omittingEmptySubsequences: false) {
            output.append(String(line))
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
                continue
            }
            guard let path = currentPath, path.hasPrefix("/api/v1/"), line.hasPrefix("    "), !line.hasPrefix("     "),
                  line.hasSuffix(":"), methods.contains(String(line.dropFirst(4).dropLast())) else { continue }
            let method = line.dropFirst(4).dropLast().uppercased()
            // Route patterns in the contract use {name}; the policy matches any segment there.
            let requirement = policy.requirement(method: method, path: path)
            let security: String
            switch requirement {
            case .open?: security = "[]"
            case .authenticated?: security = "[{bearer: []}, {apiKey: []}]"
            case .scope(let scope)?: security = "[{bearer: ['\(scope)']}, {apiKey: ['\(scope)']}]"
            case nil: security = "[{bearer: ['admin']}, {apiKey: ['admin']}]"
            }
            output.append("      security: \(security)")
            output.append("      x-bourse-access: '\(requirement?.description ?? Scope.admin)'")
        }
        return output.joined(separator: "\n")
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
