/// The roles of Bourse users and the scopes each one grants (docs/architecture.md, "Security"). Routes declare
/// scopes, never roles, so a role can change what it grants without touching a route.
///
/// | role | scopes |
/// |---|---|
/// | `admin` | every scope, including `admin` |
/// | `analyst` | every `:read`, `etl:write`, `data:write`, `analysis:write`, `portfolio:write`, `strategy:write`, `strategy:run`, `notifications:write` |
/// | `trader` | every `:read`, `analysis:write`, `portfolio:write`, `strategy:write`, `strategy:run`, `notifications:write` |
/// | `viewer` | every `:read` (data, etl, analysis, portfolio, strategy, notifications) |
public enum Role: String, CaseIterable, Codable, Sendable {
    case admin, analyst, trader, viewer

    public var scopes: Set<String> {
        switch self {
        case .admin: return Scope.all
        case .analyst:
            return Scope.reads.union([Scope.etlWrite, Scope.dataWrite, Scope.analysisWrite, Scope.portfolioWrite, Scope.strategyRun, Scope.strategyWrite, Scope.notificationsWrite])
        case .trader:
            return Scope.reads.union([Scope.analysisWrite, Scope.portfolioWrite, Scope.strategyRun, Scope.strategyWrite, Scope.notificationsWrite])
        case .viewer:
            return Scope.reads
        }
    }

    /// The union of the scopes of `roles` (unknown role names grant nothing).
    public static func scopes(of roles: some Sequence<String>) -> Set<String> {
        roles.reduce(into: Set<String>()) { result, name in result.formUnion(Role(rawValue: name)?.scopes ?? []) }
    }
}

/// Scope names, `<service>:<action>`; `admin` is the administration scope.
public enum Scope {
    public static let dataRead = "data:read"
    public static let dataWrite = "data:write"
    public static let etlRead = "etl:read"
    public static let etlWrite = "etl:write"
    public static let analysisRead = "analysis:read"
    /// Saving one's own screens.
    public static let analysisWrite = "analysis:write"
    public static let portfolioRead = "portfolio:read"
    public static let portfolioWrite = "portfolio:write"
    public static let strategyRead = "strategy:read"
    public static let strategyWrite = "strategy:write"
    public static let strategyRun = "strategy:run"
    public static let notificationsRead = "notifications:read"
    public static let notificationsWrite = "notifications:write"
    public static let admin = "admin"

    public static let reads: Set<String> = [dataRead, etlRead, analysisRead, portfolioRead, strategyRead, notificationsRead]
    public static let all: Set<String> = reads.union([dataWrite, etlWrite, analysisWrite, portfolioWrite, strategyWrite, strategyRun, notificationsWrite, admin])
}
