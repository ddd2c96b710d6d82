#!/usr/bin/env bash
# Cross-compiles gpuenv for aarch64 (arm64: NVIDIA Grace Hopper, Graviton, ...) on an x86_64 Debian 12 machine.
#   scripts/build-aarch64.sh             -> build-aarch64/gpuenv (arm64), its man page and completions
#   (cd build-aarch64 && cpack -G DEB)   -> build-aarch64/gpuenv_0.1.0_arm64.deb
# How: Debian's cross compiler (g++-aarch64-linux-gnu, GCC 12) and the arm64 multiarch packages libelf-dev, zlib1g-dev,
# nettle-dev and libfmt-dev (dpkg --add-architecture arm64; installed here with apt-get when missing: root needed),
# cmake/aarch64-toolchain.cmake. As in the x86_64 default build (GPUENV_PORTABLE), libelf, zlib, nettle and the C++
# runtime are static and glibc is shared; the man page and completions are made by running the built gpuenv under
# qemu-user (qemu-aarch64-static -L /usr/aarch64-linux-gnu, CMAKE_CROSSCOMPILING_EMULATOR).
# The binary is linked against Debian 12's arm64 glibc and needs GLIBC_2.36 where it runs: Debian 12,
# Ubuntu 24.04 and newer, not Ubuntu 22.04 (glibc 2.35). There is no old-glibc arm64 build (build-portable.sh is
# x86_64 only).
# Verified only under qemu-user on x86_64 (--version, checks, doctor --no-driver --root on a fixture, the .deb's
# contents), never on real Grace Hopper or other arm64 hardware; the test suite was not run for arm64.
# Environment: GPUENV_AARCH64_BUILD (default build-aarch64).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${GPUENV_AARCH64_BUILD:-build-aarch64}
qemu=(qemu-aarch64-static -L /usr/aarch64-linux-gnu)
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

# 1. The cross compiler, the arm64 libraries (multiarch) and qemu-user, once.
if [[ ! -f /usr/lib/aarch64-linux-gnu/libelf.a || ! -f /usr/lib/aarch64-linux-gnu/libnettle.a ||
      ! -d /usr/lib/aarch64-linux-gnu/cmake/fmt ]] || ! command -v aarch64-linux-gnu-g++ >/dev/null ||
   ! command -v qemu-aarch64-static >/dev/null; then
  dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq g++-aarch64-linux-gnu qemu-user-static \
    libelf-dev:arm64 zlib1g-dev:arm64 nettle-dev:arm64 libfmt-dev:arm64
fi

# 2. The build (GPUENV_PORTABLE, the default: libelf, zlib, nettle and the C++ runtime static; glibc shared).
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DGPUENV_BUILD_TESTS=OFF -DGPUENV_BUILD_BENCH=OFF \
  -DGPUENV_PORTABLE=ON -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-toolchain.cmake" >/dev/null
cmake --build "$build" -j"$(nproc)" --target gpuenv gpuenv_generated_docs  # the docs: gpuenv run under qemu

# 3. What was made.
bin=$build/gpuenv
file "$bin"
need=$(readelf -V --wide "$bin" | grep -o 'Name: GLIBC_[0-9.]*' | sed 's/Name: GLIBC_//' | sort -uV)
echo "gpuenv: $bin needs GLIBC_ versions: $(echo $need); the highest: GLIBC_$(echo "$need" | tail -1)" >&2
readelf -d "$bin" | grep NEEDED >&2
"${qemu[@]}" "$bin" --version
