#!/usr/bin/env python3
"""Peer side of the backtesting benchmark: vectorbt and backtrader on the same synthetic data as Bourse.

Run it through scripts/bench/backtest_peers.sh, which makes the virtualenv with pinned versions. Directly:

    <venv>/bin/python scripts/bench/backtest_peers.py [--symbols 500] [--bars 2520] [--data PATH]
                                                     [--only vectorbt|backtrader] [--quick]

--quick is a smoke check: 20 symbols (its own data file), a 100,000-order case c and a 5-symbol backtrader run.

THE DATA FILE (read by the Swift benchmark as well)
---------------------------------------------------
Default path: /tmp/bourse-bench/synthetic-{symbols}x{bars}.csv, i.e. /tmp/bourse-bench/synthetic-500x2520.csv.
Written once (atomically, through a .tmp file and a rename) and never rewritten while it exists.

* CSV, UTF-8, '\\n' line ends, one header line: `symbol,date,open,high,low,close,volume`.
* Long format, sorted by symbol, then by date: all bars of S0000, then all bars of S0001, ...
  The file holds exactly symbols × bars data rows (1,260,000 by default), no gaps, no missing values.
* symbol: `S` + 4-digit zero-padded index, S0000 .. S{symbols-1}.
* date: ISO `YYYY-MM-DD`, consecutive weekdays (Mon..Fri, no holidays) from 2010-01-04 (a Monday);
  2,520 bars end on 2019-08-30. Every symbol has the same dates.
* open, high, low, close: decimal with exactly 4 fractional digits (`%.4f`); low <= min(open, close) and
  high >= max(open, close) hold in the written (rounded) values.
* volume: integer, 100,000 ..= 10,000,000.

Generation (deterministic; numpy's PCG64 `default_rng`, seed 42). Symbol i draws from its own stream,
`np.random.default_rng(np.random.SeedSequence(42).spawn(symbols)[i])`, so a file with fewer symbols holds the same
first symbols as a larger one (for the same number of bars). Per symbol, in this draw order:
    p0      = uniform(20, 200)                      start price
    z_c     = standard_normal(bars)                 close log returns: r = 0.0003 + 0.02 * z_c   (GBM, per day)
    z_o     = standard_normal(bars)                 open gap:  open[t] = close[t-1] * exp(0.002 * z_o[t]),
                                                               open[0] = p0 * exp(0.002 * z_o[0])
    close[t] = close[t-1] * exp(r[t]),  close[-1] := p0 (so close[0] = p0 * exp(r[0]))
    u_h     = |standard_normal(bars)|, u_l = |standard_normal(bars)|
    high    = max(open, close) * exp(0.005 * u_h);  low = min(open, close) * exp(-0.005 * u_l)
    volume  = integers(100_000, 10_000_000, endpoint=True, size=bars)

THE CASES (each in a fresh child process; CSV loading is never timed)
-------------------------------------------------------------------
a  vectorbt SMA 50/200 crossover over all symbols: vbt.MA.run(close, 50) and (close, 200), entries =
   fast.ma_crossed_above(slow), exits = fast.ma_crossed_below(slow), Portfolio.from_signals(close, entries, exits,
   fees=0.001, init_cash=100000) (defaults otherwise: long only, size = all cash, fill at that bar's close, no cash
   sharing, so init_cash is per column), then pf.total_return(). Timed: MA .. total_return. Run twice in the same
   process: the first run ("cold": numba's on-disk cache of vectorbt's functions loads, anything uncached compiles)
   and the second ("warm") are reported separately.
   vectorbt's crossing rule: fast crosses above slow at bar t when fast[t] > slow[t] and the last bar before t where
   fast != slow had fast < slow (a NaN in either resets it), i.e. no signal until both MAs exist.
b  vectorbt 10×10 grid: fast windows 10,15,..,55 × slow windows 100,120,..,280 = 100 pairs, each over every symbol
   (100 × symbols columns). Two MA.run calls with the 100 paired window lists (vectorbt computes each unique window
   once), crossed above/below, from_signals and total_return as in a. Timed after an untimed warm-up of the same
   pipeline on 2 symbols × 2 pairs, so it is a warm figure.
c  vectorbt 1,000,000 market orders: Portfolio.from_orders(close, size) on one column of 1,000,000 bars, size
   alternating +1, -1, +1, ... (every bar one order), fees=0.001, init_cash=100000, then total_return.
   Close series (not from the CSV): default_rng(42), close = 100 * exp(cumsum(0.001 * standard_normal(n))).
   Run twice in the same process, both reported (first, second).
d  backtrader SMA 50/200 crossover: one Cerebro per symbol (run one after another in the same process),
   bt.indicators.CrossOver(SMA(50), SMA(200)); crossover > 0 and flat -> order_target_percent(0.99); crossover < 0
   and long -> close(). Broker cash 100000, commission 0.001, cheat-on-close (fills at the signal bar's close, as
   vectorbt does), stdstats=False (no observers: nothing is plotted; faster than the default). If the
   projected full run exceeds --bt-budget seconds (200) it runs the first 50 symbols only and reports the measured
   bars/s and an EXTRAPOLATED full time.

Peak RSS: `peak_rss_mb` is the child's whole-process maximum RSS (os.wait4 ru_maxrss: interpreter, imports, CSV
loading included); `phase_peak_mb` is the peak during the timed part only (the child writes 5 to
/proc/self/clear_refs to reset VmHWM right before it and reads VmHWM right after; it still counts what was resident
before: `rss_before_mb`).

Seconds are wall clock (time.perf_counter) of the timed part; `cpu_seconds` its process CPU time.

Output: a markdown table, then one JSON object per case on lines starting with `JSON `.
"""
import argparse
import datetime as dt
import gc
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

HERE = os.path.abspath(__file__)
START_DATE = dt.date(2010, 1, 4)


# ----------------------------------------------------------------------------------------------------- data


def weekdays(start: dt.date, n: int) -> list:
    out, d = [], start
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d.isoformat())
        d += dt.timedelta(days=1)
    return out


def generate_csv(path: str, symbols: int, bars: int) -> None:
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    t0 = time.perf_counter()
    dates = np.array(weekdays(START_DATE, bars), dtype=object)
    streams = np.random.SeedSequence(42).spawn(symbols)
    tmp = path + ".tmp"
    with open(tmp, "w", newline="\n") as f:
        f.write("symbol,date,open,high,low,close,volume\n")
        for i in range(symbols):
            rng = np.random.default_rng(streams[i])
            p0 = rng.uniform(20.0, 200.0)
            r = 0.0003 + 0.02 * rng.standard_normal(bars)
            z_o = rng.standard_normal(bars)
            u_h = np.abs(rng.standard_normal(bars))
            u_l = np.abs(rng.standard_normal(bars))
            volume = rng.integers(100_000, 10_000_000, endpoint=True, size=bars)
            close = p0 * np.exp(np.cumsum(r))
            prev = np.concatenate(([p0], close[:-1]))
            open_ = prev * np.exp(0.002 * z_o)
            high = np.maximum(open_, close) * np.exp(0.005 * u_h)
            low = np.minimum(open_, close) * np.exp(-0.005 * u_l)
            sym = "S%04d" % i
            lines = [
                "%s,%s,%.4f,%.4f,%.4f,%.4f,%d\n" % (sym, dates[t], open_[t], high[t], low[t], close[t], volume[t])
                for t in range(bars)
            ]
            f.writelines(lines)
    os.replace(tmp, path)
    print(f"# wrote {path} ({symbols} symbols x {bars} bars) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


def load_wide(path: str, symbols: int, bars: int, columns=("close",)):
    """Loads the long CSV into one wide (date x symbol) float64 DataFrame per requested column."""
    import pandas as pd

    usecols = ["symbol", "date", *columns]
    df = pd.read_csv(path, usecols=usecols, dtype={c: "float64" for c in columns})
    out = {}
    for c in columns:
        w = df.pivot(index="date", columns="symbol", values=c)
        w.index = pd.DatetimeIndex(w.index)
        w = w.iloc[:bars, :symbols]
        out[c] = w.astype("float64")
    del df
    gc.collect()
    return out


# ----------------------------------------------------------------------------------------------------- memory


def proc_status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class Phase:
    """Times a block and records the RSS before it and the peak RSS during it."""

    def __enter__(self):
        gc.collect()
        self.rss_before_mb = proc_status_kb("VmRSS") / 1024
        self.reset = reset_hwm()
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()
        self.marks = {}
        return self

    def mark(self, name):
        self.marks[name] = round(time.perf_counter() - self.t0, 4)

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu_seconds = time.process_time() - self.c0
        self.phase_peak_mb = proc_status_kb("VmHWM") / 1024 if self.reset else None
        return False

    def result(self):
        return {
            "seconds": round(self.seconds, 4),
            "cpu_seconds": round(self.cpu_seconds, 4),
            "marks": self.marks,
            "rss_before_mb": round(self.rss_before_mb, 1),
            "phase_peak_mb": None if self.phase_peak_mb is None else round(self.phase_peak_mb, 1),
        }


# ----------------------------------------------------------------------------------------------------- cases (child)


def vbt_crossover(close, fast_w, slow_w, ph):
    import vectorbt as vbt

    fast = vbt.MA.run(close, fast_w, short_name="fast")
    slow = vbt.MA.run(close, slow_w, short_name="slow")
    ph.mark("ma")
    entries = fast.ma_crossed_above(slow)
    exits = fast.ma_crossed_below(slow)
    ph.mark("signals")
    pf = vbt.Portfolio.from_signals(close, entries, exits, fees=0.001, init_cash=100000)
    ph.mark("from_signals")
    tr = pf.total_return()
    ph.mark("total_return")
    return pf, tr


def case_vbt_sma(args):
    import vectorbt  # noqa: F401  (imported before the timed part: its ~2.5 s import is not a backtest)

    close = load_wide(args.data, args.symbols, args.bars)["close"]
    rows = []
    for label in ("cold", "warm"):
        with Phase() as ph:
            pf, tr = vbt_crossover(close, 50, 200, ph)
        r = ph.result()
        r.update(
            case=f"a SMA 50/200 crossover, {label}",
            peer="vectorbt",
            columns=int(close.shape[1]),
            bars=int(close.shape[0]),
            orders=int(pf.orders.count().sum()),
            mean_total_return=float(tr.mean()),
        )
        rows.append(r)
        del pf, tr
    return rows


def case_vbt_grid(args):
    close = load_wide(args.data, args.symbols, args.bars)["close"]
    fast_ws = list(range(10, 56, 5))
    slow_ws = list(range(100, 281, 20))
    fw = [f for f in fast_ws for _ in slow_ws]
    sw = [s for _ in fast_ws for s in slow_ws]
    # Warm-up, untimed: the same pipeline on 2 symbols x 2 pairs loads (or compiles) every numba kernel, so the
    # figure is the warm one (case a shows the cold/warm difference).
    with Phase() as warm:
        vbt_crossover(close.iloc[:, :2], fw[:2], sw[:2], warm)
    del warm
    with Phase() as ph:
        pf, tr = vbt_crossover(close, fw, sw, ph)
    r = ph.result()
    r.update(
        case="b 10x10 window grid",
        peer="vectorbt",
        columns=int(tr.shape[0]),
        bars=int(close.shape[0]),
        orders=int(pf.orders.count().sum()),
        mean_total_return=float(tr.mean()),
    )
    return [r]


def case_vbt_orders(args):
    import pandas as pd
    import vectorbt as vbt

    n = args.orders
    rng = np.random.default_rng(42)
    close = pd.Series(100.0 * np.exp(np.cumsum(0.001 * rng.standard_normal(n))))
    size = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    with Phase() as ph:
        pf = vbt.Portfolio.from_orders(close, size, fees=0.001, init_cash=100000)
        ph.mark("from_orders")
        tr = pf.total_return()
        ph.mark("total_return")
    r = ph.result()
    r.update(
        case=f"c {n:,} market orders",
        peer="vectorbt",
        columns=1,
        bars=n,
        orders=int(pf.orders.count()),
        mean_total_return=float(tr),
    )
    # Numba compiles from_orders' kernel on first use in a fresh cache; a second run shows the warm figure.
    with Phase() as ph2:
        pf2 = vbt.Portfolio.from_orders(close, size, fees=0.001, init_cash=100000)
        ph2.mark("from_orders")
        pf2.total_return()
        ph2.mark("total_return")
    r2 = ph2.result()
    r2.update(case=f"c {n:,} market orders, 2nd run", peer="vectorbt", columns=1, bars=n,
              orders=int(pf2.orders.count()), mean_total_return=float(tr))
    return [r, r2]


def case_backtrader(args):
    import backtrader as bt
    import pandas as pd

    frames = load_wide(args.data, args.symbols, args.bars, columns=("open", "high", "low", "close", "volume"))
    names = list(frames["close"].columns)
    per_symbol = []
    for s in names:
        d = pd.DataFrame({c: frames[c][s].to_numpy() for c in ("open", "high", "low", "close", "volume")},
                         index=frames["close"].index)
        per_symbol.append(d)
    del frames
    gc.collect()

    class SmaCross(bt.Strategy):
        def __init__(self):
            self.crossover = bt.indicators.CrossOver(bt.indicators.SMA(self.data.close, period=50),
                                                     bt.indicators.SMA(self.data.close, period=200))

        def next(self):
            if not self.position:
                if self.crossover > 0:
                    self.order_target_percent(target=0.99)
            elif self.crossover < 0:
                self.close()

    def run_one(df):
        cerebro = bt.Cerebro(stdstats=False)
        cerebro.adddata(bt.feeds.PandasData(dataname=df, openinterest=None))
        cerebro.addstrategy(SmaCross)
        cerebro.broker.setcash(100000.0)
        cerebro.broker.setcommission(commission=0.001)
        cerebro.broker.set_coc(True)
        strat = cerebro.run()[0]
        value = cerebro.broker.getvalue()
        orders = len({o.ref for o in strat._orders if o.status == bt.Order.Completed})
        return value, orders

    total = len(per_symbol)
    probe = min(args.bt_probe, total)
    subset = total
    values, orders = [], 0
    with Phase() as ph:
        for i, df in enumerate(per_symbol):
            if i >= subset:
                break
            v, o = run_one(df)
            values.append(v)
            orders += o
            if i + 1 == probe and probe < total:
                projected = (time.perf_counter() - ph.t0) / probe * total
                ph.marks["projected_full_s_after_probe"] = round(projected, 1)
                if projected > args.bt_budget:
                    subset = min(args.bt_subset, total)
    r = ph.result()
    done = len(values)
    bars_done = done * len(per_symbol[0])
    bars_per_s = bars_done / ph.seconds
    full_bars = total * len(per_symbol[0])
    r.update(
        case="d SMA 50/200 crossover" + ("" if done == total else f" (first {done} of {total} symbols)"),
        peer="backtrader",
        columns=done,
        bars=len(per_symbol[0]),
        orders=orders,
        mean_total_return=float(np.mean(values) / 100000.0 - 1.0),
        bars_per_s=round(bars_per_s, 1),
        symbols_run=done,
        symbols_total=total,
        extrapolated=done != total,
        full_seconds=round(full_bars / bars_per_s, 2),
    )
    return [r]


CASES = {
    "vbt_sma": case_vbt_sma,
    "vbt_grid": case_vbt_grid,
    "vbt_orders": case_vbt_orders,
    "backtrader": case_backtrader,
}


def child(args) -> None:
    rows = CASES[args.case](args)
    for r in rows:
        print("RESULT " + json.dumps(r), flush=True)


# ----------------------------------------------------------------------------------------------------- parent


def run_child(args, case: str) -> list:
    cmd = [sys.executable, HERE, "--child", case, "--data", args.data, "--symbols", str(args.symbols),
           "--bars", str(args.bars), "--orders", str(args.orders), "--bt-budget", str(args.bt_budget),
           "--bt-subset", str(args.bt_subset), "--bt-probe", str(args.bt_probe)]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    rows = [json.loads(line[len("RESULT "):]) for line in out.splitlines() if line.startswith("RESULT ")]
    if p.returncode != 0 or not rows:
        print(f"# case {case} failed (exit {p.returncode}); output:\n{out}", file=sys.stderr)
        return [{"case": case, "peer": "?", "error": f"exit {p.returncode}", "peak_rss_mb": ru.ru_maxrss / 1024}]
    for r in rows:
        r["peak_rss_mb"] = round(ru.ru_maxrss / 1024, 1)  # Linux: KiB
        r["child_wall_s"] = round(wall, 2)
    return rows


def versions() -> dict:
    import importlib.metadata as md

    v = {"python": platform.python_version()}
    for pkg in ("vectorbt", "backtrader", "numba", "numpy", "pandas"):
        try:
            v[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            v[pkg] = None
    v["nproc"] = os.cpu_count()
    try:
        v["cpu"] = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        v["cpu"] = platform.processor()
    return v


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def parent(args) -> None:
    generate_csv(args.data, args.symbols, args.bars)
    env = versions()
    print("# backtest peers: " + ", ".join(f"{k} {v}" for k, v in env.items()))
    print(f"# data: {args.data} ({args.symbols} symbols x {args.bars} bars); load average before: "
          f"{' '.join('%.2f' % x for x in os.getloadavg())}")
    cases = []
    if args.only in (None, "vectorbt"):
        cases += ["vbt_sma", "vbt_grid", "vbt_orders"]
    if args.only in (None, "backtrader"):
        cases += ["backtrader"]
    rows = []
    for c in cases:
        print(f"# running {c} ...", file=sys.stderr, flush=True)
        got = run_child(args, c)
        for r in got:
            print(f"#   {r.get('case')}: {r.get('seconds')} s", file=sys.stderr, flush=True)
        rows += got
    print()
    print("| case | peer | seconds | CPU s | peak RSS MB (process) | peak RSS MB (timed part) | RSS before MB | columns × bars | orders |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if "error" in r:
            print(f"| {r['case']} | {r['peer']} | failed: {r['error']} | | | | | | |")
            continue
        secs = fmt(r["seconds"], ".3f")
        if r.get("extrapolated"):
            secs += f" ({r['symbols_run']} symbols); full {r['symbols_total']}: **{r['full_seconds']:.1f} extrapolated**"
        if "bars_per_s" in r:
            secs += f"; {r['bars_per_s']:,.0f} bars/s"
        print(f"| {r['case']} | {r['peer']} | {secs} | {fmt(r['cpu_seconds'], '.3f')} | {fmt(r['peak_rss_mb'], ',.0f')} | "
              f"{fmt(r['phase_peak_mb'], ',.0f')} | {fmt(r['rss_before_mb'], ',.0f')} | "
              f"{r['columns']:,} × {r['bars']:,} | {r['orders']:,} |")
    print()
    print(f"# load average after: {' '.join('%.2f' % x for x in os.getloadavg())} (seconds are wall clock; CPU s "
          "is the timed part's process CPU time, which other load on the machine disturbs less)")
    print("JSON " + json.dumps({"env": env, "data": args.data, "symbols": args.symbols, "bars": args.bars}))
    for r in rows:
        print("JSON " + json.dumps(r))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--symbols", type=int, default=None)
    ap.add_argument("--bars", type=int, default=2520)
    ap.add_argument("--data", default=None)
    ap.add_argument("--only", choices=("vectorbt", "backtrader"))
    ap.add_argument("--quick", action="store_true", help="20 symbols, 100,000 orders, backtrader on 5 symbols")
    ap.add_argument("--orders", type=int, default=None, help="bars/orders of case c (1,000,000)")
    ap.add_argument("--bt-budget", type=float, default=200.0, help="run a subset when the full backtrader run "
                    "is projected to take longer (seconds)")
    ap.add_argument("--bt-subset", type=int, default=50)
    ap.add_argument("--bt-probe", type=int, default=5, help="symbols timed before projecting")
    ap.add_argument("--child", choices=tuple(CASES), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.symbols is None:
        args.symbols = 20 if args.quick else 500
    if args.orders is None:
        args.orders = 100_000 if args.quick else 1_000_000
    if args.quick:
        args.bt_subset = min(args.bt_subset, 5)
        args.bt_budget = 0.0 if args.symbols > 5 else args.bt_budget  # exercise the subset path
    if args.data is None:
        args.data = f"/tmp/bourse-bench/synthetic-{args.symbols}x{args.bars}.csv"
    if args.child:
        args.case = args.child
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
