import NIOPosix

/// Runs blocking work — file I/O, bcrypt — on SwiftNIO's thread pool for blocking work, never on a thread of Swift's
/// cooperative pool (one thread per core), which every task of the process needs: a write waiting on a busy disk
/// would hold one of those threads for as long as the disk takes.
public enum BlockingIO {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
