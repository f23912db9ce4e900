import Foundation
@testable import Quant
import Testing

@Suite("Portfolio in several currencies")
struct PortfolioCurrencyTests {
    /// Base USD: 10,000 USD in, 5,500 USD changed into 5,000 EUR at 1.10, 20 SAP bought at 200 EUR (+10 fee),
    /// EURUSD rises to 1.25, 10 SAP sold at 220 EUR (+10 fee).
    static func ledger() throws -> Ledger {
        try Ledger([
            Transaction(date: day("2024-01-02"), type: .deposit, symbol: "CASH", amount: 10000),
            Transaction(date: day("2024-01-02"), type: .withdrawal, symbol: "CASH", amount: -5500),
            Transaction(date: day("2024-01-02"), type: .deposit, symbol: "CASH", currency: "EUR", amount: 5000),
            Transaction(date: day("2024-01-03"), type: .buy, symbol: "SAP", quantity: 20, price: 200, fee: 10, currency: "EUR"),
            Transaction(date: day("2024-01-05"), type: .sell, symbol: "SAP", quantity: 10, price: 220, fee: 10, currency: "EUR"),
        ])
    }

    static let prices = PriceHistory(["SAP": [(day("2024-01-03"), 200), (day("2024-01-04"), 210), (day("2024-01-05"), 220), (day("2024-01-08"), 230)]])
    static let fx = FXRates(base: "USD", rates: ["EUR": [(day("2024-01-02"), dec("1.10")), (day("2024-01-03"), dec("1.10")),
                                                         (day("2024-01-04"), dec("1.20")), (day("2024-01-05"), dec("1.25"))]])

    @Test func aHandCheckedTwoCurrencyLedger() throws {
        let portfolio = try Portfolio(ledger: Self.ledger(), prices: Self.prices, fx: Self.fx)
        #expect(portfolio.isMultiCurrency)
        let h = portfolio.holdings(at: day("2024-01-05"))
        #expect(h.cashByCurrency == ["USD": 4500, "EUR": 3180])
        #expect(h.cash == dec("8475"))                        // 4500 + 3180 · 1.25
        #expect(h.value == dec("11225"))                      // 4500 + (3180 + 10 · 220) · 1.25
        #expect(h.netContributions == dec("10000"))           // 10000 − 5500 + 5000 · 1.10
        #expect(h.realized == dec("231.25"))                  // (2190 − 2005) EUR at the sale's 1.25
        #expect(h.unrealized == dec("243.75"))                // (2200 − 2005) EUR at 1.25
        #expect(h.fxGain == dec("750"))                       // 5000 EUR from 1.10 to 1.25
        #expect(h.tradeFees == dec("23.5"))                   // 10 · 1.10 + 10 · 1.25
        #expect(h.value - h.netContributions == h.totalGain)
        let sap = try #require(h.positions.first)
        #expect(sap.currency == "EUR" && sap.fxRate == dec("1.25") && sap.close == 220)
        #expect(sap.marketValue == 2750 && sap.costBasis == dec("2506.25") && sap.realized == dec("231.25"))
        #expect(h.lots.map(\.cost) == [dec("2506.25")])

        // No rate on Monday 8 January: Friday's 1.25 carries.
        let monday = portfolio.holdings(at: day("2024-01-08"))
        #expect(monday.value == dec("11350"))                 // 4500 + (3180 + 2300) · 1.25

        let daily = portfolio.dailyValuation(through: day("2024-01-05"))
        #expect(daily.start == day("2024-01-02"))
        #expect(zip(daily.values, [10000, 9989, 10728, 11225]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(abs(daily.flows[0] - 10000) < 1e-9)

        let s = try portfolio.performance(DateRange(from: day("2024-01-02"), to: day("2024-01-05")))
        #expect(abs(s.twr - 0.1225) < 1e-12)
        #expect(abs(s.twrLocal - 0.0418) < 1e-12)             // EUR held at 1.10: 4500 + 5380 · 1.10 = 10418
        #expect(abs(s.currencyEffect - (1.1225 / 1.0418 - 1)) < 1e-12)
        #expect(s.fxGain == 750)
        #expect(s.valueEnd - s.valueStart - s.netContributions
                == s.realized + s.unrealizedChange + s.transferredOutGain + s.dividends + s.interest - s.fees - s.taxes + s.fxGain)
    }

    @Test func aCurrencyWithoutARateOnItsFirstDayIsRefused() throws {
        let late = FXRates(base: "USD", rates: ["EUR": [(day("2024-01-03"), dec("1.10"))]])
        #expect(throws: CurrencyError.missingRate(currency: "EUR", pair: "EURUSD", date: day("2024-01-02"))) {
            try Portfolio(ledger: Self.ledger(), prices: Self.prices, fx: late)
        }
    }

    @Test func aSecurityInTwoCurrenciesIsRefused() throws {
        let ledger = try Ledger([
            Transaction(date: day("2024-01-02"), type: .buy, symbol: "SAP", quantity: 1, price: 1, currency: "EUR"),
            Transaction(date: day("2024-01-03"), type: .buy, symbol: "SAP", quantity: 1, price: 1),
        ])
        #expect(throws: CurrencyError.mixedSecurity(symbol: "SAP", currencies: ["EUR", "USD"])) {
            try Portfolio(ledger: ledger, fx: Self.fx)
        }
    }

    @Test func aOneCurrencyLedgerIsUnchanged() throws {
        let random = RandomLedger(seed: 7, rows: 150)
        let ledger = try Ledger(random.transactions)
        let plain = Portfolio(ledger: ledger, prices: PriceHistory(random.closes))
        let withFX = try Portfolio(ledger: ledger, prices: PriceHistory(random.closes), fx: .only("USD"))
        #expect(!withFX.isMultiCurrency)
        #expect(plain.holdings(at: random.end) == withFX.holdings(at: random.end))
        let range = DateRange(from: random.start, to: random.end)
        let a = try plain.performance(range), b = try withFX.performance(range)
        #expect(a == b)
        #expect(b.twrLocal == b.twr && b.currencyEffect == 0 && b.fxGain == 0)
    }

    /// A USD ledger and an EUR one (other symbols) merged, with a random EURUSD series.
    static func twoCurrencies(seed: UInt64) -> (transactions: [Transaction], closes: [String: [(date: LocalDate, close: Decimal)]], fx: FXRates, start: LocalDate, days: Int) {
        let usd = RandomLedger(seed: seed, rows: 100)
        let eur = RandomLedger(seed: seed &+ 1000, rows: 100, symbols: ["DDD", "EEE"])
        var rng = SplitMix64(seed: seed)
        var rate = 11_000, rates: [(date: LocalDate, rate: Decimal)] = []
        for d in 0..<usd.days where d == 0 || Int.random(in: 0..<7, using: &rng) < 5 {
            rate = max(5_000, rate + Int.random(in: -200...200, using: &rng))
            rates.append((usd.start.adding(days: d), Decimal(rate) / 10_000))
        }
        let eurRows = eur.transactions.map { t in
            var t = t
            t.currency = "EUR"
            return t
        }
        return (usd.transactions + eurRows, usd.closes.merging(eur.closes) { a, _ in a }, FXRates(base: "USD", rates: ["EUR": rates]), usd.start, usd.days)
    }

    @Test(arguments: 1...25)
    func theIdentityHoldsExactlyInTheBaseCurrency(seed: UInt64) throws {
        let r = Self.twoCurrencies(seed: seed)
        let ledger = try Ledger(r.transactions)
        for method in CostMethod.allCases {
            let portfolio = try Portfolio(ledger: ledger, prices: PriceHistory(r.closes), method: method, fx: r.fx)
            for offset in [0, 37, 200, r.days - 1] {
                let date = r.start.adding(days: offset)
                let h = portfolio.holdings(at: date)
                #expect(h.value - h.netContributions == h.totalGain, "seed \(seed) \(method) day \(offset)")
                #expect(h.value == h.cash + h.positions.reduce(0) { $0 + $1.marketValue })
                let x = r.fx.rate("EUR", on: date)!.rate
                #expect(h.cash == (h.cashByCurrency["USD"] ?? 0) + (h.cashByCurrency["EUR"] ?? 0) * x)
                let daily = portfolio.dailyValuation(through: date)
                #expect(abs(daily.values.last! - h.value.double) < 1e-6 * max(1, abs(h.value.double)))
            }
            let s = try portfolio.performance(DateRange(from: r.start.adding(days: 50), to: r.start.adding(days: 300)))
            #expect(s.valueEnd - s.valueStart - s.netContributions
                    == s.realized + s.unrealizedChange + s.transferredOutGain + s.dividends + s.interest - s.fees - s.taxes + s.fxGain, "seed \(seed)")
            #expect(abs((1 + s.twr) - (1 + s.twrLocal) * (1 + s.currencyEffect)) < 1e-12)
        }
    }
}
