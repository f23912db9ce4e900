// swift-tools-version:6.1
// Builds `Quant` and the `quant` / `bench quant` commands without the server dependencies of the main
// package, so a release build for benchmarking takes about a minute instead of fourteen. The sources are the
// main package's (symlinks); the executable answers the same `quant …` and `bench quant` commands as `bourse`.
import PackageDescription

let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "QuantBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .target(name: "Quant", swiftSettings: swiftSettings),
        .executableTarget(
            name: "QuantBench",
            dependencies: ["Quant", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
    ]
)
