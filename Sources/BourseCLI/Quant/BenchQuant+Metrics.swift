import Quant

extension BenchQuantCommand {
    /// Metric items of `bourse bench quant`.
    static var metricItems: [BenchItem] { [] }
}
