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
          /api/v1/data/market/{symbol}:
            get:
              summary: Daily bars of a symbol, optionally resampled and adjusted; JSON, or CSV with Accept text/csv.
              description: >-
                Weekly bars are ISO weeks (Monday to Sunday) and monthly bars calendar months, each dated by its first
                trading day: first open, highest high, lowest low, last close, summed volume. Adjusted prices are scaled
                by adjusted close / close. Answers carry an ETag; a matching If-None-Match gets 304.
              parameters:
                - {name: symbol, in: path, required: true, schema: {type: string}}
                - {name: from, in: query, schema: {type: string, format: date}}
                - {name: to, in: query, schema: {type: string, format: date}}
                - {name: interval, in: query, schema: {type: string, enum: [1d, 1w, 1mo], default: 1d}}
                - {name: adjusted, in: query, schema: {type: boolean, default: false}}
              responses:
                '200':
                  description: The bars.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/BarSeries'}
                    text/csv:
                      schema: {type: string, description: 'Date,Open,High,Low,Close,Adj Close,Volume'}
                '304': {description: Not modified since the ETag in If-None-Match.}
                '400': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/data/market/{symbol}/latest:
            get:
              summary: The newest bar of a symbol.
              parameters:
                - {name: symbol, in: path, required: true, schema: {type: string}}
              responses:
                '200': {description: The newest bar.}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/data/market:
            post:
              summary: Bars of several symbols at once.
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [symbols]
                      properties:
                        symbols: {type: array, items: {type: string}, minItems: 1, maxItems: 100}
                        from: {type: string, format: date}
                        to: {type: string, format: date}
                        interval: {type: string, enum: [1d, 1w, 1mo]}
                        adjusted: {type: boolean}
              responses:
                '200': {description: 'Bars by symbol; unknown symbols listed in not_found.'}
                '400': {$ref: '#/components/responses/Problem'}
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
            Bar:
              type: object
              properties:
                date: {type: string, format: date}
                open: {type: number}
                high: {type: number}
                low: {type: number}
                close: {type: number}
                adj_close: {type: number}
                volume: {type: number}
            BarSeries:
              type: object
              properties:
                symbol: {type: string}
                interval: {type: string}
                adjusted: {type: boolean}
                bars: {type: array, items: {$ref: '#/components/schemas/Bar'}}
        """
}
