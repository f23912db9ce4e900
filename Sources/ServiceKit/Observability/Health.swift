import Foundation

/// One readiness check of `/health/detailed`: a database, the bus, a peer service.
public struct HealthCheck: Sendable {
    public let name: String
    public let check: @Sendable () async throws -> Void

    public init(_ name: String, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.check = check
    }
}

/// The body of `/health/detailed`.
public struct HealthReport: Codable, Sendable {
    public struct Check: Codable, Sendable {
        public let status: String
        public let durationMs: Double
        public let detail: String?

        enum CodingKeys: String, CodingKey {
            case status, detail
            case durationMs = "duration_ms"
        }
    }

    public let status: String
    public let service: String
    public let instance: String
    public let checks: [String: Check]

    public var healthy: Bool { status == "pass" }

    /// Runs every check concurrently, each bounded by `timeout`.
    public static func run(_ checks: [HealthCheck], service: String, instance: String, timeout: Duration = .seconds(2)) async -> HealthReport {
        let results = await withTaskGroup(of: (String, Check).self) { group in
            for check in checks {
                group.addTask {
                    let start = ContinuousClock.now
                    do {
                        try await withDeadline(timeout) { try await check.check() }
                        return (check.name, Check(status: "pass", durationMs: start.millisecondsSince(), detail: nil))
                    } catch {
                        return (check.name, Check(status: "fail", durationMs: start.millisecondsSince(), detail: "\(error)"))
                    }
                }
            }
            var out: [String: Check] = [:]
            for await (name, result) in group { out[name] = result }
            return out
        }
        let healthy = results.values.allSatisfy { $0.status == "pass" }
        return HealthReport(status: healthy ? "pass" : "fail", service: service, instance: instance, checks: results)
    }
}

extension ContinuousClock.Instant {
    func millisecondsSince() -> Double {
        let d = ContinuousClock.now - self
        return (Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15).rounded(toPlaces: 3)
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let factor = Foundation.pow(10.0, Double(places))
        return (self * factor).rounded() / factor
    }
}

/// The deadline passed; `description` says how long it was.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let after: Duration
    public var description: String { "timed out after \(after)" }
}

/// Runs `body`, cancelling it and throwing ``DeadlineExceeded`` when it takes longer than `timeout`.
public func withDeadline<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw DeadlineExceeded(after: timeout)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

extension HealthReport: ContractSchema {
    public static let contractSchema = SchemaComponent("HealthReport", .object([
        .init("status", .string(enum: ["pass", "fail"])),
        .init("service", .string),
        .init("instance", .string),
        .init("checks", .map(.object([.init("status", .string(enum: ["pass", "fail"])), .init("duration_ms", .number),
                                      .init("detail", .string)], required: ["status", "duration_ms"]))),
    ], required: ["status", "service", "instance", "checks"]))
}
