import NIOPosix

/// Runs blocking work — file I/O, bcrypt — on SwiftNIO's thread pool for blocking work, never on a thread of Swift's
/// cooperative pool (one per core: two here), which every task of the process needs. A file write that waited on a
/// busy disk in CI (an archive step of 6.2 s, another of 90 s) held such a thread that long.
public enum BlockingIO {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
