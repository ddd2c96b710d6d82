#!/usr/bin/env bash
# GPU-machine verification of `gpuenv doctor --deep` and `gpuenv explain` (issue 4).
#  1. healthy: torch, JAX and CuPy of one venv import, see the GPU(s) and compute; no deep.* finding (in
#     particular no deep.static-disagrees: the static verdict agrees with the real import);
#  2. CUDA_VISIBLE_DEVICES="": each framework is named by deep.no-gpu-seen with CUDA_VISIBLE_DEVICES as the cause;
#  3. a CPU-only fake torch shadowing the venv's through PYTHONPATH: deep sees the fake (no GPU, CPU-only build)
#     and static and deep agree about it;
#  4. gpuenv explain on the real stderr of each framework under CUDA_VISIBLE_DEVICES="" (with --here).
# Needs the python probe of issue 4 (snapshot.python.interpreters[].frameworks) to find the frameworks.
#
# Usage: tests/gpu/verify-deep.sh [GPUENV] [VENV]     (defaults: ./build/gpuenv /opt/torch/.venv)
# Writes every output under $OUT (or a temp dir) and prints a PASS/FAIL summary.
set -uo pipefail
export LC_ALL=C
GPUENV=$(readlink -f "${1:-./build/gpuenv}")
VENV=${2:-/opt/torch/.venv}
PY="$VENV/bin/python"
OUTDIR=${OUT:-$(mktemp -d)}
mkdir -p "$OUTDIR"
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
unset CUDA_VISIBLE_DEVICES PYTHONPATH
fail=0
say() { printf '%s\n' "$*" | tee -a "$OUTDIR/summary.txt"; }
check() {  # $1 description, $2.. command that must succeed
  local what=$1; shift
  if "$@" >>"$OUTDIR/checks.log" 2>&1; then say "PASS  $what"; else say "FAIL  $what"; fail=1; fi
}
nvidia-smi -L > "$OUTDIR/nvidia-smi.txt" 2>&1
"$GPUENV" --version > "$OUTDIR/version.txt"

# Prints a table of the deep results and deep.* findings of a doctor JSON document.
show() {
  "$PY" - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
deep = d["snapshot"]["deep"]
print("deep ran=%s timeout=%ss, %d result(s)" % (deep["ran"], deep["timeout_s"], len(deep["results"])))
for r in deep["results"]:
    print("  %-10s %-8s stage=%-7s %-22s cuda=%-6s gpus=%d %s %.0f ms %s" % (r["framework"], r["status"], r["stage"], r["version"],
          r["cuda_version"], r["device_count"], r["devices"][:1], r["duration_ms"], ("error=" + r["error"][:120]) if r["error"] else ""))
for f in d["findings"]:
    if f["id"].startswith("deep."):
        print("  finding %s [%s] %s\n    cause: %s" % (f["id"], f["severity"], f["title"], f["cause"].replace("\n", " ")[:200]))
EOF
}
# Asserts on a doctor JSON document: $1 file, $2 python expression over `deep` (results), `ids` (finding ids), `F` (findings).
expect() {
  "$PY" - "$1" "$2" <<'EOF'
import json, os, sys
d = json.load(open(sys.argv[1]))
# Only the venv's interpreters count (other Pythons on the machine may hold other builds).
venv = os.environ["VIRTUAL_ENV"]
deep = [r for r in d["snapshot"]["deep"]["results"] if r["interpreter"].startswith(venv + "/")]
by = {r["framework"]: r for r in deep}
F = d["findings"]
ids = [f["id"] for f in F]
ok = eval(sys.argv[2])
print(sys.argv[2], "->", ok)
sys.exit(0 if ok else 1)
EOF
}

# 1. healthy
start=$(date +%s.%N)
"$GPUENV" doctor --deep --json > "$OUTDIR/deep.healthy.json" 2> "$OUTDIR/deep.healthy.stderr"
end=$(date +%s.%N)
say "doctor --deep (healthy) took $(echo "$end - $start" | bc) s"
show "$OUTDIR/deep.healthy.json" | tee -a "$OUTDIR/summary.txt"
"$GPUENV" doctor --deep > "$OUTDIR/deep.healthy.txt" 2>&1
check "healthy: torch, jax and cupy found and imported" expect "$OUTDIR/deep.healthy.json" '{"torch","jax","cupy"} <= set(by)'
check "healthy: every framework ok with >= 1 GPU and the right answer" expect "$OUTDIR/deep.healthy.json" \
  'all(r["status"] == "ok" and r["device_count"] >= 1 and r["op_result"] == "4.0" for r in deep)'
check "healthy: no deep.* finding (static and deep agree)" expect "$OUTDIR/deep.healthy.json" \
  'not [f["id"] for f in F if f["id"].startswith("deep.") and f["subject"].startswith(venv + "/")]'
check "replay: doctor --from keeps the deep results" bash -c \
  "'$GPUENV' doctor --json --from '$OUTDIR/deep.healthy.json' > '$OUTDIR/deep.replay.json'; \
   '$PY' -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a[\"snapshot\"][\"deep\"]!=b[\"snapshot\"][\"deep\"] or a[\"findings\"]!=b[\"findings\"])' '$OUTDIR/deep.healthy.json' '$OUTDIR/deep.replay.json'"

# 2. CUDA_VISIBLE_DEVICES=""
CUDA_VISIBLE_DEVICES="" "$GPUENV" doctor --deep --json > "$OUTDIR/deep.cvd-empty.json" 2> "$OUTDIR/deep.cvd-empty.stderr"
show "$OUTDIR/deep.cvd-empty.json" | tee -a "$OUTDIR/summary.txt"
CUDA_VISIBLE_DEVICES="" "$GPUENV" doctor --deep > "$OUTDIR/deep.cvd-empty.txt" 2>&1
check 'CUDA_VISIBLE_DEVICES="": deep.no-gpu-seen for torch, jax and cupy' expect "$OUTDIR/deep.cvd-empty.json" \
  'all(any(f["id"] == "deep.no-gpu-seen" and f["subject"] == by[n]["interpreter"] and f["title"].startswith(n + " ") and "CUDA_VISIBLE_DEVICES" in f["cause"] for f in F) for n in ("torch", "jax", "cupy"))'
check 'CUDA_VISIBLE_DEVICES="": no deep.static-disagrees, no deep.framework-failed' expect "$OUTDIR/deep.cvd-empty.json" \
  'not [f for f in F if f["id"] in ("deep.static-disagrees", "deep.framework-failed") and f["subject"].startswith(venv + "/")]'

# 3. a CPU-only fake torch first on PYTHONPATH
FAKE="$OUTDIR/fake-site"
mkdir -p "$FAKE/torch"
printf "__version__ = '2.5.0+cpu'\ncuda = None\nhip = None\ndebug = False\ngit_version = 'fake'\n" > "$FAKE/torch/version.py"
printf "from . import version\n__version__ = version.__version__\n" > "$FAKE/torch/__init__.py"
PYTHONPATH="$FAKE" "$GPUENV" doctor --deep --json > "$OUTDIR/deep.shadow.json" 2> "$OUTDIR/deep.shadow.stderr"
show "$OUTDIR/deep.shadow.json" | tee -a "$OUTDIR/summary.txt"
check "shadowing fake torch: deep imports the fake (2.5.0+cpu from PYTHONPATH)" expect "$OUTDIR/deep.shadow.json" \
  'by["torch"]["version"] == "2.5.0+cpu" and by["torch"]["location"].startswith("'"$FAKE"'")'
check "shadowing fake torch: deep.no-gpu-seen names the CPU-only build" expect "$OUTDIR/deep.shadow.json" \
  'any(f["id"] == "deep.no-gpu-seen" and "CPU-only" in f["cause"] for f in F)'
check "shadowing fake torch: static agrees (no deep.static-disagrees)" expect "$OUTDIR/deep.shadow.json" \
  'not [f for f in F if f["id"] == "deep.static-disagrees" and f["subject"].startswith(venv + "/")]'

# 4. explain on real stderr
for fw in torch cupy jax; do
  case $fw in
    torch) code='import torch; torch.zeros(1).cuda()' ;;
    cupy)  code='import cupy; cupy.ones(1)' ;;
    jax)   code='import jax; jax.devices("gpu")' ;;
  esac
  CUDA_VISIBLE_DEVICES="" "$PY" -c "$code" > "$OUTDIR/explain.$fw.log" 2>&1
  CUDA_VISIBLE_DEVICES="" "$GPUENV" explain --here --json --file "$OUTDIR/explain.$fw.log" > "$OUTDIR/explain.$fw.json" 2>&1
  CUDA_VISIBLE_DEVICES="" "$GPUENV" explain --here --file "$OUTDIR/explain.$fw.log" > "$OUTDIR/explain.$fw.txt" 2>&1
  say "explain $fw: $(tail -1 "$OUTDIR/explain.$fw.log" | cut -c1-150)"
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); [print("   ", m["id"], "|", m["title"], "|", m["machine_notes"]) for m in d["matches"]]' \
    "$OUTDIR/explain.$fw.json" | tee -a "$OUTDIR/summary.txt"
done
check "explain torch: No CUDA GPUs -> driver.no-visible-device naming CUDA_VISIBLE_DEVICES" "$PY" -c '
import json,sys; d=json.load(open(sys.argv[1]))
sys.exit(not any(m["id"]=="driver.no-visible-device" and "CUDA_VISIBLE_DEVICES" in json.dumps(m["machine_notes"]) for m in d["matches"]))' \
  "$OUTDIR/explain.torch.json"
check "explain cupy: cudaErrorNoDevice -> driver.no-visible-device" "$PY" -c '
import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not any(m["id"]=="driver.no-visible-device" for m in d["matches"]))' \
  "$OUTDIR/explain.cupy.json"
# JAX: whatever it prints under CUDA_VISIBLE_DEVICES="" is recorded (explain.jax.log); not asserted, the text varies by version.

say "outputs in $OUTDIR"
if [ $fail -eq 0 ]; then say "ALL PASS"; else say "SOME FAILED"; fi
exit $fail
