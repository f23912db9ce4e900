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
          /api/v1/data/validate:
            post:
              summary: Quality report of the bars in the body (row rules, gaps, outliers, stale runs, score); stores nothing.
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [bars]
                      properties:
                        bars: {type: array, minItems: 1, maxItems: 100000, items: {$ref: '#/components/schemas/Bar'}}
                        holidays: {type: array, items: {type: string, format: date}}
                        outlier_z: {type: number, exclusiveMinimum: 0, default: 6}
                        stale_run: {type: integer, minimum: 2, maximum: 1000, default: 5}
              responses:
                '200':
                  description: The report; valid is false when any bar breaks a row rule.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/ValidationResult'}
                '400': {$ref: '#/components/responses/Problem'}
          /api/v1/data/quality/metrics:
            get:
              summary: Per stored series, bars, date range and the quality score measured by etl.
              parameters:
                - {name: symbol, in: query, schema: {type: string}}
              responses:
                '200': {description: 'Totals and one entry per series.'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/data/fundamentals/{symbol}:
            get:
              summary: Financial statements of a symbol, newest period first.
              parameters:
                - {name: symbol, in: path, required: true, schema: {type: string}}
                - {name: statement, in: query, schema: {type: string, enum: [income, balance, cashflow]}}
                - {name: period, in: query, schema: {type: string, enum: [annual, quarterly]}}
              responses:
                '200': {description: 'The statements (symbol, statements).'}
                '400': {$ref: '#/components/responses/Problem'}
            put:
              summary: Store statements of a symbol, each replacing the same statement and period.
              parameters:
                - {name: symbol, in: path, required: true, schema: {type: string}}
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {type: array, minItems: 1, maxItems: 200, items: {$ref: '#/components/schemas/Statement'}}
              responses:
                '200': {description: 'Every statement of the symbol.'}
                '400': {$ref: '#/components/responses/Problem'}
                '422': {$ref: '#/components/responses/Problem'}
          /api/v1/data/actions/{symbol}:
            get:
              summary: Corporate actions (splits, dividends) of a symbol, oldest first.
              parameters:
                - {name: symbol, in: path, required: true, schema: {type: string}}
                - {name: kind, in: query, schema: {type: string, enum: [split, dividend]}}
                - {name: from, in: query, schema: {type: string, format: date}}
                - {name: to, in: query, schema: {type: string, format: date}}
              responses:
                '200': {description: 'The actions (symbol, actions).'}
                '400': {$ref: '#/components/responses/Problem'}
            put:
              summary: Store corporate actions of a symbol, replacing any of the same date and kind.
              parameters:
                - {name: symbol, in: path, required: true, schema: {type: string}}
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {type: array, minItems: 1, maxItems: 10000, items: {$ref: '#/components/schemas/CorporateAction'}}
              responses:
                '200': {description: 'Every action of the symbol.'}
                '400': {$ref: '#/components/responses/Problem'}
                '422': {$ref: '#/components/responses/Problem'}
          /api/status/bus:
            get:
              summary: The shared event bus - store, topics, consumer groups, lag, dead-letter counts - and this service's outbox backlog.
              responses:
                '200': {description: 'Bus status.'}
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
            ValidationResult:
              type: object
              properties:
                valid: {type: boolean}
                report:
                  type: object
                  properties:
                    bars: {type: integer}
                    issues:
                      type: array
                      items:
                        type: object
                        properties: {index: {type: integer}, field: {type: string}, reason: {type: string}}
                    first_date: {type: [string, 'null']}
                    last_date: {type: [string, 'null']}
                    expected_bars: {type: integer}
                    gaps: {type: array, items: {type: object}}
                    missing_bars: {type: integer}
                    outliers: {type: array, items: {type: object}}
                    stale_runs: {type: array, items: {type: object}}
                    score: {type: number, minimum: 0, maximum: 100}
            Statement:
              type: object
              required: [statement, period, period_end, currency, items]
              properties:
                statement: {type: string, enum: [income, balance, cashflow]}
                period: {type: string, enum: [annual, quarterly]}
                period_end: {type: string, format: date}
                currency: {type: string, pattern: '^[A-Z]{3}$'}
                items: {type: object, additionalProperties: {type: number}}
            CorporateAction:
              type: object
              required: [date, kind, value]
              properties:
                date: {type: string, format: date}
                kind: {type: string, enum: [split, dividend]}
                value: {type: number, exclusiveMinimum: 0, description: 'split - new shares per old share; dividend - cash per share'}
                currency: {type: [string, 'null']}
        """
}
