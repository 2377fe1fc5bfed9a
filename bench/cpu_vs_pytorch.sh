#!/usr/bin/env bash
# ganimate's CPU training against PyTorch's on the same machine, in one sitting: the two
# benchmarks take turns ROUNDS times (a busy machine slows both alike), then the median
# samples/s of each and their ratio are printed.
#
#   bench/cpu_vs_pytorch.sh [ROUNDS] [PRESET] [LOOP]   (defaults: 5 rounds, course, exact)
#
# LOOP is the peer's: `exact` does ganimate's work (one D pass on both batches, the figures and
# norms of every step), `plain` is the loop a PyTorch user writes (three D passes, nothing else).
#
# Needs a release build (cargo build --release; GANIMATE=PATH names another binary), python3
# with torch (PYTHON=PATH names another), and the MNIST test split
# in ../shared/data/mnist (or GANIMATE_BENCH_DATA=DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds="${1:-5}"
preset="${2:-course}"
loop="${3:-exact}"
case "$loop" in
  exact) peer_flags=() ;;
  plain) peer_flags=(--plain) ;;
  *) echo "error: LOOP must be exact or plain, not '$loop'" >&2; exit 2 ;;
esac
data="${GANIMATE_BENCH_DATA:-../shared/data/mnist}"
python="${PYTHON:-python3}"
ganimate="${GANIMATE:-target/release/ganimate}"
[ -x "$ganimate" ] || { echo "error: $ganimate: build it first (cargo build --release)" >&2; exit 1; }

ours=()
theirs=()
for round in $(seq "$rounds"); do
  # ganimate's row ends: samples/s, ms/step, GFLOP/s, share of peak.
  ours+=("$("$ganimate" bench --data "$data" --backend cpu --preset "$preset" 2>/dev/null |
    awk -v p="$preset" '$1 == p { print $(NF - 3) }')")
  theirs+=("$("$python" bench/pytorch_peer.py --data "$data" --preset "$preset" "${peer_flags[@]}" |
    awk -v p="$preset" '$1 == p { print $(NF - 1) }')")
  echo "round $round: ganimate ${ours[-1]} samples/s, pytorch ${theirs[-1]} samples/s"
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m_ours="$(median "${ours[@]}")"
m_theirs="$(median "${theirs[@]}")"
echo "median ($preset, $loop peer): ganimate $m_ours samples/s, pytorch $m_theirs samples/s, ratio $(awk -v a="$m_ours" -v b="$m_theirs" 'BEGIN { printf "%.2f", a / b }')x"
