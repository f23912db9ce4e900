import Foundation
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Under `bourse up`, ends the process cleanly when its supervisor is gone (even after a SIGKILL of the
/// supervisor), so no child outlives it. Returning from `run()` shuts the whole service group down.
struct ParentWatchdog: Service {
    let parentPID: Int32

    func run() async throws {
        // Graceful shutdown cancels the loop; returning (not throwing) then lets the group finish its ordered shutdown.
        _ = try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if getppid() != parentPID { return }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}
