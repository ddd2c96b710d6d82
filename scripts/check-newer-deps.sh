#!/usr/bin/env bash
# Builds gpuenv against newer releases of its header libraries than Debian 12 has (the ones nixpkgs, Fedora or
# Arch ship), then checks that it prints exactly what the Debian build prints (scripts/compare-outputs.py: every
# fixture machine and every replayed snapshot). Not part of .ci/run: it needs the libraries' sources, and the
# build takes about 6 minutes on 2 cores.
#
#   scripts/check-newer-deps.sh FMT_SRC CLI11_SRC TOMLPP_SRC [TEST_BUILD_DIR]
#
# FMT_SRC, CLI11_SRC, TOMLPP_SRC: source trees of a release of fmt, CLI11 and toml++ (for instance
# `git archive 12.2.0 | tar -x -C fmt-12.2.0` in a clone of github.com/fmtlib/fmt). TEST_BUILD_DIR (default build/)
# is a test build of this tree: its gpuenv is the reference, and its fake libcuda/NVML serve the fixtures.
# Checked on 2026-12-03 with fmt 12.2.0, CLI11 2.7.2 and toml++ 3.4.0: 256 of 256 outputs identical. nlohmann-json,
# RapidJSON, Nettle and libelf stay Debian's.
# Environment: WORK (default /var/tmp/gpuenv-newer-deps) holds the installed libraries and the build.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,16p' "$0" >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd)
fmt_src=$(realpath "$1"); cli11_src=$(realpath "$2"); tomlpp_src=$(realpath "$3")
ref_build=$(realpath "${4:-$src/build}")
work=${WORK:-/var/tmp/gpuenv-newer-deps}
prefix=$work/prefix
[ -x "$ref_build/gpuenv" ] || { echo "check-newer-deps: no gpuenv in $ref_build (build the tests first)" >&2; exit 2; }
[ -f "$tomlpp_src/include/toml++/toml.h" ] || { echo "check-newer-deps: $tomlpp_src is not a toml++ tree" >&2; exit 2; }
rm -rf "$work" && mkdir -p "$prefix/include"

echo "== fmt, CLI11 and toml++ into $prefix" >&2
cmake -S "$fmt_src" -B "$work/fmt" -G Ninja -DFMT_TEST=OFF -DFMT_DOC=OFF -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
cmake --build "$work/fmt" >/dev/null && cmake --install "$work/fmt" >/dev/null
cmake -S "$cli11_src" -B "$work/cli11" -G Ninja -DCLI11_BUILD_TESTS=OFF -DCLI11_BUILD_EXAMPLES=OFF \
  -DCLI11_BUILD_DOCS=OFF -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
cmake --install "$work/cli11" >/dev/null
cp -r "$tomlpp_src/include/toml++" "$prefix/include/"
grep -h -E '#define (FMT_VERSION|CLI11_VERSION|TOML_LIB_(MAJOR|MINOR|PATCH)) ' \
  "$prefix/include/fmt/base.h" "$prefix/include/fmt/core.h" "$prefix/include/CLI/Version.hpp" \
  "$prefix"/include/toml++/impl/version.h* 2>/dev/null | sort -u >&2 || true

echo "== gpuenv against them (as nix/package.nix builds it: not portable, no tests)" >&2
cmake -S "$src" -B "$work/gpuenv" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DGPUENV_PORTABLE=OFF -DGPUENV_BUILD_TESTS=OFF -DGPUENV_BUILD_BENCH=OFF >/dev/null
grep -E '^(fmt_DIR|CLI11_DIR|TOMLPP_INCLUDE_DIR)' "$work/gpuenv/CMakeCache.txt" >&2
cmake --build "$work/gpuenv" --target gpuenv

echo "== the same output as $ref_build/gpuenv" >&2
python3 "$src/scripts/compare-outputs.py" "$ref_build/gpuenv" "$work/gpuenv/gpuenv" "$ref_build"
