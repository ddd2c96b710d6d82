#!/usr/bin/env bash
# bench/collect_env: the wall time of a full static `gpuenv doctor` (driver probe, libraries, every
# Python environment and its frameworks, all checks; the text report, and --json with the whole snapshot)
# against PyTorch's own report,
# `python -m torch.utils.collect_env`, measured alternately in one run. Goal on the GPU machine: gpuenv
# at least 25x faster (issue 4).
#   bench/collect_env.sh [BUILD_DIR] [PYTHON] [RUNS]
set -euo pipefail
build=${1:-build}
py=${2:-python3}
runs=${3:-5}
"$py" -c 'import torch.utils.collect_env' 2>/dev/null || { echo "collect_env: $py has no torch; nothing to compare" >&2; exit 2; }
echo "bench/collect_env on $(hostname) ($(nproc) CPUs), $(date -u +%F), python: $py"
# The first command is the baseline the ratios are printed against.
"$build/bench/bench_cmd" --runs "$runs" --warmup 1 --allow-fail -- \
  "collect_env" "$py" -m torch.utils.collect_env ::: \
  "gpuenv doctor" "$build/gpuenv" doctor ::: \
  "gpuenv doctor --json" "$build/gpuenv" doctor --json
