/// The gateway's own paths in its OpenAPI contract (ServiceKit adds the common ones).
enum GatewayOpenAPI {
    static let paths = """
          /api/v1/gateway/register:
            post:
              summary: Register an instance, or renew its lease.
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [service, instance_id, url, version]
                      properties:
                        service: {type: string, pattern: '^[a-z][a-z0-9-]{0,62}$'}
                        instance_id: {type: string, maxLength: 128}
                        url: {type: string, format: uri, description: 'Base URL, e.g. http://127.0.0.1:9001'}
                        version: {type: string}
                        weight: {type: integer, minimum: 1, maximum: 1000, default: 1}
              responses:
                '201': {description: 'Registered; the body gives the lease (instance_id, ttl_seconds).'}
                '200': {description: Already registered; lease renewed.}
                '400': {$ref: '#/components/responses/Problem'}
                '422': {$ref: '#/components/responses/Problem'}
          /api/v1/gateway/instances/{instance_id}/heartbeat:
            put:
              summary: Renew an instance's lease.
              parameters:
                - {name: instance_id, in: path, required: true, schema: {type: string}}
              responses:
                '200': {description: Lease renewed.}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/gateway/instances/{instance_id}:
            delete:
              summary: Deregister an instance (graceful shutdown).
              parameters:
                - {name: instance_id, in: path, required: true, schema: {type: string}}
              responses:
                '204': {description: Removed.}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/gateway/services:
            get:
              summary: Every known service with its instances and their routing state.
              responses:
                '200':
                  description: The registry.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/RegistryListing'}
          /api/v1/gateway/health/{service}:
            get:
              summary: Whether a service has a live instance.
              parameters:
                - {name: service, in: path, required: true, schema: {type: string}}
              responses:
                '200': {description: At least one live instance.}
                '404': {$ref: '#/components/responses/Problem'}
                '503': {$ref: '#/components/responses/Problem'}
          /api/status/services:
            get:
              summary: Instance and healthy-instance counts per service.
              responses:
                '200': {description: Summary.}
          /api/v1/{service}/{path}:
            description: Any request under /api/v1/<service>/ is proxied to a live instance of that service.
            parameters:
              - {name: service, in: path, required: true, schema: {type: string}}
              - {name: path, in: path, required: true, schema: {type: string}}
            get:
              summary: Proxied (every method is).
              responses:
                '404': {$ref: '#/components/responses/Problem'}
                '502': {$ref: '#/components/responses/Problem'}
                '503': {$ref: '#/components/responses/Problem'}
                '504': {$ref: '#/components/responses/Problem'}
        """

    static let schemas = """
            RegistryListing:
              type: object
              properties:
                services:
                  type: array
                  items:
                    type: object
                    properties:
                      name: {type: string}
                      policy: {type: string, enum: [round-robin, weighted, least-outstanding]}
                      healthy_instances: {type: integer}
                      instances:
                        type: array
                        items:
                          type: object
                          properties:
                            instance_id: {type: string}
                            url: {type: string}
                            version: {type: string}
                            weight: {type: integer}
                            health: {type: string, enum: [up, ejected, circuit-open, failing-health-checks, expired]}
                            last_heartbeat: {type: string, format: date-time}
                            registered_at: {type: string, format: date-time}
                            lease_remaining_seconds: {type: number}
                            circuit: {type: string, enum: [closed, half-open, open]}
                            ejected_for_seconds: {type: [number, 'null']}
                            ejections: {type: integer}
                            active_health: {type: string, enum: [pass, fail]}
                            in_flight: {type: integer}
        """
}
