#!/usr/bin/env bash
# GPU-machine verification of issue 14's invariants, on faults no other test builds (tests/gpu/verify-*.sh use
# the system cuDNN on LD_LIBRARY_PATH, a CPU torch on PYTHONPATH, CUDA_HOME of another major and
# CUDA_VISIBLE_DEVICES=""; none of those is here).
#
# For every scenario, in its own mount namespace (unshare -m) so that the image is never changed:
#   1. build the fault: an overlay over site-packages (files deleted or cut short, dist-info kept), a private /dev
#      (tmpfs with copies of the real nodes, one missing, replaced or with another mode), a private
#      /etc/ld.so.preload, variables, PATH;
#   2. run what torch, JAX and CuPy really do (fw_probe.py: one line each) and `gpuenv doctor` (exit code, the
#      findings with their fix);
#   3. apply the fix the scenario's finding gives (the script applies the fix the check is expected to print;
#      compare it with the printed fix in the log), and run the frameworks again.
# Three scenarios have nothing wrong: doctor must then report no error and no warning.
#
# Usage (root, on the GPU machine): tests/gpu/faults/run.sh [SCENARIO...]      (default: all)
# Environment: GPUENV (default ./build/gpuenv), VENV (default /opt/torch/.venv), OUT (where the log goes).
# Writes $OUT/faults.log (everything) and $OUT/faults-json.tar.gz (every doctor --json).
set -uo pipefail
export LC_ALL=C PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
here=$(cd "$(dirname "$0")" && pwd)
GPUENV_SRC=$(readlink -f "${GPUENV:-./build/gpuenv}")
VENV=${VENV:-/opt/torch/.venv}
PY=$VENV/bin/python
OUTDIR=${OUT:-/tmp/faults-out}
WORK=/tmp/gpuenv-faults
STUB=/usr/local/cuda/lib64/stubs/libcuda.so
SCENARIOS=(h1 h2 h3 s01 s02 s03 s04 s05 s06 s07 s08 s09 s10 s11 s12 s13 s14 s15 s16 s17 s18)

# ---------------------------------------------------------------------------------------------------------------
# Helpers run inside a scenario's namespace.

say() { printf '%s\n' "$*"; }

frameworks() {  # LABEL: torch, JAX and CuPy, each in its own process, as the scenario's user and python
  local label=$1 fw
  for fw in torch jax cupy; do
    $RUNAS timeout 180 "$PYCMD" "$WORK/fw_probe.py" "$fw" >"$WORK/out/$ID.$label.$fw" 2>"$WORK/out/$ID.$label.$fw.err" &
  done
  wait
  for fw in torch jax cupy; do
    local line; line=$(head -1 "$WORK/out/$ID.$label.$fw")
    [ -n "$line" ] || line="$fw: no output ($(tail -1 "$WORK/out/$ID.$label.$fw.err"))"
    say "    $line"
    case $line in *": OK "*) ;; *) grep -v -e '^\s*$' "$WORK/out/$ID.$label.$fw.err" | grep -i -m3 -e error -e warn -e fail | sed 's/^/      stderr: /' | cut -c1-300 ;; esac
  done
}

doctor() {  # LABEL [ARGS...]: gpuenv doctor as the scenario's user; the findings with their fix
  local label=$1; shift
  $RUNAS timeout 180 "$WORK/gpuenv" doctor --json "$@" >"$WORK/out/$ID.$label.json" 2>"$WORK/out/$ID.$label.doctor.err"
  local rc=$?
  say "    gpuenv doctor: exit $rc"
  "$PY" - "$WORK/out/$ID.$label.json" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("      (no JSON: %s)" % e); sys.exit(0)
s = d.get("summary", {})
print("      verdict: %s; errors %s, warnings %s, infos %s" % (d.get("verdict"), s.get("errors"), s.get("warnings"), s.get("infos")))
for f in d.get("findings", []):
    print("      [%s] %s: %s" % (f["severity"], f["id"], f["title"]))
    for ev in f.get("evidence", [])[:4]:
        print("          evidence: %s" % str(ev)[:220])
    if f.get("cause"):
        print("          cause: %s" % f["cause"].replace("\n", " ")[:400])
    if f.get("fix"):
        print("          fix: %s" % f["fix"].replace("\n", " | ")[:500])
EOF
}

site_overlay() {  # site-packages behind an overlay: deletions and rewrites stay in this namespace
  mkdir -p "$WORK/ovl"
  mount -t tmpfs tmpfs "$WORK/ovl" && mkdir -p "$WORK/ovl/up" "$WORK/ovl/wk" &&
    mount -t overlay overlay -o "lowerdir=$SP,upperdir=$WORK/ovl/up,workdir=$WORK/ovl/wk" "$SP" ||
    { say "    (overlay failed: the scenario cannot be built here)"; return 1; }
}

private_dev() {  # /dev as a tmpfs holding copies of the real nodes (cp -a recreates char devices as root)
  mkdir -p "$WORK/realdev"
  mount --bind /dev "$WORK/realdev"
  mount -t tmpfs -o mode=755 tmpfs /dev
  local e n
  for e in "$WORK/realdev"/* "$WORK/realdev"/.[!.]*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    n=${e##*/}
    if [ -L "$e" ] || [ -c "$e" ] || [ -b "$e" ] || [ -f "$e" ]; then cp -a "$e" "/dev/$n"
    elif [ -d "$e" ]; then mkdir -p "/dev/$n" && mount --bind "$e" "/dev/$n"
    fi
  done
}

reinstall() {  # DIST: the fix "reinstall DIST" with the wheel rebuilt from the intact files (no network here)
  local dist=$1 ver
  ver=$("$PY" -c "import importlib.metadata as m; print(m.version('$dist'))")
  say "    applying: reinstall $dist==$ver (pip --force-reinstall --no-deps, from the wheel rebuilt before the fault)"
  if "$PY" -m pip --version >/dev/null 2>&1; then
    "$PY" -m pip install -q --force-reinstall --no-deps --no-index --find-links "$WORK/wheels" "$dist==$ver" 2>&1 | tail -3
  else
    uv pip install -q --python "$PY" --reinstall --no-deps --no-index --find-links "$WORK/wheels" "$dist==$ver" 2>&1 | tail -3
  fi
}

as_nobody() {  # the scenario's frameworks and doctor run as user nobody
  RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=$WORK/home-nobody"
  mkdir -p "$WORK/home-nobody" && chown 65534:65534 "$WORK/home-nobody"
}

owner_of() {  # FILE (relative to site-packages): the distribution whose RECORD lists it
  grep -l -F "$1," "$SP"/*.dist-info/RECORD | head -1 | xargs -r dirname | xargs -r basename | sed 's/-[0-9].*//'
}

# ---------------------------------------------------------------------------------------------------------------
# The scenarios: fault_<id> builds the fault (and sets TITLE), fix_<id> applies the fix.

fault_h1() { TITLE="healthy: the venv as installed"; }
fix_h1() { :; }

fault_h2() {
  TITLE="healthy: valid settings of the variables the invariants read, the real libcuda in LD_PRELOAD"
  local uuid; uuid=$(nvidia-smi --query-gpu=uuid --format=csv,noheader | head -1)
  export PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True,max_split_size_mb:512 XLA_PYTHON_CLIENT_PREALLOCATE=false
  export CUDA_DEVICE_ORDER=PCI_BUS_ID CUDA_MODULE_LOADING=LAZY CUDA_VISIBLE_DEVICES=$uuid JAX_PLATFORMS=cuda,cpu
  export LD_PRELOAD=$(readlink -f /usr/local/nvidia/lib64/libcuda.so.1 2>/dev/null || readlink -f /lib/x86_64-linux-gnu/libcuda.so.1)
  env | grep -E '^(PYTORCH|XLA|CUDA_|JAX|LD_PRELOAD)' | sed 's/^/    set: /'
}
fix_h2() { :; }

fault_h3() {
  TITLE="healthy: an ordinary user (nobody) with the default device modes and a user site with a package"
  RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=$WORK/home-nobody"
  mkdir -p "$WORK/home-nobody/.local/lib/python3.12/site-packages/sixlike" && touch "$WORK/home-nobody/.local/lib/python3.12/site-packages/sixlike/__init__.py"
  chown -R 65534:65534 "$WORK/home-nobody"
}
fix_h3() { :; }

fault_s01() {
  TITLE="the cuDNN wheel's libraries are gone, its dist-info is still there (torch falls back to another cuDNN)"
  site_overlay || return 1
  rm -f "$SP"/nvidia/cudnn/lib/*
  ls "$SP/nvidia/cudnn/lib" | sed 's/^/    left: /'
}
fix_s01() { reinstall "$(owner_of nvidia/cudnn/lib/libcudnn.so.9)"; }

fault_s02() {
  TITLE="one file of the cuDNN wheel cut short (an interrupted copy): libcudnn_graph.so.9 truncated to 64 KiB"
  site_overlay || return 1
  truncate -s 65536 "$SP/nvidia/cudnn/lib/libcudnn_graph.so.9"
  ls -l "$SP/nvidia/cudnn/lib/libcudnn_graph.so.9" | sed 's/^/    /'
}
fix_s02() { reinstall "$(owner_of nvidia/cudnn/lib/libcudnn_graph.so.9)"; }

fault_s03() {
  TITLE="LD_PRELOAD names the toolkit's stub libcuda (a build-time library)"
  export LD_PRELOAD=$STUB
}
fix_s03() { say "    applying: unset LD_PRELOAD"; unset LD_PRELOAD; }

fault_s04() {
  TITLE="/etc/ld.so.preload names the stub libcuda (every process of the machine gets it)"
  printf '%s\n' "$STUB" >"$WORK/ld.so.preload"
  mount --bind "$WORK/ld.so.preload" /etc/ld.so.preload
}
fix_s04() { say "    applying: remove the stub's line from /etc/ld.so.preload"; : >/etc/ld.so.preload; }

fault_s05() {
  TITLE="PYTORCH_CUDA_ALLOC_CONF with a value torch rejects (expandable_segments:yes)"
  export PYTORCH_CUDA_ALLOC_CONF=expandable_segments:yes
}
fix_s05() { say "    applying: PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True"; export PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True; }

fault_s06() {
  TITLE="JAX_PLATFORMS=cpu left in the environment (JAX runs on the CPU without an error)"
  export JAX_PLATFORMS=cpu
}
fix_s06() { say "    applying: unset JAX_PLATFORMS"; unset JAX_PLATFORMS; }

fault_s07() {
  TITLE="CUDA_VISIBLE_DEVICES names a GPU UUID this machine does not have"
  export CUDA_VISIBLE_DEVICES=GPU-00000000-1111-2222-3333-444444444444
}
fix_s07() {
  local uuid; uuid=$(nvidia-smi --query-gpu=uuid --format=csv,noheader | head -1)
  say "    applying: CUDA_VISIBLE_DEVICES=$uuid (the machine's GPU)"; export CUDA_VISIBLE_DEVICES=$uuid
}

fault_s08() {
  TITLE="XLA_PYTHON_CLIENT_MEM_FRACTION written as a percentage (75%), not a fraction"
  export XLA_PYTHON_CLIENT_MEM_FRACTION=75%
}
fix_s08() { say "    applying: XLA_PYTHON_CLIENT_MEM_FRACTION=.75"; export XLA_PYTHON_CLIENT_MEM_FRACTION=.75; }

fault_s09() {
  TITLE="the shell's PATH reaches the system python3, the frameworks are only in the venv (no VIRTUAL_ENV)"
  unset VIRTUAL_ENV
  export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  PYCMD=python3
  say "    python3 on PATH: $(command -v python3)"
}
fix_s09() { say "    applying: . $VENV/bin/activate"; . "$VENV/bin/activate"; PYCMD=python3; say "    python3 on PATH: $(command -v python3)"; }

fault_s10() {
  TITLE="VIRTUAL_ENV names the venv but PATH's python3 is the system one (a login script reset PATH)"
  export VIRTUAL_ENV=$VENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  PYCMD=python3
}
fix_s10() { say "    applying: PATH=\$VIRTUAL_ENV/bin:\$PATH"; export PATH=$VIRTUAL_ENV/bin:$PATH; PYCMD=python3; }

fault_s11() {
  TITLE="/dev/nvidia-uvm is another device (char 1:3, /dev/null) while nvidia_uvm is loaded; the user is not root"
  as_nobody
  private_dev
  rm -f /dev/nvidia-uvm && mknod -m 666 /dev/nvidia-uvm c 1 3
  ls -l /dev/nvidia-uvm | sed 's/^/    /'
}
fix_s11() {
  local major; major=$(awk '$2=="nvidia-uvm"{print $1}' /proc/devices)
  say "    applying: rm /dev/nvidia-uvm; mknod -m 666 /dev/nvidia-uvm c $major 0"
  rm -f /dev/nvidia-uvm && mknod -m 666 /dev/nvidia-uvm c "$major" 0
}

fault_s12() {
  TITLE="/dev/nvidiactl is missing (the driver is loaded); the user is not root (root's libcuda recreates nodes)"
  as_nobody
  private_dev
  rm -f /dev/nvidiactl
}
fix_s12() { say "    applying: mknod -m 666 /dev/nvidiactl c 195 255"; mknod -m 666 /dev/nvidiactl c 195 255; }

fault_s13() {
  TITLE="/dev/nvidia0 is mode 0600 root:root and the user is not root"
  private_dev
  chmod 600 /dev/nvidia0
  as_nobody
  ls -l /dev/nvidia0 | sed 's/^/    /'
}
fix_s13() { say "    applying: chmod 0666 /dev/nvidia0"; chmod 0666 /dev/nvidia0; }

fault_s14() {
  TITLE="an extension built with SASS for sm_80 only and no PTX (a kernel no H200 can run)"
  cat >"$WORK/k.cu" <<'EOF'
#include <cuda_runtime.h>
__global__ void k(int* p) { *p = 42; }
extern "C" int run() {
  int* d = nullptr; if (cudaMalloc(&d, sizeof(int)) != cudaSuccess) return -1;
  k<<<1, 1>>>(d); int e = cudaGetLastError(); if (e == 0) e = cudaDeviceSynchronize();
  int h = 0; cudaMemcpy(&h, d, sizeof(int), cudaMemcpyDeviceToHost); cudaFree(d);
  return e ? e : (h == 42 ? 0 : -2);
}
EOF
  /usr/local/cuda/bin/nvcc -shared -Xcompiler -fPIC -gencode arch=compute_80,code=sm_80 -o "$WORK/libk.so" "$WORK/k.cu" || return 1
}
fix_s14() {
  say "    applying: rebuild with -gencode arch=compute_90,code=sm_90"
  /usr/local/cuda/bin/nvcc -shared -Xcompiler -fPIC -gencode arch=compute_90,code=sm_90 -o "$WORK/libk.so" "$WORK/k.cu"
}
extra_s14() {  # the extension itself and gpuenv ldd --fatbin on it
  local rc
  "$PY" -c "import ctypes,sys; r=ctypes.CDLL('$WORK/libk.so').run(); print('    libk.so run():', r, '(0 = kernel ran; 209 = cudaErrorNoKernelImageForDevice)')"
  "$WORK/gpuenv" ldd --fatbin "$WORK/libk.so" >"$WORK/out/$ID.ldd" 2>&1; rc=$?
  say "    gpuenv ldd --fatbin libk.so: exit $rc"; grep -v '^\s*$' "$WORK/out/$ID.ldd" | tail -8 | sed 's/^/      /'
}

fault_s15() {
  TITLE="the NCCL wheel's library deleted (dist-info kept), no other libnccl on the machine"
  site_overlay || return 1
  rm -f "$SP"/nvidia/nccl/lib/libnccl.so*
}
fix_s15() { reinstall "$(owner_of nvidia/nccl/lib/libnccl.so.2)"; }

fault_s16() {
  TITLE="libcublasLt.so.13 deleted from the CUDA 13 wheel (latent: the toolkit's copy in /usr/local/cuda is found instead)"
  site_overlay || return 1
  rm -f "$SP"/nvidia/cu13/lib/libcublasLt.so.13*
}
fix_s16() { reinstall "$(owner_of nvidia/cu13/lib/libcublasLt.so.13)"; }

fault_s17() {
  TITLE="NCCL_SOCKET_IFNAME names an interface this machine does not have (copied from a cluster's job script)"
  export NCCL_SOCKET_IFNAME=ib0
  say "    interfaces: $(ls /sys/class/net | tr '\n' ' ')"
}
fix_s17() {
  local ifc; ifc=$(ls /sys/class/net | grep -v -x lo | head -1)
  say "    applying: NCCL_SOCKET_IFNAME=$ifc"; export NCCL_SOCKET_IFNAME=$ifc
}
extra_s17() {  # NCCL itself: a one-rank all_reduce
  $RUNAS timeout 120 "$PYCMD" "$WORK/fw_probe.py" nccl >"$WORK/out/$ID.nccl" 2>"$WORK/out/$ID.nccl.err"
  say "    $(head -1 "$WORK/out/$ID.nccl")"
  grep -i -m2 -e "NCCL WARN" -e "error" "$WORK/out/$ID.nccl.err" | cut -c1-300 | sed 's/^/      stderr: /'
}

fault_s18() {
  TITLE="CUDA_VISIBLE_DEVICES=1 on a machine with one GPU (index 0): every framework sees none"
  export CUDA_VISIBLE_DEVICES=1
}
fix_s18() { say "    applying: CUDA_VISIBLE_DEVICES=0"; export CUDA_VISIBLE_DEVICES=0; }

# ---------------------------------------------------------------------------------------------------------------

scenario() {  # runs inside its own mount namespace
  ID=$1 RUNAS="" PYCMD=$PY TITLE=""
  export VIRTUAL_ENV=$VENV PATH=$VENV/bin:$BASEPATH
  say "=== $ID"
  "fault_$ID" || { say "    (fault not built)"; return; }
  say "    $TITLE"
  say "  under the fault:"
  frameworks fault
  declare -F "extra_$ID" >/dev/null && "extra_$ID"
  doctor fault
  "fix_$ID"
  if [[ $ID != h* ]]; then
    say "  after the fix:"
    frameworks fixed
    declare -F "extra_$ID" >/dev/null && "extra_$ID"
    doctor fixed
  fi
}

if [[ ${1:-} == --inside ]]; then
  shift; SP=$1 BASEPATH=$2; shift 2
  scenario "$1"
  exit 0
fi

[[ $(id -u) == 0 ]] || { echo "run.sh: needs root (unshare -m, mknod)" >&2; exit 2; }
mkdir -p "$OUTDIR" "$WORK/out" "$WORK/wheels"
chmod 755 "$WORK"
cp "$GPUENV_SRC" "$WORK/gpuenv" && cp "$here/fw_probe.py" "$here/mkwheel.py" "$WORK/" && chmod 755 "$WORK/gpuenv"
SP=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
BASEPATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -x "$VENV/bin" | paste -sd:)
[ -e /etc/ld.so.preload ] || { : >/etc/ld.so.preload; created_preload=1; }
log=$OUTDIR/faults.log
{
  echo "gpuenv: $("$WORK/gpuenv" --version | head -1); venv $VENV; site-packages $SP; $(date -u)"
  nvidia-smi --query-gpu=name,driver_version,uuid --format=csv,noheader
  echo "devices: $(grep -i nvidia /proc/devices | tr '\n' ' ')"; ls -l /dev/nvidia* 2>&1 | sed 's/^/  /'
  echo "cgroup: $(stat -fc %T /sys/fs/cgroup); pip: $("$PY" -m pip --version 2>&1 | head -1); uv: $(command -v uv)"
  echo "pip in the venv's bin: $(ls "$VENV/bin" | grep -i pip | tr '\n' ' ')"
  echo "installer of torch: $(cat "$SP"/torch-*.dist-info/INSTALLER 2>/dev/null)"
  echo "doctor --markdown: $("$WORK/gpuenv" doctor --markdown 2>/dev/null | wc -c) characters"
  echo "rebuilding the wheels the reinstall fixes need (from the intact files):"
  for f in nvidia/cudnn/lib/libcudnn.so.9 nvidia/cu13/lib/libcublasLt.so.13 nvidia/nccl/lib/libnccl.so.2; do
    d=$(owner_of "$f"); [ -n "$d" ] && "$PY" "$WORK/mkwheel.py" "$SP" "$d" "$WORK/wheels" | sed 's/^/  /'
  done
} 2>&1 | tee "$log"
want=("$@"); [ ${#want[@]} -gt 0 ] || want=("${SCENARIOS[@]}")
for id in "${want[@]}"; do
  t0=$(date +%s)
  unshare -m --propagation private "$0" --inside "$SP" "$BASEPATH" "$id" 2>&1 | tee -a "$log"
  echo "  ($id: $(( $(date +%s) - t0 )) s)" | tee -a "$log"
done
[ -n "${created_preload:-}" ] && rm -f /etc/ld.so.preload
tar -C "$WORK/out" -czf "$OUTDIR/faults-json.tar.gz" . 2>/dev/null
exit 0
