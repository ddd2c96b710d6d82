#!/usr/bin/env bash
# GPU-machine verification of the library analysis (issue 3).
# For torch, JAX and CuPy in one venv: gpuenv's prediction of every CUDA library
# each framework loads must equal /proc/self/maps after the framework has
# initialised the GPU. Then the fault: LD_LIBRARY_PATH with the system cuDNN
# first must be named, and the prediction must still match reality. Finally the
# fatbin parser against cuobjdump.
#
# Needs: bash, the gpuenv binary, the venv's python. Writes to $OUT when set.
# Usage: tests/gpu/verify-libraries.sh [GPUENV] [VENV]     (defaults: ./build/gpuenv /opt/torch/.venv)
set -uo pipefail
export LC_ALL=C
GPUENV=$(readlink -f "${1:-./build/gpuenv}")
VENV=${2:-/opt/torch/.venv}
PY="$VENV/bin/python"
OUTDIR=${OUT:-$(mktemp -d)}
mkdir -p "$OUTDIR"
SYSCUDNN=${SYSCUDNN:-/usr/lib/x86_64-linux-gnu}
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
fail=0
# The CUDA libraries compared (gpuenv's families, libraries.toml), not libc and friends.
CUDA_RE='/lib(cuda|nvidia-ml|cudart|cublas|cublasLt|nvblas|cufft|cufftw|curand|cusolver|cusolverMg|cusparse|cusparseLt|cudnn[a-z_]*|nccl|nvrtc|nvrtc-builtins|nvJitLink|cupti|nvshmem_host|cufile|cufile_rdma|nvinfer[a-z_]*)(\.alt)?\.so[.0-9]*$'

workload() {  # $1 framework: initialise the GPU the way the capture did, then print the mapped files
  case $1 in
    torch) code='import torch; x=torch.ones(2,device="cuda")*2; torch.cuda.synchronize(); torch.backends.cudnn.version()' ;;
    jax)   code='import jax, jax.numpy as jnp; (jnp.ones(3)*2).block_until_ready(); jax.devices()' ;;
    cupy)  code='import cupy; (cupy.ones(3)*2).sum().item()' ;;
  esac
  "$PY" -c "
try:
    exec(\"\"\"$code\"\"\")
except Exception as e:  # a framework that fails (the cuDNN fault) still shows what it mapped
    import sys; print('workload failed:', e, file=sys.stderr)
import re
seen=set()
for line in open('/proc/self/maps'):
    p=line.split()[-1] if len(line.split())>=6 else ''
    if p.startswith('/') and p not in seen:
        seen.add(p); print(p)" 2>"$OUTDIR/$1.$2.stderr"
}

compare() {  # $1 framework, $2 label: doctor JSON vs maps
  local fw=$1 label=$2
  workload "$fw" "$label" | grep -E "$CUDA_RE" | xargs -r -n1 readlink -f | sort -u > "$OUTDIR/$fw.$label.maps"
  "$PY" - "$OUTDIR/doctor.$label.json" "$fw" "$OUTDIR/$fw.$label.maps" > "$OUTDIR/$fw.$label.compare" <<'EOF'
import json, os, sys
doc, fw, maps = sys.argv[1], sys.argv[2], sys.argv[3]
snap = json.load(open(doc))["snapshot"]
cons = [c for c in snap["libraries"]["consumers"] if c["name"] == fw]
observed = {os.path.realpath(l.strip()) for l in open(maps) if l.strip()}
if not cons:
    print(f"{fw}: no prediction (framework not found by gpuenv)"); print("FAIL"); sys.exit(1)
eager, lazy = {}, {}
for r in cons[0]["loads"]:
    if not r["family"] or not r["path"]:
        continue
    rp = os.path.realpath(r["path"])
    (lazy if r["when"] == "on-demand" else eager)[rp] = f'{r["name"]} [{r["reason"]}]'
ok = True
for p in sorted(set(eager) | observed | (set(lazy) & observed)):
    pred = p in eager or p in lazy
    seen = p in observed
    mark = "ok  " if (seen and pred) or (not seen and p in lazy) else "DIFF"
    if mark == "DIFF": ok = False
    why = eager.get(p) or lazy.get(p) or "(not predicted)"
    print(f"{mark} {'maps' if seen else '----'} {'pred' if pred else '----'} {p}  {why}")
# a lazily loaded library of the same name from another file is a wrong prediction too
for p in observed - set(eager) - set(lazy):
    ok = False
print("PASS" if ok else "FAIL")
EOF
  local verdict; verdict=$(tail -1 "$OUTDIR/$fw.$label.compare")
  echo "== $fw ($label): $verdict"
  grep -v '^ok' "$OUTDIR/$fw.$label.compare" | grep -v '^PASS' | head -20
  [ "$verdict" = PASS ] || fail=1
}

t0=$(date +%s)
echo "gpuenv: $GPUENV; venv: $VENV; output: $OUTDIR"
# 1. Healthy environment.
"$GPUENV" doctor --json > "$OUTDIR/doctor.healthy.json" 2> "$OUTDIR/doctor.healthy.stderr"
for fw in torch jax cupy; do compare "$fw" healthy & done; wait
for fw in torch jax cupy; do v=$(tail -1 "$OUTDIR/$fw.healthy.compare" 2>/dev/null); echo "== $fw (healthy): ${v:-FAIL}"; [ "$v" = PASS ] || fail=1; done

# 2. The fault: the system cuDNN first on LD_LIBRARY_PATH.
export LD_LIBRARY_PATH="$SYSCUDNN:${LD_LIBRARY_PATH:-}"
"$GPUENV" doctor --json > "$OUTDIR/doctor.syscudnn.json" 2> "$OUTDIR/doctor.syscudnn.stderr"
"$PY" - "$OUTDIR/doctor.syscudnn.json" > "$OUTDIR/fault.txt" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ids = [f["id"] for f in d["findings"]]
print("findings:", ", ".join(ids) or "none")
named = [f for f in d["findings"] if f["id"] in ("library.ld-library-path-shadows-wheel", "library.mixed-versions")]
for f in named:
    print(f["id"], "-", f["title"]); print("  cause:", f["cause"]); print("  fix:", f["fix"])
print("PASS" if named else "FAIL (the system cuDNN on LD_LIBRARY_PATH is not named)")
EOF
cat "$OUTDIR/fault.txt"; tail -1 "$OUTDIR/fault.txt" | grep -q '^PASS' || fail=1
compare torch syscudnn   # the prediction must match reality under the fault too
unset LD_LIBRARY_PATH

# 3. Fatbin parser against cuobjdump (SASS and PTX target sets).
CUOBJDUMP=${CUOBJDUMP:-/usr/local/cuda/bin/cuobjdump}
for lib in "$VENV"/lib/python3*/site-packages/torch/lib/libc10_cuda.so /usr/local/cuda/lib64/libcudart.so.13 \
           "$VENV"/lib/python3*/site-packages/jax_plugins/xla_cuda13/xla_cuda_plugin.so; do
  [ -f "$lib" ] && [ -x "$CUOBJDUMP" ] || continue
  want_sass=$(timeout 60 "$CUOBJDUMP" --list-elf "$lib" 2>/dev/null | grep -o 'sm_[0-9]*[af]\?' | sort -u | tr '\n' ' ')
  want_ptx=$(timeout 60 "$CUOBJDUMP" --list-ptx "$lib" 2>/dev/null | grep -o 'sm_[0-9]*[af]\?' | sed 's/sm_/compute_/' | sort -u | tr '\n' ' ')
  got=$("$GPUENV" ldd --fatbin --json "$lib" | "$PY" -c 'import json,sys
d=json.load(sys.stdin)[0]; k=[x for x in d["kernels"] if x["path"].endswith(sys.argv[1].split("/")[-1])]
print(" ".join(sorted(k[0]["sass"]))+" " if k else "", end="|"); print(" ".join(sorted(k[0]["ptx"]))+" " if k and k[0]["ptx"] else "")' "$lib")
  if [ "${got%%|*}" = "$want_sass" ] && [ "${got#*|}" = "$want_ptx" ]; then v=PASS; else v=FAIL; fail=1; fi
  echo "== fatbin $lib: $v (cuobjdump SASS: $want_sass PTX: $want_ptx; gpuenv: ${got%%|*}| ${got#*|})"
done
echo "elapsed: $(( $(date +%s) - t0 )) s"
[ $fail = 0 ] && echo "ALL PASS" || echo "SOME FAILED"
exit $fail
