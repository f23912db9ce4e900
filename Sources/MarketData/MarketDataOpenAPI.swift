/// The `data` service's own paths in its OpenAPI contract.
enum MarketDataOpenAPI {
    static let paths = """
          /api/v1/data/instruments:
            get:
              summary: List instruments, ordered by symbol.
              parameters:
                - {name: q, in: query, schema: {type: string}, description: Case-insensitive substring of symbol or name.}
                - {name: type, in: query, schema: {$ref: '#/components/schemas/InstrumentType'}}
                - {name: exchange, in: query, schema: {type: string}}
                - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
                - {name: offset, in: query, schema: {type: integer, minimum: 0, default: 0}}
              responses:
                '200':
                  description: A page of instruments.
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          items: {type: array, items: {$ref: '#/components/schemas/Instrument'}}
                          total: {type: integer}
                          limit: {type: integer}
                          offset: {type: integer}
                '400': {$ref: '#/components/responses/Problem'}
            post:
              summary: Create an instrument.
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Instrument'}
              responses:
                '201': {description: Created; Location names it.}
                '400': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
                '413': {$ref: '#/components/responses/Problem'}
                '422': {$ref: '#/components/responses/Problem'}
          /api/v1/data/instruments/{symbol}:
            get:
              summary: One instrument.
              parameters:
                - {name: symbol, in: path, required: true, schema: {type: string}}
              responses:
                '200':
                  description: The instrument.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/Instrument'}
                '404': {$ref: '#/components/responses/Problem'}
        """

    static let schemas = """
            InstrumentType:
              type: string
              enum: [equity, etf, index, fund, bond, currency, crypto, commodity]
            Instrument:
              type: object
              required: [symbol, name, currency, type]
              properties:
                symbol: {type: string, pattern: '^[A-Z0-9][A-Z0-9.\\-^=]{0,19}$'}
                name: {type: string, maxLength: 200}
                exchange: {type: [string, 'null']}
                currency: {type: string, pattern: '^[A-Z]{3}$'}
                type: {$ref: '#/components/schemas/InstrumentType'}
                sector: {type: [string, 'null']}
                industry: {type: [string, 'null']}
        """
}
