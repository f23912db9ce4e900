import Foundation
import Quant

func day(_ text: String) -> LocalDate { LocalDate(text)! }
func dec(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

/// Random but valid ledgers and their closes, reproducible from a seed.
struct RandomLedger {
    var transactions: [Transaction] = []
    var closes: [String: [(date: LocalDate, close: Decimal)]] = [:]
    let start = day("2020-01-01")
    let days: Int

    init(seed: UInt64, rows: Int, days: Int = 400, symbols: [String] = ["AAA", "BBB", "CCC"], transfers: Bool = true) {
        var rng = SplitMix64(seed: seed)
        self.days = days
        var price: [String: Int] = [:]  // cents
        for s in symbols {
            price[s] = Int.random(in: 1_000...20_000, using: &rng)
            var series: [(date: LocalDate, close: Decimal)] = []
            var p = price[s]!
            for d in 0..<days where Int.random(in: 0..<7, using: &rng) < 5 {
                p = max(100, p + Int.random(in: -p / 20...p / 20, using: &rng))
                series.append((start.adding(days: d), Decimal(p) / 100))
            }
            closes[s] = series
        }
        var cash = Decimal(Int.random(in: 5_000...50_000, using: &rng))
        var held: [String: Decimal] = [:]
        transactions.append(Transaction(date: start, type: .deposit, symbol: "CASH", amount: cash))
        func cents(_ range: ClosedRange<Int>) -> Decimal { Decimal(Int.random(in: range, using: &rng)) / 100 }
        let dates = (0..<rows).map { _ in Int.random(in: 0..<days, using: &rng) }.sorted()
        for d in dates {
            let date = start.adding(days: d)
            let s = symbols.randomElement(using: &rng)!
            let p = Decimal(price[s]!) / 100 + cents(-300...300)
            let q = Decimal(Int.random(in: 1...40, using: &rng))
            let have = held[s] ?? 0
            var t: Transaction
            switch Int.random(in: 0..<20, using: &rng) {
            case 0..<7:
                t = Transaction(date: date, type: .buy, symbol: s, quantity: q, price: max(p, 1), fee: cents(0...900))
                if -t.cashEffect > cash { t = Transaction(date: date, type: .deposit, symbol: "CASH", amount: -t.cashEffect) }
            case 7..<12 where have > 0:
                let sold = Int.random(in: 0..<3, using: &rng) == 0 ? have : min(have, q)
                t = Transaction(date: date, type: .sell, symbol: s, quantity: sold, price: max(p, 1), fee: cents(0...500))
            case 12 where have > 0:
                t = Transaction(date: date, type: .dividend, symbol: s, quantity: have, price: cents(1...80), fee: cents(0...20))
            case 13:
                t = Transaction(date: date, type: .interest, symbol: "CASH", quantity: 1, price: cents(1...5_000))
            case 14:
                t = Transaction(date: date, type: .fee, symbol: "CASH", fee: cents(1...2_000))
            case 15:
                t = Transaction(date: date, type: .tax, symbol: "CASH", fee: cents(1...2_000))
            case 16 where cash > 100:
                t = Transaction(date: date, type: .withdrawal, symbol: "CASH", amount: -(cash / 4).rounded2)
            case 17 where have > 0:
                t = Transaction(date: date, type: .split, symbol: s, quantity: [2, 3, dec("1.5"), dec("0.5")].randomElement(using: &rng)!)
            case 18 where transfers:
                t = Transaction(date: date, type: .transferIn, symbol: s, quantity: q, price: max(p, 1))
            case 19 where transfers && have > 0:
                t = Transaction(date: date, type: .transferOut, symbol: s, quantity: min(have, q), price: max(p, 1))
            default:
                t = Transaction(date: date, type: .deposit, symbol: "CASH", amount: cents(100...500_000))
            }
            cash += t.cashEffect
            switch t.type {
            case .buy, .transferIn: held[s] = have + t.quantity
            case .sell, .transferOut: held[s] = have - t.quantity
            case .split: held[s] = have * t.quantity
            default: break
            }
            if t.type == .split { price[s] = NSDecimalNumber(decimal: Decimal(price[s]!) / t.quantity).intValue }
            transactions.append(t)
        }
    }

    var end: LocalDate { start.adding(days: days - 1) }
}

extension Decimal {
    var rounded2: Decimal {
        var x = self, r = Decimal()
        NSDecimalRound(&r, &x, 2, .plain)
        return r
    }
}
