#!/usr/bin/env python3
"""Independent CSCV / PBO reference for Tests/QuantTests/Backtest/OverfittingTests.swift.

A direct implementation of Bailey, Borwein, López de Prado and Zhu (2015): for every IS block set from
itertools.combinations, per-period Sharpe (mean / std ddof 1) or mean computed from the raw rows with numpy,
IS winner = first argmax, OOS rank with scipy.stats.rankdata (average ties), logit, PBO, probability of loss and
the least-squares degradation slope (numpy.polyfit). The matrix is built from SplitMix64 exactly as the Swift test
does: r[t][n] = (u - 0.5) * 0.02 + drift(n), u = (next() >> 11) / 2**53, drawn row by row.

Run: python3 Tests/QuantTests/Fixtures/pbo_reference.py
"""
import itertools

import numpy as np
from scipy.stats import rankdata

MASK = (1 << 64) - 1


def splitmix(seed):
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield (z ^ (z >> 31)) & MASK


def matrix(rows, cols, seed, drift_step):
    gen = splitmix(seed)
    out = np.empty((rows, cols))
    for t in range(rows):
        for n in range(cols):
            u = (next(gen) >> 11) / float(1 << 53)
            out[t, n] = (u - 0.5) * 0.02 + drift_step * (n % 4)
    return out


def cscv(m, blocks, measure):
    rows = m.shape[0]
    size = rows // blocks
    m = m[rows % blocks:]  # drop the first T mod S rows
    parts = [m[b * size:(b + 1) * size] for b in range(blocks)]
    score = (lambda x: x.mean(axis=0) / x.std(axis=0, ddof=1)) if measure == "sharpe" else (lambda x: x.mean(axis=0))
    logits, is_best, oos_best = [], [], []
    n = m.shape[1]
    for chosen in itertools.combinations(range(blocks), blocks // 2):
        ins = np.vstack([parts[b] for b in chosen])
        oos = np.vstack([parts[b] for b in range(blocks) if b not in chosen])
        s_is, s_oos = score(ins), score(oos)
        best = int(np.argmax(s_is))
        omega = rankdata(s_oos)[best] / (n + 1)
        logits.append(np.log(omega / (1 - omega)))
        is_best.append(s_is[best])
        oos_best.append(s_oos[best])
    logits = np.array(logits)
    slope, intercept = np.polyfit(is_best, oos_best, 1)
    return {
        "splits": len(logits),
        "pbo": float(np.mean(logits <= 0)),
        "logit_mean": logits.mean(), "logit_std": logits.std(ddof=1), "logit_median": float(np.median(logits)),
        "logit_min": logits.min(), "logit_max": logits.max(),
        "slope": slope, "intercept": intercept,
        "prob_loss": float(np.mean(np.array(oos_best) < 0)),
        "first_logits": logits[:3].tolist(),
    }


CASES = [
    ("drift", 1003, 20, 42, 0.0003, 16, "sharpe"),
    ("weak-drift", 1003, 20, 42, 0.00005, 16, "sharpe"),
    ("drift-mean", 1003, 20, 42, 0.0003, 16, "mean"),
    ("noise", 400, 10, 7, 0.0, 8, "sharpe"),
]

if __name__ == "__main__":
    for name, rows, cols, seed, drift, blocks, measure in CASES:
        result = cscv(matrix(rows, cols, seed, drift), blocks, measure)
        print(name, {k: (repr(float(v)) if isinstance(v, (float, np.floating)) else v) for k, v in result.items()})
