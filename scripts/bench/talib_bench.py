#!/usr/bin/env python3
"""TA-Lib side of the `bourse bench quant` comparison.

Builds the SAME synthetic series as BenchQuantCommand.makeData (a SplitMix64-seeded geometric random walk,
seed 42, ported operation for operation below), then times TA-Lib's C core in-process on it: one warm-up call,
then the best of --repetitions calls measured with time.perf_counter_ns, printed as ns per bar in the bench's
format (`NAME ns_per_bar`). The first line prints sequential sums of the generated columns; BENCHMARKS.md records
that they equal the same sums computed from the Swift `makeData` itself.

Usage: /tmp/talib-venv/bin/python scripts/bench/talib_bench.py [--bars 1000000] [--repetitions 5]
"""
import argparse
import math
import time

import numpy as np
import talib

MASK = (1 << 64) - 1


def make_data(bars: int, seed: int = 42):
    state = seed

    def next_unit() -> float:
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z = z ^ (z >> 31)
        return float(z >> 11) / float(1 << 53)

    o, h, l, c, v = (np.empty(bars) for _ in range(5))
    price = 100.0
    for i in range(bars):
        r = (next_unit() - 0.5) * 0.04
        op = price
        cl = max(0.01, price * (1 + r))
        h[i] = max(op, cl) * (1 + next_unit() * 0.01)
        l[i] = min(op, cl) * (1 - next_unit() * 0.01)
        v[i] = 1_000 + round_half_away(next_unit() * 1_000_000)
        o[i], c[i] = op, cl
        price = cl
    return o, h, l, c, v


def round_half_away(x: float) -> float:
    """Swift's `.rounded()` (schoolbook rounding) for x >= 0, exactly: x - floor(x) is exact for doubles."""
    whole = math.floor(x)
    return float(whole + 1 if x - whole >= 0.5 else whole)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    o, h, l, c, v = make_data(args.bars)
    # Sequential sums, as Swift's reduce(0, +), to compare with the Swift series.
    print(f"# TA-Lib {talib.__version__}, {args.bars} bars, close sum {sum(c.tolist())!r}, "
          f"last close {float(c[-1])!r}, high sum {sum(h.tolist())!r}, low sum {sum(l.tolist())!r}, "
          f"volume sum {sum(v.tolist())!r}")
    items = {
        "SMA_20": lambda: talib.SMA(c, 20),
        "EMA_20": lambda: talib.EMA(c, 20),
        "WMA_20": lambda: talib.WMA(c, 20),
        "DEMA_20": lambda: talib.DEMA(c, 20),
        "TEMA_20": lambda: talib.TEMA(c, 20),
        "KAMA_10": lambda: talib.KAMA(c, 10),
        "TRIX_30": lambda: talib.TRIX(c, 30),
        "RSI_14": lambda: talib.RSI(c, 14),
        "MACD_12_26_9": lambda: talib.MACD(c, 12, 26, 9),
        "PPO_12_26": lambda: talib.PPO(c, 12, 26, matype=1),
        "ROC_10": lambda: talib.ROC(c, 10),
        "MOM_10": lambda: talib.MOM(c, 10),
        "BBANDS_20_2": lambda: talib.BBANDS(c, 20, 2, 2, 0),
        "ATR_14": lambda: talib.ATR(h, l, c, 14),
        "STOCH_14_3_3": lambda: talib.STOCH(h, l, c, 14, 3, 0, 3, 0),
        "STOCHF_14_3": lambda: talib.STOCHF(h, l, c, 14, 3, 0),
        "STOCHRSI_14_14_3": lambda: talib.STOCHRSI(c, 14, 14, 3, 0),
        "WILLR_14": lambda: talib.WILLR(h, l, c, 14),
        "CCI_20": lambda: talib.CCI(h, l, c, 20),
        "ULTOSC_7_14_28": lambda: talib.ULTOSC(h, l, c, 7, 14, 28),
        "ADX_14": lambda: talib.ADX(h, l, c, 14),
        "AROON_14": lambda: talib.AROONOSC(h, l, 14),
        "SAR_0.02_0.2": lambda: talib.SAR(h, l, 0.02, 0.2),
        "OBV": lambda: talib.OBV(c, v),
        "AD": lambda: talib.AD(h, l, c, v),
        "MFI_14": lambda: talib.MFI(h, l, c, v, 14),
    }
    for name, work in items.items():
        work()
        best = min(_timed(work) for _ in range(args.repetitions))
        print(f"{name} {best / args.bars:.3f}")


def _timed(work) -> int:
    start = time.perf_counter_ns()
    work()
    return time.perf_counter_ns() - start


if __name__ == "__main__":
    main()
