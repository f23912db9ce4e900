import Quant

extension BenchQuantCommand {
    /// Indicator items of `bourse bench quant`.
    static var indicatorItems: [BenchItem] { [] }
}
