/// How a request chooses among a service's live instances.
public enum BalancingPolicy: String, Sendable, CaseIterable, Codable {
    /// Each instance in turn.
    case roundRobin = "round-robin"
    /// Smooth weighted round-robin (nginx's algorithm): instance i gets weight_i / Σweight of the requests,
    /// interleaved rather than in bursts.
    case weighted
    /// Power of two random choices: pick two instances at random, send to the one with fewer requests in flight.
    case leastOutstanding = "least-outstanding"

    /// Parses `round-robin`, or per-service overrides such as `data=least-outstanding,*=weighted`.
    public static func parse(_ text: String) throws(ConfigurationError) -> (default: BalancingPolicy, perService: [String: BalancingPolicy]) {
        var fallback = BalancingPolicy.roundRobin
        var perService: [String: BalancingPolicy] = [:]
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let (service, name) = parts.count == 2 ? (parts[0], parts[1]) : ("*", parts[0])
            guard let policy = BalancingPolicy(rawValue: name) else {
                throw ConfigurationError(key: "gateway.balancing", value: text, source: .commandLine,
                                         reason: "unknown policy \"\(name)\"; use \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if service == "*" { fallback = policy } else { perService[service] = policy }
        }
        return (fallback, perService)
    }
}
