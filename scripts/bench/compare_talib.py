#!/usr/bin/env python3
"""Runs `bourse bench quant` and talib_bench.py alternately and prints a Markdown table.

Both sides time the same synthetic series (SplitMix64 seed 42, see talib_bench.py) as the best of
--repetitions calls; this script repeats the pair --rounds times, alternating, and keeps each item's fastest
round, so a burst of load on the machine does not land on one side only.

Usage: /tmp/talib-venv/bin/python scripts/bench/compare_talib.py --bourse "<path>/bourse bench quant" [--rounds 3]
"""
import argparse
import pathlib
import shlex
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def run(command: list[str]) -> dict[str, float]:
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#"):
            try:
                result[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bourse", required=True, help='e.g. ".build/release/bourse bench quant"')
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    swift_cmd = shlex.split(args.bourse) + ["--bars", str(args.bars), "--repetitions", str(args.repetitions)]
    talib_cmd = [sys.executable, str(HERE / "talib_bench.py"), "--bars", str(args.bars),
                 "--repetitions", str(args.repetitions)]
    best_swift: dict[str, float] = {}
    best_talib: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, value in run(swift_cmd).items():
            best_swift[name] = min(value, best_swift.get(name, value))
        for name, value in run(talib_cmd).items():
            best_talib[name] = min(value, best_talib.get(name, value))
    print("| indicator | Quant ns/bar | TA-Lib ns/bar | Quant / TA-Lib |")
    print("|---|---:|---:|---:|")
    for name, ours in best_swift.items():
        if name.startswith("metrics."):
            continue
        theirs = best_talib.get(name)
        ratio = f"{ours / theirs:.2f}" if theirs else "-"
        print(f"| {name} | {ours:.3f} | {f'{theirs:.3f}' if theirs else '-'} | {ratio} |")


if __name__ == "__main__":
    main()
