#!/usr/bin/env python3
"""Reference outputs of TA-Lib for the Quant indicator tests.

Reads the first ROWS rows of Tests/Fixtures/prices/orcl-1995-2014.csv (see Tests/Fixtures/README.md),
runs TA-Lib (PyPI wheel `TA-Lib`, which bundles the TA-Lib C core) with the parameters below and writes
Tests/QuantTests/Fixtures/talib-orcl-300.csv: the input columns, then one column per output, an empty cell
where TA-Lib returns NaN, floats in Python's shortest round-trip form.

Usage: python3 -m venv /tmp/talib-venv && /tmp/talib-venv/bin/pip install TA-Lib numpy
       /tmp/talib-venv/bin/python scripts/reference/talib_reference.py
"""
import csv
import math
import pathlib

import numpy as np
import talib

ROWS = 300
repo = pathlib.Path(__file__).resolve().parents[2]
source = repo / "Tests" / "Fixtures" / "prices" / "orcl-1995-2014.csv"
target = repo / "Tests" / "QuantTests" / "Fixtures" / "talib-orcl-300.csv"

with source.open() as f:
    rows = list(csv.DictReader(f))[:ROWS]
d = [r["Date"] for r in rows]
o, h, l, c, v = (np.array([float(r[k]) for r in rows]) for k in ("Open", "High", "Low", "Close", "Volume"))

out = {
    "SMA_20": talib.SMA(c, 20),
    "EMA_20": talib.EMA(c, 20),
    "WMA_9": talib.WMA(c, 9),
    "DEMA_30": talib.DEMA(c, 30),
    "TEMA_30": talib.TEMA(c, 30),
    "KAMA_10": talib.KAMA(c, 10),
    "TRIX_30": talib.TRIX(c, 30),
    "RSI_14": talib.RSI(c, 14),
    "CCI_20": talib.CCI(h, l, c, 20),
    "WILLR_14": talib.WILLR(h, l, c, 14),
    "ROC_10": talib.ROC(c, 10),
    "MOM_10": talib.MOM(c, 10),
    "PPO_12_26_EMA": talib.PPO(c, 12, 26, matype=1),
    "ATR_14": talib.ATR(h, l, c, 14),
    "TRANGE": talib.TRANGE(h, l, c),
    "ADX_14": talib.ADX(h, l, c, 14),
    "PLUS_DI_14": talib.PLUS_DI(h, l, c, 14),
    "MINUS_DI_14": talib.MINUS_DI(h, l, c, 14),
    "AROONOSC_14": talib.AROONOSC(h, l, 14),
    "SAR_0.02_0.2": talib.SAR(h, l, 0.02, 0.2),
    "OBV": talib.OBV(c, v),
    "AD": talib.AD(h, l, c, v),
    "MFI_14": talib.MFI(h, l, c, v, 14),
    "ULTOSC_7_14_28": talib.ULTOSC(h, l, c, 7, 14, 28),
}
out["MACD_12_26_9"], out["MACD_SIGNAL_12_26_9"], out["MACD_HIST_12_26_9"] = talib.MACD(c, 12, 26, 9)
out["BB_UPPER_20_2"], out["BB_MIDDLE_20_2"], out["BB_LOWER_20_2"] = talib.BBANDS(c, 20, 2, 2, 0)
out["STOCH_SLOWK_14_3_3"], out["STOCH_SLOWD_14_3_3"] = talib.STOCH(h, l, c, 14, 3, 0, 3, 0)
out["STOCHF_FASTK_14_3"], out["STOCHF_FASTD_14_3"] = talib.STOCHF(h, l, c, 14, 3, 0)
out["STOCHRSI_FASTK_14_14_3"], out["STOCHRSI_FASTD_14_14_3"] = talib.STOCHRSI(c, 14, 14, 3, 0)
out["AROON_DOWN_14"], out["AROON_UP_14"] = talib.AROON(h, l, 14)


def cell(x: float) -> str:
    return "" if math.isnan(x) else repr(float(x))


with target.open("w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["Date", "Open", "High", "Low", "Close", "Volume", *out])
    for i in range(ROWS):
        w.writerow([d[i], *(repr(float(a[i])) for a in (o, h, l, c, v)), *(cell(a[i]) for a in out.values())])
print(f"wrote {target.relative_to(repo)} ({ROWS} rows, {len(out)} outputs, TA-Lib {talib.__version__}, "
      f"C core {talib.__ta_version__.decode() if isinstance(talib.__ta_version__, bytes) else talib.__ta_version__})")
