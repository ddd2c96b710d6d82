#!/usr/bin/env bash
# Library analysis benchmark: gpuenv's inventory + resolution + fatbin scan,
# printed next to a baseline measured in the same run:
#   on a machine with torch: python -m torch.utils.collect_env (what PyTorch's bug template runs);
#   elsewhere: ldd on the same big library (glibc's own resolution, no inventory).
# Usage: bench/libraries.sh [BUILD_DIR] [PYTHON]
set -euo pipefail
build=${1:-build}
py=${2:-$(command -v python3 || true)}
bench="$build/bench/bench_libraries"
[ -x "$bench" ] || { echo "build it first: cmake --build $build --target bench_libraries" >&2; exit 2; }
big=""
if [ -n "$py" ]; then
  big=$("$py" -c 'import importlib.util as u,os; s=u.find_spec("torch"); print(os.path.join(os.path.dirname(s.origin),"lib","libtorch_cuda.so") if s else "")' 2>/dev/null || true)
fi
[ -f "$big" ] || big=/usr/local/cuda/lib64/libcublasLt.so.13
[ -f "$big" ] || big=""
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
echo "== gpuenv"
out=$("$bench" --repeat 5 $big)
echo "$out"
ours=$(echo "$out" | sed -n 's/.*best of [0-9]* \([0-9.]*\) ms.*/\1/p')
echo "== baseline (same run)"
if [ -n "$py" ] && "$py" -c 'import torch' 2>/dev/null; then
  base=$(ms "$py" -m torch.utils.collect_env)
  echo "python -m torch.utils.collect_env: $base ms"
elif [ -n "$big" ]; then
  base=$(ms ldd "$big")
  echo "ldd $big: $base ms"
else
  base=""
fi
if [ -n "$base" ] && [ -n "$ours" ]; then
  awk -v a="$ours" -v b="$base" 'BEGIN { printf "ratio: gpuenv library analysis %.1f ms = %.3fx of the baseline (goal: < 100 ms)\n", a, a / (b > 0 ? b : 1) }'
fi
