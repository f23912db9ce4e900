/// The `etl` service's own paths and schemas in its OpenAPI 3.1 contract.
enum ETLOpenAPI {
    static let paths = """
          /api/v1/etl/collect/{source}:
            post:
              summary: Start a collection job (or, with source csv, upload one symbol's history).
              description: >-
                Sources stooq, yahoo, alphavantage (needs etl.alpha_vantage_key), fred (needs etl.fred_key), worldbank
                (symbols COUNTRY:INDICATOR) and synthetic take a JSON body and answer 202 with the job's id; the job runs in
                the background. Source csv takes a text/csv body (Date,Open,High,Low,Close,Adj Close,Volume) and the symbol
                in the query; a file with any bad row is refused with 422 listing every bad row, and nothing is stored.
              parameters:
                - {name: source, in: path, required: true, schema: {type: string, enum: [stooq, yahoo, alphavantage, fred, worldbank, synthetic, csv]}}
                - {name: symbol, in: query, description: The symbol of an upload (source csv only)., schema: {type: string}}
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/CollectRequest'}
                  text/csv:
                    schema: {type: string, description: 'Date,Open,High,Low,Close,Adj Close,Volume (Adj Close optional)'}
              responses:
                '202':
                  description: Job queued; Location names its status.
                  headers:
                    Location: {schema: {type: string}, description: 'the job status, /api/v1/etl/status/{job_id}'}
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/JobAccepted'}
                '400': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '413': {$ref: '#/components/responses/Problem'}
                '415': {$ref: '#/components/responses/Problem'}
                '422': {$ref: '#/components/responses/Problem'}
          /api/v1/etl/status/{job_id}:
            get:
              summary: A job's state, counts, timings, progress, errors and quality report.
              parameters:
                - {name: job_id, in: path, required: true, schema: {type: string}}
              responses:
                '200':
                  description: The job.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/JobStatus'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/etl/transform/{job_id}:
            post:
              summary: Replay a finished job from its raw archive (validation and transformation again, e.g. split adjustment).
              parameters:
                - {name: job_id, in: path, required: true, schema: {type: string}}
              requestBody:
                required: false
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
                        options: {type: object, additionalProperties: {type: [string, number, boolean]}}
              responses:
                '202':
                  description: The job is queued again with run + 1.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/JobAccepted'}
                '400': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
        """

    static let schemas = """
            CollectRequest:
              type: object
              required: [symbols]
              properties:
                symbols: {type: array, minItems: 1, maxItems: 500, items: {type: string}}
                from: {type: string, format: date}
                to: {type: string, format: date}
                options:
                  type: object
                  description: 'splits (DATE:RATIO,…), outputsize (alphavantage), seed, drift, volatility, start_price (synthetic).'
                  additionalProperties: {type: [string, number, boolean]}
            JobAccepted:
              type: object
              properties:
                job_id: {type: string}
                state: {type: string, enum: [queued]}
                run: {type: integer}
                status_url: {type: string}
            RowIssue:
              type: object
              properties:
                line: {type: integer}
                column: {type: string}
                reason: {type: string}
            QualityReport:
              type: object
              properties:
                bars: {type: integer}
                first_date: {type: [string, 'null'], format: date}
                last_date: {type: [string, 'null'], format: date}
                expected_bars: {type: integer}
                missing_bars: {type: integer}
                gaps: {type: array, items: {type: object, properties: {from: {type: string}, to: {type: string}, trading_days: {type: integer}}}}
                outliers: {type: array, items: {type: object, properties: {date: {type: string}, log_return: {type: number}, z_score: {type: number}}}}
                stale_runs: {type: array, items: {type: object, properties: {from: {type: string}, to: {type: string}, bars: {type: integer}}}}
                score: {type: number, minimum: 0, maximum: 100}
            JobItem:
              type: object
              properties:
                symbol: {type: string}
                state: {type: string, enum: [queued, running, retrying, succeeded, failed]}
                attempts: {type: integer}
                rows: {type: integer}
                bars: {type: integer}
                events: {type: integer}
                error: {type: [string, 'null']}
                issues: {type: array, items: {$ref: '#/components/schemas/RowIssue'}}
                quality: {oneOf: [{$ref: '#/components/schemas/QualityReport'}, {type: 'null'}]}
                next_attempt_at: {type: [string, 'null'], format: date-time}
                archive:
                  type: array
                  items:
                    type: object
                    properties:
                      path: {type: string}
                      sha256: {type: string}
                      bytes: {type: integer}
                      fetched_at: {type: string, format: date-time}
            JobStatus:
              type: object
              properties:
                id: {type: string}
                source: {type: string}
                state: {type: string, enum: [queued, running, succeeded, failed]}
                run: {type: integer}
                request: {$ref: '#/components/schemas/CollectRequest'}
                counts:
                  type: object
                  properties:
                    items: {type: integer}
                    queued: {type: integer}
                    running: {type: integer}
                    retrying: {type: integer}
                    succeeded: {type: integer}
                    failed: {type: integer}
                    rows: {type: integer}
                    bars: {type: integer}
                    events: {type: integer}
                progress: {type: number, minimum: 0, maximum: 1}
                quality_score: {type: [number, 'null']}
                timings:
                  type: object
                  properties:
                    created_at: {type: string, format: date-time}
                    started_at: {type: [string, 'null'], format: date-time}
                    finished_at: {type: [string, 'null'], format: date-time}
                    duration_seconds: {type: [number, 'null']}
                errors: {type: array, items: {type: object, properties: {symbol: {type: string}, message: {type: string}}}}
                items: {type: array, items: {$ref: '#/components/schemas/JobItem'}}
        """
}
