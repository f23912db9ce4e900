#!/usr/bin/env bash
# Peer side of the backtesting benchmark: vectorbt and backtrader on the synthetic data the Swift benchmark reads.
# Makes (once) a virtualenv with pinned versions in ${BOURSE_BENCH_VENV:-$HOME/.cache/bourse-bench-venv}, then runs
# scripts/bench/backtest_peers.py with the arguments given (see its docstring for the data file format and the cases).
#
#   scripts/bench/backtest_peers.sh --quick          # smoke check: 20 symbols
#   scripts/bench/backtest_peers.sh                  # full: 500 symbols x 2,520 bars (grid case needs ~11 GB)
#   scripts/bench/backtest_peers.sh --only backtrader
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${BOURSE_BENCH_VENV:-$HOME/.cache/bourse-bench-venv}"
python="${PYTHON:-python3}"

# The versions measured; numba/numpy/pandas pinned too, as vectorbt's speed and compatibility depend on them.
pins=(
  "vectorbt==1.2.0"
  "backtrader==1.9.78.123"
  "numba==0.68.1"
  "llvmlite==0.50.0"
  "numpy==2.4.6"
  "pandas==3.1.1"
)

if [[ ! -x "$venv/bin/python" ]]; then
  echo "# creating virtualenv $venv" >&2
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
fi
stamp="$venv/.bourse-bench-pins"
if [[ ! -f "$stamp" ]] || [[ "$(cat "$stamp")" != "${pins[*]}" ]]; then
  echo "# installing ${pins[*]}" >&2
  "$venv/bin/pip" install --quiet "${pins[@]}"
  echo "${pins[*]}" > "$stamp"
fi

exec "$venv/bin/python" "$here/backtest_peers.py" "$@"
