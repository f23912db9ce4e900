import Foundation

/// One child process of `bourse up`: which service, which instance, and its command line.
struct ChildSpec: Sendable {
    let service: String
    let instanceID: String
    let arguments: [String]
    let logFile: URL
}

/// Parses `--scale service=N` values.
enum ScalePlan {
    static func parse(_ values: [String], known: [String]) throws -> [String: Int] {
        var plan: [String: Int] = [:]
        for value in values {
            let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let n = Int(parts[1]), (1...16).contains(n) else {
                throw SupervisorError("--scale takes service=N with N from 1 to 16, got \"\(value)\"")
            }
            guard known.contains(parts[0]) else {
                throw SupervisorError("--scale names unknown service \"\(parts[0])\"; known: \(known.joined(separator: ", "))")
            }
            guard parts[0] != "gateway" else { throw SupervisorError("the gateway runs as one instance under bourse up") }
            plan[parts[0]] = n
        }
        return plan
    }
}

struct SupervisorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
