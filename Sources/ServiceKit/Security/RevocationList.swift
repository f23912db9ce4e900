import Foundation
import Synchronization

/// What the auth service has revoked before its natural expiry, as the gateway (and any verifier) must know:
/// access tokens by `jti` and by session (logout), everything a user held before a moment (disable, role
/// change), and API keys. Entries leave once what they revoke would have expired anyway.
public final class RevocationList: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case token, session, subject, apiKey = "api-key" }
        public var kind: Kind
        public var id: String
        /// For `subject`: access tokens issued before this moment are refused. For the others: when the entry may go.
        public var until: Double

        public init(kind: Kind, id: String, until: Double) {
            self.kind = kind
            self.id = id
            self.until = until
        }
    }

    private struct State {
        var entries: [Entry.Kind: [String: Double]] = [:]
        var cursor: Int64 = 0
    }

    private let state = Mutex(State())
    /// Entries held; checked without the lock so that the common case (nothing revoked) costs one atomic load.
    private let size = Atomic<Int>(0)

    public init() {}

    public func add(_ entries: some Sequence<Entry>, cursor: Int64? = nil) {
        state.withLock { state in
            for entry in entries {
                state.entries[entry.kind, default: [:]][entry.id] = max(state.entries[entry.kind]?[entry.id] ?? 0, entry.until)
            }
            if let cursor { state.cursor = max(state.cursor, cursor) }
            size.store(state.entries.values.reduce(0) { $0 + $1.count }, ordering: .releasing)
        }
    }

    /// The position in the auth service's revocation feed this list has caught up to.
    public var cursor: Int64 { state.withLock { $0.cursor } }

    /// Whether `principal` (issued at `issuedAt`) has been revoked.
    public func isRevoked(_ principal: Principal, issuedAt: Double?) -> Bool {
        guard size.load(ordering: .acquiring) > 0 else { return false }
        return state.withLock { state in
            switch principal.kind {
            case .user:
                if state.entries[.token]?[principal.credentialID] != nil { return true }
                if let sid = principal.sessionID, state.entries[.session]?[sid] != nil { return true }
            case .apiKey:
                if state.entries[.apiKey]?[principal.credentialID] != nil { return true }
            }
            // Keys have no issue time: their owner's current state is applied when they are introspected.
            if principal.kind == .user, let notBefore = state.entries[.subject]?[principal.subject] {
                return (issuedAt ?? 0) < notBefore
            }
            return false
        }
    }

    /// Drops entries whose tokens have expired anyway (`subject` entries last `maxTokenLifetime` past their moment).
    public func prune(now: Double, maxTokenLifetime: Double) {
        state.withLock { state in
            for kind in state.entries.keys {
                let horizon = kind == .subject ? now - maxTokenLifetime : now
                state.entries[kind] = state.entries[kind]?.filter { $0.value > horizon }
            }
            size.store(state.entries.values.reduce(0) { $0 + $1.count }, ordering: .releasing)
        }
    }

    public var count: Int { state.withLock { $0.entries.values.reduce(0) { $0 + $1.count } } }
}
