#!/usr/bin/env bash
# Builds one x86_64 gpuenv that runs on glibc 2.28 and newer (RHEL/Rocky 8 and 9, Ubuntu 20.04 and 22.04, Debian 10
# and later), and checks every versioned symbol it needs.
#   scripts/build-portable.sh            -> build-portable/gpuenv (and the figures on stderr)
# How: this machine's g++ 12 compiles against a Debian 11 (bullseye, glibc 2.31) sysroot made once with debootstrap
# from deb.debian.org (root needed for that step), links libelf, zlib and nettle from the sysroot and the C++
# runtime statically, and defines the few glibc functions of newer releases that GCC 12's static runtime calls
# (cmake/glibc-compat.c); DT_RELR (glibc 2.36) is left out. The result must need no GLIBC_ version above 2.28:
# the last step fails otherwise. scripts/check-old-glibc.sh then runs the end-to-end tests on it in a bullseye chroot.
# Environment: GPUENV_SYSROOT (default /var/tmp/gpuenv-bullseye), GPUENV_PORTABLE_BUILD (default build-portable),
# GPUENV_MAX_GLIBC (default 2.28).
set -euo pipefail
cd "$(dirname "$0")/.."
sysroot=${GPUENV_SYSROOT:-/var/tmp/gpuenv-bullseye}
build=${GPUENV_PORTABLE_BUILD:-build-portable}
max=${GPUENV_MAX_GLIBC:-2.28}
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

# 1. The sysroot: Debian 11 with the C library and the static libraries gpuenv links.
if [[ ! -f $sysroot/usr/lib/x86_64-linux-gnu/libelf.a ]]; then
  command -v debootstrap >/dev/null || $sudo apt-get install -y -qq debootstrap
  $sudo debootstrap --variant=minbase --include=libc6-dev,libelf-dev,zlib1g-dev,nettle-dev,libgcc-10-dev \
    bullseye "$sysroot" http://deb.debian.org/debian
fi
# The sysroot's absolute links (lib64/ld-linux-x86-64.so.2 -> /lib/...) made relative: the linker follows them on
# this machine otherwise, to this machine's newer loader and libraries.
for d in usr/lib64 usr/lib/x86_64-linux-gnu lib/x86_64-linux-gnu; do
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
  for base in /usr/lib/x86_64-linux-gnu/cmake /usr/lib/cmake /usr/share/cmake; do
    copy "$base/$d" "/usr/local/lib/cmake/$d" && break || true
  done
done
$sudo cp -a /usr/lib/x86_64-linux-gnu/libfmt.so* "$sysroot/usr/lib/x86_64-linux-gnu/" 2>/dev/null || true
$sudo cp -a /usr/lib/x86_64-linux-gnu/pkgconfig/{fmt,nettle}.pc "$sysroot/usr/lib/x86_64-linux-gnu/pkgconfig/" 2>/dev/null || true

# 3. The build.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DGPUENV_BUILD_TESTS=OFF -DGPUENV_BUILD_BENCH=OFF \
  -DGPUENV_OLD_GLIBC=ON -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/sysroot-toolchain.cmake" -DGPUENV_SYSROOT="$sysroot" \
  `# the sysroot's crt files and libraries before this GCC's default -L of this machine's /usr/lib` \
  -DCMAKE_EXE_LINKER_FLAGS="-B$sysroot/usr/lib/x86_64-linux-gnu/ -L$sysroot/usr/lib/x86_64-linux-gnu -L$sysroot/lib/x86_64-linux-gnu" \
  `# before glibc 2.34, threads, dlopen and clock_* live in libraries of their own` \
  -DCMAKE_CXX_STANDARD_LIBRARIES="-lpthread -ldl -lrt" \
  >/dev/null
cmake --build "$build" -j"$(nproc)" --target gpuenv gpuenv_generated_docs  # the man page and completions: cpack packs them

# 4. Every versioned symbol: none above GLIBC_$max, and only libc, libm, libpthread, libdl, librt and the loader needed.
bin=$build/gpuenv
need=$(readelf -V --wide "$bin" | grep -o 'Name: GLIBC_[0-9.]*' | sed 's/Name: GLIBC_//' | sort -uV)
top=$(echo "$need" | tail -1)
echo "gpuenv: $bin needs GLIBC_ versions: $(echo $need)" >&2
objdump -T "$bin" | grep GLIBC_ >"$build/glibc-symbols.txt" || true
readelf -d "$bin" | grep NEEDED >&2
if [[ $(printf '%s\n%s\n' "$top" "$max" | sort -V | tail -1) != "$max" ]]; then
  echo "gpuenv: FAIL: $bin needs GLIBC_$top (> $max); symbols:" >&2
  objdump -T "$bin" | grep -E "GLIBC_($(echo "$need" | awk -v m="$max" '{ split($1,a,"."); split(m,b,"."); if (a[1]>b[1] || (a[1]==b[1] && a[2]>b[2])) printf "%s|", $1 }' | sed 's/|$//'))" >&2
  exit 1
fi
echo "gpuenv: OK: the highest glibc version $bin needs is GLIBC_$top (at most $max)" >&2
