#!/usr/bin/env bash
# GPU-machine verification of issue 14's invariants 1-3: what torch really does, and what doctor says, for faults
# on the path to cuDNN and libcuda that no other test builds (an emptied or overwritten cuDNN wheel, LD_PRELOAD,
# /etc/ld.so.preload, LD_LIBRARY_PATH over an emptied wheel), and for variants where nothing is wrong.
# Each fault lives in a private mount namespace (unshare -m + bind mounts over copies or empty directories) or in
# the environment of one command: the machine itself is never changed. Needs root (unshare, mount).
#
# For each case: the finding IDs doctor gives (the expected ones must be there, none of this issue's must appear
# in the healthy variants), the text its fix must hold, torch's own result, and, where the fix needs no network,
# torch's result after the fix is applied in the same namespace.
# Usage: tests/gpu/verify-wheels.sh [GPUENV] [VENV]     (defaults: ./build/gpuenv /opt/torch/.venv)
set -uo pipefail
export LC_ALL=C
GPUENV=$(readlink -f "${1:-./build/gpuenv}")
VENV=${2:-/opt/torch/.venv}
PY="$VENV/bin/python"
SITE=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
NV="$SITE/nvidia"
SYS=${SYS:-/usr/lib/x86_64-linux-gnu}
SYSCUDNN=$(readlink -f "$SYS/libcudnn.so.9")
STUB=${STUB:-/usr/local/cuda/lib64/stubs/libcuda.so}
OUTDIR=${OUT:-$(mktemp -d)}
WORK=$(mktemp -d)
mkdir -p "$OUTDIR" "$WORK/empty"
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
fail=0
TORCH='import torch; x=torch.randn(1,3,8,8,device="cuda"); c=torch.nn.Conv2d(3,4,3).cuda(); print("torch ok", torch.backends.cudnn.version(), c(x).sum().item())'

# run_case NAME "EXPECTED IDS" "FIX TEXT" "SETUP (in the namespace)" "ENV" ["FIX COMMAND" ["ENV AFTER THE FIX"]]
run_case() {
  local name=$1 want=$2 fixtext=$3 setup=$4 envs=$5 fixcmd=${6:-} fixenvs=${7-$5}
  cat > "$WORK/$name.sh" <<EOF
set -e
mount --make-rprivate /
$setup
env $envs "$GPUENV" doctor --json > "$OUTDIR/$name.json" 2>/dev/null || true
env $envs "$PY" -c '$TORCH' > "$OUTDIR/$name.torch" 2>&1 || true
if [ -n "$fixcmd" ]; then
  $fixcmd
  env $fixenvs "$PY" -c '$TORCH' > "$OUTDIR/$name.fixed" 2>&1 || true
fi
EOF
  unshare -m bash "$WORK/$name.sh"
  local got; got=$("$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(' '.join(sorted(f['id'] for f in d['findings'])))" "$OUTDIR/$name.json")
  local ok=1
  for id in $want; do [[ " $got " == *" $id "* ]] || ok=0; done
  if [ -z "$want" ]; then
    for id in library.wrong-version python.wheel-incomplete driver.stub-libcuda library.not-found; do
      [[ " $got " == *" $id "* ]] && ok=0
    done
  fi
  if [ -n "$fixtext" ] && ! grep -qF -- "$fixtext" "$OUTDIR/$name.json"; then ok=0; fi
  echo "== $name: $([ $ok = 1 ] && echo PASS || echo FAIL)"
  echo "   doctor: ${got:-(no findings)}"
  "$PY" -c "import json,sys; d=json.load(open(sys.argv[1]))
for f in d['findings']:
    if f['id'] in ('library.wrong-version','python.wheel-incomplete','driver.stub-libcuda','library.not-found'):
        print('  ', f['id'], '|', f['title']); print('      fix:', f['fix'].replace(chr(10), ' / '))" "$OUTDIR/$name.json"
  echo "   torch:  $(tail -1 "$OUTDIR/$name.torch")"
  [ -f "$OUTDIR/$name.fixed" ] && echo "   fixed:  $(tail -1 "$OUTDIR/$name.fixed")"
  [ $ok = 1 ] || fail=1
}

echo "gpuenv: $GPUENV; venv: $VENV; system cuDNN: $SYSCUDNN; output: $OUTDIR"

# 1. The cuDNN wheel's files gone, its dist-info left: the loader falls to ld.so.cache's system cuDNN.
#    The fix (pip --force-reinstall) needs the wheel: offline, unmounting the empty directory stands for it.
run_case cudnn-wheel-emptied "library.wrong-version python.wheel-incomplete" "--force-reinstall --no-deps nvidia-cudnn-cu13==" \
  "mount --bind '$WORK/empty' '$NV/cudnn/lib'" "" "umount '$NV/cudnn/lib'"

# 2. One file of the wheel overwritten by the system's copy (same name, another size).
cp -a "$NV/cudnn/lib" "$WORK/cudnn-overwritten"
cp "$(readlink -f "$SYS/libcudnn_graph.so.9")" "$WORK/cudnn-overwritten/libcudnn_graph.so.9"
run_case cudnn-wheel-overwritten "python.wheel-incomplete" "libcudnn_graph.so.9: " \
  "mount --bind '$WORK/cudnn-overwritten' '$NV/cudnn/lib'" "" "umount '$NV/cudnn/lib'"

# 3. The toolkit's stub libcuda in LD_PRELOAD: the fix edits LD_PRELOAD, not LD_LIBRARY_PATH.
run_case stub-libcuda-preloaded "driver.stub-libcuda" "unset LD_PRELOAD" "true" "LD_PRELOAD=$STUB" "unset LD_PRELOAD" ""

# 4. The system cuDNN 9.14 in LD_PRELOAD: torch raises "cuDNN version incompatibility".
run_case cudnn-preloaded "library.wrong-version" "unset LD_PRELOAD" "true" "LD_PRELOAD=$SYSCUDNN" "unset LD_PRELOAD" ""

# 5. The same through /etc/ld.so.preload (a copy of /etc in the namespace).
cp -a /etc "$WORK/etc"
echo "$SYSCUDNN" >> "$WORK/etc/ld.so.preload"
run_case cudnn-etc-ld-so-preload "library.wrong-version" "sudoedit /etc/ld.so.preload" "mount --bind '$WORK/etc' /etc" "" \
  "sed -i '\\#libcudnn#d' /etc/ld.so.preload"

# 6. LD_LIBRARY_PATH names the system directory and the wheel is emptied: both causes, the variable first.
run_case cudnn-llp-over-emptied-wheel "library.wrong-version python.wheel-incomplete" "unset LD_LIBRARY_PATH" \
  "mount --bind '$WORK/empty' '$NV/cudnn/lib'" "LD_LIBRARY_PATH=$SYS" "umount '$NV/cudnn/lib'" ""

# Variants where nothing is wrong: none of this issue's findings may appear.
run_case healthy "" "" "true" ""
run_case healthy-wheel-cudnn-preloaded "" "" "true" "LD_PRELOAD=$NV/cudnn/lib/libcudnn.so.9"
t0=$(date +%s.%N)
"$GPUENV" doctor --deep --json > "$OUTDIR/healthy-deep.json" 2>/dev/null
echo "   doctor --deep took $(echo "$(date +%s.%N) - $t0" | bc) s (sha256 of every file the GPU wheels' RECORDs list)"
"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); bad=[f['id'] for f in d['findings'] if f['id'] in ('python.wheel-incomplete','library.wrong-version')]
print('== healthy --deep (RECORD sha256 of every GPU wheel):', 'FAIL '+' '.join(bad) if bad else 'PASS')
sys.exit(1 if bad else 0)" "$OUTDIR/healthy-deep.json" || fail=1

rm -rf "$WORK"
exit $fail
