import NIOPosix

/// Runs blocking file-system work on SwiftNIO's thread pool for blocking I/O, never on a thread of Swift's
/// cooperative pool (one per core here: two). Writing a file through Foundation ends with `fsync`, which on a busy
/// disk takes seconds — CI logged an upload whose archive step took 6.2 s, and uploads that stalled for one to two
/// minutes — and a cooperative thread held that long stalls every task of the process that needs it.
public enum BlockingIO {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
