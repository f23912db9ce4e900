import BourseTesting
import Foundation
import Testing
@testable import ETL

/// The raw archive's files: whole or absent (written under a temporary name and renamed), checked on every read.
@Suite struct RawArchiveTests {
    @Test func aStoredPayloadReadsBackWithItsSidecarAndLeavesNoTemporaryFile() throws {
        let archive = RawArchive(dataDir: TestSupport.temporaryDirectory())
        let path = RawArchive.relativePath(source: "csv", symbol: "ORCL", date: "2026-11-22", jobID: "j1", sequence: 1, fileExtension: "csv")
        let payload = Data("Date,Open\n2026-11-20,42.17\n".utf8)
        let checksum = try archive.store(payload, at: path)
        #expect(checksum == RawArchive.sha256(payload))
        #expect(try archive.load(path, expecting: checksum) == payload)
        let url = archive.root.appendingPathComponent(path)
        #expect(try String(contentsOf: url.appendingPathExtension("sha256"), encoding: .utf8) == "\(checksum)  \(url.lastPathComponent)\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path).sorted()
        #expect(names == [url.lastPathComponent, url.lastPathComponent + ".sha256"])
    }

    @Test func storingAgainReplacesThePayloadWholeAndAnAlteredFileFailsItsChecksum() throws {
        let archive = RawArchive(dataDir: TestSupport.temporaryDirectory())
        let path = "csv/NVDA/2026-11-22-j2.csv"
        let first = try archive.store(Data(repeating: 1, count: 300_000), at: path)
        let second = try archive.store(Data(repeating: 2, count: 1_000), at: path)
        #expect(try archive.load(path, expecting: second) == Data(repeating: 2, count: 1_000))
        #expect(throws: ArchiveError.self) { try archive.load(path, expecting: first) }
        let url = archive.root.appendingPathComponent(path)
        try Data("tampered".utf8).write(to: url)
        #expect(throws: ArchiveError.self) { try archive.load(path, expecting: second) }
    }

    @Test func aPayloadThatCannotBeWrittenIsAnIOErrorNamingItsPath() throws {
        let root = TestSupport.temporaryDirectory()
        let archive = RawArchive(dataDir: root)
        // A plain file where the symbol's directory must go: the directory cannot be made, so nothing is written.
        try FileManager.default.createDirectory(atPath: root + "/raw/csv", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: root + "/raw/csv/IBM"))
        #expect(throws: (any Error).self) { try archive.store(Data("x".utf8), at: "csv/IBM/2026-11-22-j3.csv") }
        #expect(throws: ArchiveError.io(path: archive.root.appendingPathComponent("missing/x.csv").path, reason: "No such file or directory")) {
            try RawArchive.writeReplacing(Data("x".utf8), to: archive.root.appendingPathComponent("missing/x.csv"))
        }
    }
}
