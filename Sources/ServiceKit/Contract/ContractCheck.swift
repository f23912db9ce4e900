/// Compares what a service serves with what its contract declares.
public enum ContractCheck {
    /// Human-readable differences: served routes missing from the contract, and contract operations nothing
    /// serves. Empty when they agree.
    public static func differences(served: [ServiceRouter.Route], contract: [Endpoint]) -> [String] {
        let servedSet = Set(served)
        let declared = Set(contract.map { ServiceRouter.Route(method: $0.method.rawValue, path: normalized($0.path)) })
        let normalizedServed = Set(servedSet.map { ServiceRouter.Route(method: $0.method, path: normalized($0.path)) })
        var out: [String] = []
        for route in normalizedServed.subtracting(declared).sorted(by: { $0.description < $1.description }) {
            out.append("served but not in the contract: \(route)")
        }
        for route in declared.subtracting(normalizedServed).sorted(by: { $0.description < $1.description }) {
            out.append("in the contract but not served: \(route)")
        }
        var seen = Set<ServiceRouter.Route>()
        for route in served where !seen.insert(route).inserted {
            out.append("served twice: \(route)")
        }
        return out
    }

    /// Parameter names do not matter for matching (`{id}` and `{instance_id}` are the same route).
    static func normalized(_ path: String) -> String {
        "/" + path.split(separator: "/").map { $0.hasPrefix("{") ? "{}" : String($0) }.joined(separator: "/")
    }
}
