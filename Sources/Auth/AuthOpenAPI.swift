/// The `auth` service's own paths in its OpenAPI contract (security requirements are added from the access policy).
enum AuthOpenAPI {
    static let paths = """
          /api/v1/auth/register:
            post:
              summary: Create an account (role viewer). Closed when auth.registration is closed, except for admins.
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Registration'}
              responses:
                '201': {description: The new user., content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}
                '403': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
                '422': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/login:
            post:
              summary: Exchange a username (or e-mail) and password for an access token and a refresh token.
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [username, password]
                      properties:
                        username: {type: string}
                        password: {type: string, format: password}
              responses:
                '200': {description: Tokens., content: {application/json: {schema: {$ref: '#/components/schemas/TokenPair'}}}}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '429': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/refresh:
            post:
              summary: Use a refresh token once for a new pair; a reused one revokes its whole session.
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {type: object, required: [refresh_token], properties: {refresh_token: {type: string}}}
              responses:
                '200': {description: Tokens., content: {application/json: {schema: {$ref: '#/components/schemas/TokenPair'}}}}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/logout:
            post:
              summary: End the session - its refresh tokens stop working and the access token is refused until it expires.
              requestBody:
                required: false
                content:
                  application/json:
                    schema: {type: object, properties: {refresh_token: {type: string}}}
              responses:
                '204': {description: Logged out.}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/me:
            get:
              summary: The caller's account and the scopes of the credential used.
              responses:
                '200': {description: The caller.}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/.well-known/jwks.json:
            get:
              summary: The public keys (JWKS, ES256) that verify access tokens; retired keys stay until their tokens expire.
              responses:
                '200': {description: A JSON Web Key Set.}
          /api/v1/auth/api-keys:
            get:
              summary: The caller's API keys (never their secrets).
              responses:
                '200': {description: Keys.}
            post:
              summary: Create an API key; the secret is in this response only. Scopes may not exceed the caller's.
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [name]
                      properties:
                        name: {type: string}
                        scopes: {type: array, items: {type: string}}
                        expires_in_days: {type: integer, minimum: 1, maximum: 3650}
              responses:
                '201': {description: The key (field key) and its description.}
                '403': {$ref: '#/components/responses/Problem'}
                '422': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/api-keys/{id}:
            delete:
              summary: Revoke one of the caller's keys (admins - anyone's).
              parameters:
                - {name: id, in: path, required: true, schema: {type: string}}
              responses:
                '204': {description: Revoked.}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/users:
            get:
              summary: List users.
              parameters:
                - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
                - {name: offset, in: query, schema: {type: integer, minimum: 0, default: 0}}
              responses:
                '200': {description: A page of users.}
            post:
              summary: Create a user with roles.
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      allOf:
                        - {$ref: '#/components/schemas/Registration'}
                        - {type: object, properties: {roles: {type: array, items: {type: string, enum: [admin, analyst, trader, viewer]}}}}
              responses:
                '201': {description: Created.}
                '409': {$ref: '#/components/responses/Problem'}
                '422': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/users/{id}:
            get:
              summary: One user.
              parameters:
                - {name: id, in: path, required: true, schema: {type: string}}
              responses:
                '200': {description: The user.}
                '404': {$ref: '#/components/responses/Problem'}
            patch:
              summary: Change roles or disable; ends the user's sessions and refuses their current access tokens.
              parameters:
                - {name: id, in: path, required: true, schema: {type: string}}
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
                        roles: {type: array, items: {type: string, enum: [admin, analyst, trader, viewer]}}
                        disabled: {type: boolean}
              responses:
                '200': {description: The user.}
                '404': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
                '422': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/keys/rotate:
            post:
              summary: Replace the signing key now.
              responses:
                '200': {description: The new key id.}
          /api/v1/auth/introspect:
            post:
              summary: Internal - is this API key live, and whose is it (the gateway calls it).
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {type: object, required: [key], properties: {key: {type: string}}}
              responses:
                '200': {description: '{"active": false} or the key principal.'}
          /api/v1/auth/revocations:
            get:
              summary: Internal - the revocation feed after a cursor (the gateway follows it).
              parameters:
                - {name: after, in: query, schema: {type: integer, minimum: 0}}
              responses:
                '200': {description: Entries and the new cursor.}
        """

    static let schemas = """
            Registration:
              type: object
              required: [username, password]
              properties:
                username: {type: string, pattern: '^[a-z0-9][a-z0-9._-]{2,31}$'}
                email: {type: string, format: email}
                password: {type: string, format: password, minLength: 8, maxLength: 72}
            User:
              type: object
              properties:
                id: {type: string}
                username: {type: string}
                email: {type: string}
                roles: {type: array, items: {type: string}}
                scopes: {type: array, items: {type: string}}
                disabled: {type: boolean}
                created_at: {type: string, format: date-time}
            TokenPair:
              type: object
              properties:
                access_token: {type: string}
                token_type: {type: string, enum: [Bearer]}
                expires_in: {type: integer}
                refresh_token: {type: string}
                refresh_expires_in: {type: integer}
                scope: {type: string}
                user: {$ref: '#/components/schemas/User'}
        """
}
