// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "bourse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bourse", targets: ["BourseCLI"]),
        .library(name: "Quant", targets: ["Quant"]),
        .library(name: "QuantExpression", targets: ["QuantExpression"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
    ],
    targets: [
        // Pure computation: no server or I/O dependency, so it builds and tests in seconds.
        .target(name: "Quant", swiftSettings: swiftSettings),
        // The one expression language (strategy rules, screens, alerts): parser, type checker, column evaluator.
        .target(name: "QuantExpression", dependencies: ["Quant"], swiftSettings: swiftSettings),
        // The SVG chart renderer: no dependencies at all, so the dashboard, reports and services draw alike.
        .target(name: "Charts", swiftSettings: swiftSettings),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Quant",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "ServiceKit", "Quant",
                // The event-loop proxy talks to NIO's HTTP/1 codecs directly.
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "MarketData", dependencies: ["ServiceKit", "Quant"], swiftSettings: swiftSettings),
        .target(
            name: "Auth",
            dependencies: [
                "ServiceKit", "Quant", .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "ETL", dependencies: ["ServiceKit", "Quant"], swiftSettings: swiftSettings),
        // SHA-256 fingerprints of imported rows (swift-crypto is already ServiceKit's).
        .target(name: "Portfolio", dependencies: ["ServiceKit", "Quant", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),
        .target(name: "Strategy", dependencies: ["ServiceKit", "Quant", "QuantExpression", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),
        .target(name: "Analysis", dependencies: ["ServiceKit", "Quant", "QuantExpression", "Charts"], swiftSettings: swiftSettings),
        .target(name: "Notifications", dependencies: ["ServiceKit", "Quant", "QuantExpression"], swiftSettings: swiftSettings),
        // The catalogue of services: the one list the CLI, CI and the contract tests read.
        .target(name: "Services", dependencies: ["ServiceKit", "Gateway", "MarketData", "Auth", "ETL", "Portfolio", "Strategy", "Analysis", "Notifications"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "BourseCLI",
            dependencies: [
                "ServiceKit", "Quant", "QuantExpression", "Gateway", "MarketData", "Auth", "ETL", "Portfolio", "Strategy", "Analysis", "Notifications", "Services",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test helpers shared by the service test targets (temporary databases, PostgreSQL discovery, test services).
        .target(
            name: "BourseTesting",
            dependencies: [
                "ServiceKit", "Quant", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "QuantTests", dependencies: ["Quant"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "QuantExpressionTests", dependencies: ["QuantExpression", "Quant"], swiftSettings: swiftSettings),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: ["ServiceKit", "BourseTesting", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "ServiceKit", "BourseTesting", .product(name: "HummingbirdTesting", package: "hummingbird"),
                // The differential test of the wire head parser feeds NIO's own HTTP parser in an embedded channel.
                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MarketDataTests",
            dependencies: ["MarketData", "ServiceKit", "BourseTesting", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AuthTests",
            dependencies: [
                "Auth", "Gateway", "MarketData", "ServiceKit", "BourseTesting", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PortfolioTests",
            dependencies: ["Portfolio", "Quant", "ServiceKit", "BourseTesting", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NotificationsTests",
            dependencies: ["Notifications", "Quant", "ServiceKit", "BourseTesting", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnalysisTests",
            dependencies: ["Analysis", "Quant", "QuantExpression", "Charts", "ServiceKit", "BourseTesting", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StrategyTests",
            dependencies: ["Strategy", "Quant", "QuantExpression", "ServiceKit", "BourseTesting", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ETLTests",
            dependencies: ["ETL", "ServiceKit", "BourseTesting", .product(name: "HummingbirdTesting", package: "hummingbird")],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        // Every service in the catalogue: served routes against the contract, security and problem answers documented.
        .testTarget(
            name: "ContractTests",
            dependencies: ["Services", "ServiceKit", "BourseTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["ServiceKit", "Quant", "BourseTesting", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: swiftSettings
        ),
    ]
)
