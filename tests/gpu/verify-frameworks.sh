#!/usr/bin/env bash
# GPU-machine verification of the framework-build knowledge and checks (issue 4, fw-checks).
# 1. The knowledge files against the real wheels: torch's compiled arch list (torch.cuda.get_arch_list())
#    must equal frameworks.toml's [[torch_arch]] row for the installed release and variant; its Python range
#    must contain the venv's Python; the toolkit probe's version must equal `nvcc --version`.
# 2. A healthy venv gives no framework.* / toolkit.* finding.
# 3. Faults, each must be named: a CPU-only torch shadowing the CUDA one via PYTHONPATH
#    (framework.shadowed as an error, and no framework.cpu-only-build: reinstalling in the venv would replace the
#    CUDA copy behind it), CUDA_HOME pointing at a toolkit of
#    another major (toolkit.cuda-major-mismatch).
# Needs: bash, the gpuenv binary, the venv's python (3.11+ for tomllib). Writes to $OUT when set.
# Usage: tests/gpu/verify-frameworks.sh [GPUENV] [VENV]     (defaults: ./build/gpuenv /opt/torch/.venv)
set -uo pipefail
export LC_ALL=C
GPUENV=$(readlink -f "${1:-./build/gpuenv}")
VENV=${2:-/opt/torch/.venv}
PY="$VENV/bin/python"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUTDIR=${OUT:-$(mktemp -d)}
mkdir -p "$OUTDIR"
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
fail=0
ids() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(sorted(f["id"] for f in d["findings"] if f["id"].split(".")[0] in ("framework","toolkit","python"))))' "$1"; }

echo "== 1. knowledge against the real torch"
"$PY" - "$SRC/src/knowledge/frameworks.toml" <<'PYEOF' | tee "$OUTDIR/knowledge-vs-torch.txt" || fail=1
import sys, tomllib, platform
import torch
k = tomllib.load(open(sys.argv[1], "rb"))
ver = torch.__version__.split("+")[0]
rel = ".".join(ver.split(".")[:2])
cuda = torch.version.cuda or ""
variant = "cu" + cuda.replace(".", "") if cuda else "cpu"
real = sorted(torch.cuda.get_arch_list()) if cuda else []
print(f"torch {torch.__version__} cuda {cuda} variant {variant}; get_arch_list: {' '.join(real)}")
def key(r): return tuple(int(x) for x in r.split("."))
rows = [a for a in k["torch_arch"] if a["variant"] == variant and key(a["torch"][0]) <= key(rel) <= key(a["torch"][1])]
ok = True
if not rows:
    print(f"NOTE: frameworks.toml has no [[torch_arch]] row for {rel} {variant}: add one from get_arch_list above")
else:
    want = sorted(["sm_" + s.replace(".", "") for s in rows[0]["sm"]] + ["compute_" + p.replace(".", "") for p in rows[0].get("ptx", [])])
    print("frameworks.toml:", " ".join(want))
    if set(want) != set(real):
        print("MISMATCH: fix the [[torch_arch]] row (source: this machine's torch)"); ok = False
rels = [r for r in k["torch"] if r["version"] == rel]
py = ".".join(platform.python_version().split(".")[:2])
if rels:
    lo, hi = rels[0]["python"]
    print(f"python {py} in torch {rel} range {lo}-{hi}:", key(lo) <= key(py) <= key(hi))
    ok &= key(lo) <= key(py) <= key(hi)
    ok &= variant in rels[0]["variants"]
    print(f"variant {variant} listed for {rel}:", variant in rels[0]["variants"])
sys.exit(0 if ok else 1)
PYEOF

echo "== 2. the toolkit probe against nvcc, and a healthy venv"
"$GPUENV" doctor --json > "$OUTDIR/doctor.json"
if command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ]; then
  NVCC=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  real=$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')
  probed=$("$PY" -c 'import json,sys; t=json.load(open(sys.argv[1]))["snapshot"]["toolkit"]; s=t["selected"]; print(t["toolkits"][s]["version"] if s>=0 else "")' "$OUTDIR/doctor.json")
  echo "nvcc says $real, gpuenv read $probed"
  case "$probed" in "$real"*) ;; *) echo "MISMATCH"; fail=1 ;; esac
fi
got=$(ids "$OUTDIR/doctor.json"); echo "framework/toolkit/python findings on the healthy venv: ${got:-none}"
# Warnings can be true of a working venv (the H200 image: jax's optional nvcc/nvvm wheels absent, a system pip
# first on PATH); an error there is a false alarm.
errs=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(sorted(f["id"] for f in d["findings"] if f["severity"]=="error" and f["id"].split(".")[0] in ("framework","toolkit","python"))))' "$OUTDIR/doctor.json")
[ -z "$errs" ] || { echo "ERRORS on the healthy venv: $errs"; fail=1; }

echo "== 3a. CUDA_HOME at a toolkit of another major"
TMP=$(mktemp -d)
torch_major=$("$PY" -c 'import torch; print((torch.version.cuda or "0").split(".")[0])')
other=$(( torch_major == 13 ? 12 : 13 ))
mkdir -p "$TMP/cuda-other/bin"; : > "$TMP/cuda-other/bin/nvcc"
echo "{\"cuda\": {\"name\": \"CUDA SDK\", \"version\": \"$other.8.93\"}}" > "$TMP/cuda-other/version.json"
CUDA_HOME="$TMP/cuda-other" "$GPUENV" doctor --json > "$OUTDIR/toolkit-mismatch.json"
got=$(ids "$OUTDIR/toolkit-mismatch.json"); echo "got: $got"
case " $got " in *" toolkit.cuda-major-mismatch "*) ;; *) echo "MISSED toolkit.cuda-major-mismatch"; fail=1 ;; esac

echo "== 3b. a CPU-only torch shadowing the CUDA one via PYTHONPATH"
mkdir -p "$TMP/shadow/torch" "$TMP/shadow/torch-2.5.1+cpu.dist-info"
printf "__version__ = '2.5.1+cpu'\ndebug = False\ncuda = None\ngit_version = 'x'\nhip = None\n" > "$TMP/shadow/torch/version.py"
: > "$TMP/shadow/torch/__init__.py"
printf "Metadata-Version: 2.1\nName: torch\nVersion: 2.5.1+cpu\n" > "$TMP/shadow/torch-2.5.1+cpu.dist-info/METADATA"
PYTHONPATH="$TMP/shadow" "$GPUENV" doctor --json > "$OUTDIR/cpu-shadow.json"
got=$(ids "$OUTDIR/cpu-shadow.json"); echo "got: $got"
case " $got " in *" framework.shadowed "*) ;; *) echo "MISSED framework.shadowed"; fail=1 ;; esac
case " $got " in *" framework.cpu-only-build "*) echo "UNEXPECTED framework.cpu-only-build (its fix would replace the CUDA torch)"; fail=1 ;; esac
PYTHONPATH="$TMP/shadow" "$GPUENV" doctor --only framework.shadowed | tee "$OUTDIR/cpu-shadow.txt"
rm -rf "$TMP"
echo "outputs in $OUTDIR"
[ $fail = 0 ] && echo "ALL OK" || echo "FAILURES"
exit $fail
