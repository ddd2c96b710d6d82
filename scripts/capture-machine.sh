#!/usr/bin/env bash
# Capture the facts gpuenv reads from a real GPU machine, for building fixture
# sysroots and checking probes against reality. Writes into $1 (default ./capture).
# Reads files only, except the optional framework runs at the end (--frameworks).
set -u
out=${1:-capture}; mkdir -p "$out"
sys="$out/sysroot"; mkdir -p "$sys"
copy() { for f in "$@"; do [ -e "$f" ] || continue; mkdir -p "$sys$(dirname "$f")"; cp -a --no-dereference "$f" "$sys$f" 2>/dev/null; done; }
copy /etc/os-release /usr/lib/os-release /etc/ld.so.conf /etc/NIXOS /proc/version /proc/sys/kernel/osrelease \
     /sys/module/nvidia/version /proc/driver/nvidia/version /.dockerenv /run/.containerenv /proc/1/cgroup \
     /sys/class/dmi/id/sys_vendor /sys/class/dmi/id/product_name /etc/ld.so.cache
mkdir -p "$sys/etc/ld.so.conf.d"; cp -a /etc/ld.so.conf.d/. "$sys/etc/ld.so.conf.d/" 2>/dev/null
for g in /proc/driver/nvidia/gpus/*; do copy "$g/information"; done
for d in /sys/bus/pci/devices/*; do
  v=$(cat "$d/vendor" 2>/dev/null); [ "$v" = 0x10de ] || continue
  copy "$d/vendor" "$d/device" "$d/class" "$d/subsystem_vendor" "$d/subsystem_device" "$d/numa_node" "$d/current_link_speed" "$d/current_link_width"
  echo "$d -> $(readlink -f "$d") driver=$(readlink "$d/driver")" >> "$out/pci-links.txt"
done
ls -la /dev/nvidia* /dev/dri 2>&1 > "$out/dev.txt"
{ uname -a; ldd --version | head -1; id; cat /proc/self/mountinfo | head -60; } > "$out/host.txt" 2>&1
env | grep -E '^(CUDA|NVIDIA|LD_|PYTHON|PATH|VIRTUAL_ENV|CONDA|LIBRARY_PATH|XLA|TF_|JAX)' > "$out/env.txt"
ldconfig -p > "$out/ldconfig-p.txt" 2>&1
command -v nvidia-smi >/dev/null && { nvidia-smi -q > "$out/nvidia-smi-q.txt" 2>&1; nvidia-smi topo -m > "$out/nvidia-smi-topo.txt" 2>&1; nvidia-smi -L > "$out/nvidia-smi-L.txt" 2>&1; }
find / -xdev \( -name 'libcuda.so*' -o -name 'libnvidia-ml.so*' -o -name 'libcudart.so*' -o -name 'libcudnn*.so*' -o -name 'libcublas*.so*' -o -name 'libnccl.so*' -o -name 'libnvrtc*.so*' -o -name 'libnvJitLink*.so*' -o -name 'libcufft*.so*' -o -name 'libcusparse*.so*' -o -name 'libcusolver*.so*' -o -name 'libcurand*.so*' -o -name 'libcupti*.so*' -o -name 'libnvinfer*.so*' \) -printf '%p %y %s %l\n' 2>/dev/null | sort > "$out/cuda-libs.txt"
