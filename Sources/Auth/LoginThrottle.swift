import Foundation
import SQLKit
import ServiceKit

/// Slows down password guessing, per account and per client address, with a back-off that doubles with every
/// failure past a threshold (1 s, 2 s, 4 s … capped at 15 minutes). Kept in the database so every replica of the
/// auth service sees the same counts; a failure streak older than the window is forgotten.
struct LoginThrottle: Sendable {
    let database: Database
    var accountThreshold = 5
    var addressThreshold = 20
    var maximumBlock: Int64 = 900
    var window: Int64 = 900

    /// Seconds the caller must wait before trying `keys` again (0: go ahead).
    func wait(for keys: [String]) async throws -> Int64 {
        struct Row: Decodable { let blocked_until: Int64 }
        let now = Secrets.now()
        var longest: Int64 = 0
        for key in keys {
            if let row = try await database.withSQL({ sql in
                try await sql.raw("SELECT blocked_until FROM login_failures WHERE throttle_key = \(bind: key)").first(decoding: Row.self)
            }) {
                longest = max(longest, row.blocked_until - now)
            }
        }
        return longest
    }

    func recordFailure(account: String, address: String) async throws {
        let now = Secrets.now()
        try await database.transaction { sql in
            for (key, threshold) in [("account:" + account, accountThreshold), ("ip:" + address, addressThreshold)] {
                struct Row: Decodable { let failures: Int64; let last_failure_at: Int64 }
                let previous = try await sql.raw("SELECT failures, last_failure_at FROM login_failures WHERE throttle_key = \(bind: key)")
                    .first(decoding: Row.self)
                let failures = (previous.map { now - $0.last_failure_at > window ? 0 : $0.failures } ?? 0) + 1
                let excess = failures - Int64(threshold)
                let blocked = excess >= 0 ? now + min(maximumBlock, Int64(1) << min(excess, 20)) : 0
                // An upsert: two failures at once must not collide on the key (one count may be lost, never the row).
                try await sql.raw("""
                    INSERT INTO login_failures (throttle_key, failures, last_failure_at, blocked_until)
                    VALUES (\(bind: key), \(bind: failures), \(bind: now), \(bind: blocked))
                    ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures,
                        last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until
                    """).run()
            }
        }
    }

    /// A correct password clears the account's streak (not the address's: a guesser could interleave a known login).
    func recordSuccess(account: String) async throws {
        try await database.withSQL { sql in
            try await sql.raw("DELETE FROM login_failures WHERE throttle_key = \(bind: "account:" + account)").run()
        }
    }
}
