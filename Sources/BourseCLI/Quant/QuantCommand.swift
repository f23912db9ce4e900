import ArgumentParser

/// `bourse quant …`: the Quant library from the command line.
struct QuantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quant",
        abstract: "Indicators and metrics over a price CSV file.",
        subcommands: [QuantIndicatorsCommand.self, QuantMetricsCommand.self]
    )
}
