#!/usr/bin/env bash
# Builds one gpuenv that runs on old C libraries, and checks every versioned symbol it needs:
#   scripts/build-portable.sh            -> build-portable/gpuenv: x86_64, glibc 2.28 and newer (RHEL/Rocky 8 and 9,
#                                           Ubuntu 20.04 and 22.04, Debian 10 and later)
#   scripts/build-portable.sh aarch64    -> build-portable-aarch64/gpuenv: arm64 (NVIDIA Grace Hopper, AWS Graviton),
#                                           glibc 2.28 and newer as well (Ubuntu 20.04/22.04 on Grace Hopper, RHEL 8/9)
# (and the figures on stderr; `cpack -G DEB` in the build directory then packs the binary, its man page and completions).
# How: g++ 12 (this machine's, or Debian's cross compiler g++-aarch64-linux-gnu) compiles against a Debian 11
# (bullseye, glibc 2.31) sysroot of the target's architecture made once with debootstrap from deb.debian.org (root
# needed for that step; arm64 runs its second stage under qemu-user through binfmt_misc, registered here when
# missing), links libelf, zlib and nettle from the sysroot and the C++ runtime statically, and defines the few glibc
# functions of newer releases that GCC 12's static runtime calls (cmake/glibc-compat.c); DT_RELR (glibc 2.36) is left
# out. The result must need no GLIBC_ version above 2.28: the last step fails otherwise.
# scripts/check-old-glibc.sh then runs the end-to-end tests on it in a bullseye chroot (arm64 under qemu-user).
# Environment: GPUENV_SYSROOT (default /var/tmp/gpuenv-bullseye, /var/tmp/gpuenv-bullseye-arm64 for aarch64),
# GPUENV_PORTABLE_BUILD (default build-portable, build-portable-aarch64), GPUENV_MAX_GLIBC (default 2.28).
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-x86_64}
case $arch in
  x86_64) debarch=amd64 sysroot=/var/tmp/gpuenv-bullseye build=build-portable ;;
  aarch64|arm64) arch=aarch64 debarch=arm64 sysroot=/var/tmp/gpuenv-bullseye-arm64 build=build-portable-aarch64 ;;
  *) echo "build-portable.sh: unknown architecture '$arch' (x86_64 or aarch64)" >&2; exit 2 ;;
esac
triple=$arch-linux-gnu
sysroot=${GPUENV_SYSROOT:-$sysroot}
build=${GPUENV_PORTABLE_BUILD:-$build}
max=${GPUENV_MAX_GLIBC:-2.28}
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

# 0. arm64: the cross compiler, qemu-user and binfmt_misc (arm64 programs of the sysroot run here through it).
if [[ $arch == aarch64 ]]; then
  if ! command -v aarch64-linux-gnu-g++ >/dev/null || ! command -v qemu-aarch64-static >/dev/null ||
     ! command -v debootstrap >/dev/null; then
    $sudo apt-get install -y -qq g++-aarch64-linux-gnu qemu-user-static debootstrap
  fi
  binfmt=/proc/sys/fs/binfmt_misc
  [[ -f $binfmt/register ]] || $sudo mount -t binfmt_misc binfmt_misc "$binfmt"
  if [[ ! -f $binfmt/qemu-aarch64 ]]; then
    # qemu's own registration for arm64 ELF executables (scripts/qemu-binfmt-conf.sh of qemu), F: the
    # interpreter is opened now, so it also works inside the chroot.
    printf '%s' ':qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64-static:F' |
      $sudo tee "$binfmt/register" >/dev/null
  fi
fi

# 1. The sysroot: Debian 11 with the C library and the static libraries gpuenv links (and python3: the same tree
#    serves scripts/check-old-glibc.sh as its chroot).
if [[ ! -f $sysroot/usr/lib/$triple/libelf.a ]]; then
  command -v debootstrap >/dev/null || $sudo apt-get install -y -qq debootstrap
  $sudo debootstrap --arch="$debarch" --variant=minbase \
    --include=libc6-dev,libelf-dev,zlib1g-dev,nettle-dev,libgcc-10-dev,python3,util-linux \
    bullseye "$sysroot" http://deb.debian.org/debian
fi
# The sysroot's absolute links (lib64/ld-linux-x86-64.so.2 -> /lib/...) made relative: the linker follows them on
# this machine otherwise, to this machine's newer loader and libraries.
for d in usr/lib64 usr/lib/$triple lib/$triple; do
  [[ -d $sysroot/$d ]] || continue
  find "$sysroot/$d" -maxdepth 1 -type l -lname '/*' | while read -r link; do
    target=$(readlink "$link")
    $sudo ln -sfn "$(realpath -m --relative-to="$(realpath "$(dirname "$link")")" "$sysroot$target")" "$link"
  done
done
# 2. This machine's header-only libraries (and their CMake package files) into the sysroot's /usr/local, where
#    they come before anything of the sysroot's own (this GCC finds its own C++ headers outside the sysroot).
copy() { [[ -e $1 ]] && $sudo mkdir -p "$sysroot$(dirname "$2")" && $sudo cp -a "$1" "$sysroot$2"; }
for d in fmt toml++ CLI nlohmann rapidjson; do copy "/usr/include/$d" "/usr/local/include/$d"; done
copy /usr/include/CLI11.hpp /usr/local/include/CLI11.hpp || true
for d in fmt CLI11 nlohmann_json RapidJSON; do
  for base in /usr/lib/$triple/cmake /usr/lib/cmake /usr/share/cmake; do
    copy "$base/$d" "/usr/local/lib/cmake/$d" && break || true
  done
done
# fmt is used header-only, but its CMake package file names the shared library, which must exist (arm64: the
# multiarch package libfmt-dev:arm64).
if [[ $arch == aarch64 && ! -d /usr/lib/$triple/cmake/fmt ]]; then
  dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
  $sudo apt-get update -qq && $sudo apt-get install -y -qq libfmt-dev:arm64
fi
$sudo cp -a /usr/lib/$triple/libfmt.so* "$sysroot/usr/lib/$triple/" 2>/dev/null || true
$sudo cp -a /usr/lib/$triple/pkgconfig/{fmt,nettle}.pc "$sysroot/usr/lib/$triple/pkgconfig/" 2>/dev/null || true

# 3. The build.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DGPUENV_BUILD_TESTS=OFF -DGPUENV_BUILD_BENCH=OFF \
  -DGPUENV_OLD_GLIBC=ON -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/sysroot-toolchain.cmake" -DGPUENV_SYSROOT="$sysroot" -DGPUENV_SYSROOT_ARCH="$arch" \
  `# the sysroot's crt files and libraries before this GCC's default -L of this machine's /usr/lib` \
  -DCMAKE_EXE_LINKER_FLAGS="-B$sysroot/usr/lib/$triple/ -L$sysroot/usr/lib/$triple -L$sysroot/lib/$triple" \
  `# before glibc 2.34, threads, dlopen and clock_* live in libraries of their own` \
  -DCMAKE_CXX_STANDARD_LIBRARIES="-lpthread -ldl -lrt" \
  >/dev/null
cmake --build "$build" -j"$(nproc)" --target gpuenv gpuenv_generated_docs  # the man page and completions: cpack packs them

# 4. Every versioned symbol: none above GLIBC_$max, and only libc, libm, libpthread, libdl, librt and the loader needed.
bin=$build/gpuenv
need=$(readelf -V --wide "$bin" | grep -o 'Name: GLIBC_[0-9.]*' | sed 's/Name: GLIBC_//' | sort -uV)
top=$(echo "$need" | tail -1)
echo "gpuenv: $bin needs GLIBC_ versions: $(echo $need)" >&2
objdump=objdump
command -v "$triple-objdump" >/dev/null && objdump=$triple-objdump
$objdump -T "$bin" | grep GLIBC_ >"$build/glibc-symbols.txt" || true
readelf -d "$bin" | grep NEEDED >&2
if [[ $(printf '%s\n%s\n' "$top" "$max" | sort -V | tail -1) != "$max" ]]; then
  echo "gpuenv: FAIL: $bin needs GLIBC_$top (> $max); symbols:" >&2
  $objdump -T "$bin" | grep -E "GLIBC_($(echo "$need" | awk -v m="$max" '{ split($1,a,"."); split(m,b,"."); if (a[1]>b[1] || (a[1]==b[1] && a[2]>b[2])) printf "%s|", $1 }' | sed 's/|$//'))" >&2
  exit 1
fi
echo "gpuenv: OK: the highest glibc version $bin needs is GLIBC_$top (at most $max)" >&2
