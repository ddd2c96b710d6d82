#!/usr/bin/env bash
# bench/doctor: the wall time of `gpuenv doctor --json` against the floor (a
# program that only dlopens libcuda and calls cuInit) and `nvidia-smi -q`,
# measured alternately in one run. Goal on the H100: doctor <= 1.15 x floor.
#   bench/doctor.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-20}
cmds=(floor "$build/bench/cuinit_floor" ::: "gpuenv doctor --json" "$build/gpuenv" doctor --json)
if command -v nvidia-smi >/dev/null; then cmds+=(::: "nvidia-smi -q" nvidia-smi -q); fi
echo "bench/doctor on $(hostname) ($(nproc) CPUs), $(date -u +%F)"
# doctor exits 1 when it finds problems; the time still counts.
"$build/bench/bench_cmd" --runs "$runs" --warmup 3 --allow-fail -- "${cmds[@]}"
