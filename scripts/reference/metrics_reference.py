#!/usr/bin/env python3
"""Reference numbers for the Quant performance/risk metrics (Tests/QuantTests/Fixtures/metrics-*).

Computed with empyrical-reloaded (the maintained fork of quantopian/empyrical), whose conventions Quant
follows. Where empyrical has no function (drawdown dates, parametric VaR, correlation matrix) the numbers
come from numpy/scipy/pandas with the formula written next to them.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install empyrical-reloaded==0.7.1
    /tmp/venv/bin/python scripts/reference/metrics_reference.py [--prices Tests/Fixtures/prices] [--out Tests/QuantTests/Fixtures]

Prices are the `Close` column of the Yahoo files in Tests/Fixtures/prices; returns are simple close-to-close
returns p[i]/p[i-1]-1. Benchmark pairs are aligned by inner-joining the two price files on Date first and then
taking returns between consecutive common dates (what `bourse quant metrics --benchmark` does).
"""
import argparse
import json
import math
import os

import empyrical as ep
import numpy as np
import pandas as pd
from scipy.stats import norm

LEVELS = (0.95, 0.99)
ROLL_WINDOW = 63

# A short series that can be checked by hand, and a benchmark for it.
HAND = [0.01, -0.02, 0.03, -0.01, 0.02, 0.0, -0.03, 0.015, 0.005, -0.005]
HAND_BENCH = [0.008, -0.01, 0.02, -0.012, 0.01, 0.002, -0.02, 0.01, 0.0, -0.004]


def num(x):
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def drawdown_episode(r):
    """Wealth curve w[0]=1, w[i]=prod(1+r[:i]); trough = first argmin of w/runmax-1; peak = last index <= trough
    at the running max; recovery = first index after trough with w >= w[peak] (None if never)."""
    w = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    m = np.maximum.accumulate(w)
    dd = (w - m) / m
    trough = int(np.argmin(dd))
    if dd[trough] == 0:
        return None
    peak = int(np.nonzero(w[: trough + 1] >= m[trough])[0][-1])
    after = np.nonzero(w[trough + 1 :] >= w[peak])[0]
    recovery = int(trough + 1 + after[0]) if len(after) else None
    return {"peak": peak, "trough": trough, "recovery": recovery}


def metrics(r, periods, rf):
    r = np.asarray(r, dtype=float)
    out = {
        "cumulative_return": num(ep.cum_returns_final(r)),
        "annual_return": num(ep.annual_return(r, annualization=periods)),
        "annual_volatility": num(ep.annual_volatility(r, annualization=periods)),
        "sharpe": num(ep.sharpe_ratio(r, risk_free=rf, annualization=periods)),
        "sortino": num(ep.sortino_ratio(r, required_return=rf, annualization=periods)),
        "downside_risk": num(ep.downside_risk(r, required_return=rf, annualization=periods)),
        "calmar": num(ep.calmar_ratio(r, annualization=periods)),
        "omega": num(ep.omega_ratio(r, risk_free=rf, required_return=0.0, annualization=periods)),
        "max_drawdown": num(ep.max_drawdown(r)),
        "drawdown": drawdown_episode(r),
    }
    for level in LEVELS:
        tag = str(round(level * 100))
        out["var_" + tag] = num(ep.value_at_risk(r, cutoff=1 - level))  # np.percentile, linear interpolation
        out["cvar_" + tag] = num(ep.conditional_value_at_risk(r, cutoff=1 - level))
        # Gaussian VaR: mean + std(ddof=1) * Phi^-1(1 - level), per period.
        out["parametric_var_" + tag] = num(np.mean(r) + np.std(r, ddof=1) * norm.ppf(1 - level))
    return out


def factor(r, b, periods, rf):
    r, b = np.asarray(r, dtype=float), np.asarray(b, dtype=float)
    alpha, beta = ep.alpha_beta_aligned(r, b, risk_free=rf, annualization=periods)
    return {"alpha": num(alpha), "beta": num(beta)}


def closes(prices, name):
    frame = pd.read_csv(os.path.join(prices, name))
    return frame.set_index("Date")["Close"]


def aligned(prices, a, b):
    joined = pd.concat([closes(prices, a), closes(prices, b)], axis=1, join="inner").dropna()
    ra = joined.iloc[:, 0].pct_change().dropna()
    rb = joined.iloc[:, 1].pct_change().dropna()
    return joined, ra.to_numpy(), rb.to_numpy()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser()
    parser.add_argument("--prices", default=os.path.join(repo, "Tests", "Fixtures", "prices"))
    parser.add_argument("--out", default=os.path.join(repo, "Tests", "QuantTests", "Fixtures"))
    args = parser.parse_args()

    series = []
    series.append({"name": "hand", "returns": HAND, "periods_per_year": 252, "risk_free": 0.0,
                   "metrics": metrics(HAND, 252, 0.0)})
    series.append({"name": "hand-monthly-rf", "returns": HAND, "periods_per_year": 12, "risk_free": 0.001,
                   "metrics": metrics(HAND, 12, 0.001)})
    for file, rf in (("orcl-1995-2014.csv", 0.0), ("yhoo-1996-2014.csv", 0.0001), ("nvda-1999-2014.csv", 0.0)):
        prices = closes(args.prices, file).to_numpy()
        r = prices[1:] / prices[:-1] - 1
        series.append({"name": file, "file": file, "column": "Close", "periods_per_year": 252, "risk_free": rf,
                       "count": len(r), "metrics": metrics(r, 252, rf)})

    pairs = [{"name": "hand", "returns": HAND, "benchmark": HAND_BENCH, "periods_per_year": 252,
              "risk_free": 0.0005, **factor(HAND, HAND_BENCH, 252, 0.0005)}]
    for a, b, rf in (("yhoo-1996-2014.csv", "orcl-1995-2014.csv", 0.0), ("nvda-1999-2014.csv", "orcl-1995-2014.csv", 0.0001)):
        joined, ra, rb = aligned(args.prices, a, b)
        pairs.append({"name": f"{a} vs {b}", "file": a, "benchmark_file": b, "periods_per_year": 252,
                      "risk_free": rf, "count": len(ra), "first_date": joined.index[0], **factor(ra, rb, 252, rf)})

    with open(os.path.join(args.out, "metrics-reference.json"), "w") as f:
        json.dump({"generator": f"scripts/reference/metrics_reference.py, empyrical-reloaded {ep.__version__}, "
                                f"numpy {np.__version__}, scipy (norm.ppf), pandas {pd.__version__}",
                   "series": series, "pairs": pairs}, f, indent=1)

    # Rolling metrics (window 63) of ORCL against YHOO over their common dates, one row per window end.
    joined, ro, ry = aligned(args.prices, "orcl-1995-2014.csv", "yhoo-1996-2014.csv")
    vol = ep.roll_annual_volatility(ro, ROLL_WINDOW, annualization=252)
    sharpe = ep.roll_sharpe_ratio(ro, ROLL_WINDOW, risk_free=0.0001, annualization=252)
    beta = ep.roll_beta(ro, ry, ROLL_WINDOW)
    dates = joined.index[ROLL_WINDOW:]  # return i ends at price row i+1; window k ends at return k+w-1
    with open(os.path.join(args.out, "metrics-rolling-orcl-yhoo-63.csv"), "w") as f:
        f.write("Date,volatility,sharpe,beta\n")
        for d, v, s, bb in zip(dates, vol, sharpe, beta):
            f.write(f"{d},{float(v)!r},{float(s)!r},{float(bb)!r}\n")

    # Pearson correlation of the three return series over the dates all three files share.
    frame = pd.concat([closes(args.prices, n) for n in ("orcl-1995-2014.csv", "yhoo-1996-2014.csv", "nvda-1999-2014.csv")],
                      axis=1, join="inner")
    rets = frame.pct_change().dropna()
    corr = np.corrcoef(rets.to_numpy().T)
    with open(os.path.join(args.out, "metrics-correlation.json"), "w") as f:
        json.dump({"files": ["orcl-1995-2014.csv", "yhoo-1996-2014.csv", "nvda-1999-2014.csv"],
                   "first_date": frame.index[0], "count": len(rets), "matrix": corr.tolist()}, f, indent=1)


if __name__ == "__main__":
    main()
