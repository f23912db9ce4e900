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
        \(descriptor.openAPIPaths.trimmingTrailingNewlines)
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

extension String {
    var trimmingTrailingNewlines: String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
