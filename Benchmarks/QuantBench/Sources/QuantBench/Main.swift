import ArgumentParser

/// The `quant` and `bench quant` commands of `bourse`, built without the server dependencies.
@main
struct QuantBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quant-bench",
        abstract: "bourse's quant commands in a package without server dependencies (for fast release builds).",
        subcommands: [QuantCommand.self, Bench.self]
    )

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "bench", subcommands: [BenchQuantCommand.self])
    }
}
