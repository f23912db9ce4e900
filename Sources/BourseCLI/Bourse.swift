import ArgumentParser
import ServiceKit
import Gateway
import MarketData

@main
struct Bourse: AsyncParsableCommand {
    func run() async throws {}
}
