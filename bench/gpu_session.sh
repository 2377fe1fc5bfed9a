#!/usr/bin/env bash
# Every GPU measurement the open issues ask for, in one run on a lent GPU machine (the
# `device` tool: no registry, ~15 minutes of device time in all). Build and pack the binary
# here first, then carry the .gz:
#
#   cargo build --release --locked && strip -o /tmp/ganimate target/release/ganimate &&
#     mkdir -p carry && gzip -c /tmp/ganimate > carry/ganimate.gz
#   (device) bench/gpu_session.sh carry/ganimate.gz DATA_DIR     (DATA_DIR: the full MNIST split)
#
# Each measurement has its own time limit, so one that hangs cannot eat the rest; together they
# stay under 570 s, inside one device call (600 s at most). Output goes to stdout and to
# $OUT/gpu_session.log; a table cut off by its limit keeps the rows it printed.
set -uo pipefail
cd "$(dirname "$0")/.."

packed="${1:?usage: bench/gpu_session.sh GANIMATE_GZ DATA_DIR}"
data="${2:?usage: bench/gpu_session.sh GANIMATE_GZ DATA_DIR}"
log="${OUT:-/tmp}/gpu_session.log"
ganimate=/tmp/ganimate-gpu
gzip -dc "$packed" > "$ganimate" && chmod +x "$ganimate"

run() {
  local limit="$1"
  shift
  echo "=== $(date +%T) ganimate $* (limit ${limit}s)" | tee -a "$log"
  timeout "$limit" "$ganimate" "$@" 2>&1 | tee -a "$log"
  echo "=== exit ${PIPESTATUS[0]}" | tee -a "$log"
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee -a "$log"
# Issue 12: throughput of every preset at batch 64, 512 and 4,096, and what a step dispatches.
run 60 bench --backend gpu --data "$data" --steps 500
run 45 bench --backend gpu --data "$data" --steps 200 --batch-size 512
run 45 bench --backend gpu --data "$data" --steps 50 --batch-size 4096
run 45 bench --profile --backend gpu --data "$data" --steps 50
# Issue 12: the app on the GPU without a display, training against paused.
run 75 bench --app --headless --backend gpu --data "$data"
# Issue 28: the toy lab in the app on the GPU (the step in the frame), training against paused.
run 40 bench --app --toy --headless --backend gpu
# Issue 13: quality at equal wall time (a short table per preset; the time column compares).
run 120 bench --quality --backend gpu --preset stable --data "$data" --quality-steps 6000 --quality-every 1000
run 140 bench --quality --backend gpu --preset dcgan --data "$data" --quality-steps 6000 --quality-every 1000
