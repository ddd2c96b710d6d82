#!/usr/bin/env bash
# Builds and runs gpuenv's libFuzzer targets (tests/fuzz/README.md).
#
#   scripts/fuzz.sh build [BUILD_DIR]            clang build of every target (default build-fuzz)
#   scripts/fuzz.sh list                         the targets
#   scripts/fuzz.sh TARGET|all SECONDS [JOBS]    run each target SECONDS (JOBS processes in all; default: all cores)
#   scripts/fuzz.sh bundle DIR                   build, then copy binaries, corpora and this script to DIR: copy DIR
#                                                to another x86-64 Linux machine and run DIR/fuzz.sh all 600 16 there
#   scripts/fuzz.sh merge TARGET|all RUN_DIR     add the inputs of a run that reach new coverage to tests/fuzz/corpus
#
# Environment: FUZZ_BIN (folder of gpuenv_fuzz_* binaries; default the bundle's bin/ beside this script, else
# BUILD_DIR/fuzz, built when missing), FUZZ_CORPUS (folder of <target>/ seed corpora; default the bundle's or
# tests/fuzz/corpus), FUZZ_CRASHES (kept reproducers; default the bundle's or tests/fuzz/crashes), FUZZ_OUT (where a
# run writes, default fuzz-out/<UTC time>), FUZZ_MAX_LEN (default 131072), FUZZ_CC/FUZZ_CXX (default: clang found).
# A run writes FUZZ_OUT/<target>/{corpus/,crashes/,log} and prints, per target, executions, coverage, corpus
# size and the number of crash, hang, leak or out-of-memory inputs found (also in FUZZ_OUT/summary.txt).
# The exit code is 1 when any target found one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ -d $here/bin && -d $here/corpus ]]; then  # a bundle
  repo=""
  : "${FUZZ_BIN:=$here/bin}" "${FUZZ_CORPUS:=$here/corpus}" "${FUZZ_CRASHES:=$here/crashes}"
else
  repo=$(cd "$here/.." && pwd)
  : "${FUZZ_CORPUS:=$repo/tests/fuzz/corpus}" "${FUZZ_CRASHES:=$repo/tests/fuzz/crashes}"
fi

targets() {
  if [[ -n ${FUZZ_BIN:-} && -d ${FUZZ_BIN:-} ]]; then
    (cd "$FUZZ_BIN" && ls gpuenv_fuzz_* 2>/dev/null | sed 's/^gpuenv_fuzz_//')
  else
    sed -n '/^set(GPUENV_FUZZ_TARGETS/,/)/p' "$repo/tests/fuzz/CMakeLists.txt" | tr ' ()' '\n\n\n' |
      grep -v -e '^$' -e GPUENV_FUZZ_TARGETS -e '^set$'
  fi
}

find_clang() {
  local v
  for v in "" -20 -19 -18 -17 -16 -15 -14; do
    if command -v "clang++$v" >/dev/null && command -v "clang$v" >/dev/null; then
      echo "clang$v clang++$v"
      return
    fi
  done
  echo "fuzz.sh: no clang found (set FUZZ_CC and FUZZ_CXX)" >&2
  exit 2
}

build() {
  [[ -n $repo ]] || { echo "fuzz.sh: build needs the source tree" >&2; exit 2; }
  local dir=${1:-$repo/build-fuzz}
  local cc cxx
  read -r cc cxx <<<"${FUZZ_CC:+$FUZZ_CC ${FUZZ_CXX:?set FUZZ_CXX too}}"
  [[ -n ${cc:-} ]] || read -r cc cxx <<<"$(find_clang)"
  # -O1 without NDEBUG: asserts (toml++'s too) stay on, as in the sanitizer build of the tests.
  cmake -S "$repo" -B "$dir" -DGPUENV_FUZZ=ON -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS=-O1 -DCMAKE_CXX_FLAGS=-O1 \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
  local t list=()
  for t in $(targets); do list+=("gpuenv_fuzz_$t"); done
  cmake --build "$dir" -j"$(nproc)" --target "${list[@]}"
  FUZZ_BIN=$dir/fuzz
}

ensure_bin() {
  if [[ -z ${FUZZ_BIN:-} ]]; then
    FUZZ_BIN=$repo/build-fuzz/fuzz
    local t
    for t in $(targets); do [[ -x $FUZZ_BIN/gpuenv_fuzz_$t ]] || { build "$repo/build-fuzz"; break; }; done
  fi
}

# run_one TARGET SECONDS WORKERS: one target; libFuzzer's fork mode keeps going after a crash.
run_one() {
  local t=$1 secs=$2 workers=$3 out=$FUZZ_OUT/$1
  mkdir -p "$out/corpus" "$out/crashes"
  local extra=()
  [[ -d $FUZZ_CORPUS/$t ]] && extra+=("$FUZZ_CORPUS/$t")
  [[ -d $FUZZ_CRASHES/$t ]] && extra+=("$FUZZ_CRASHES/$t")
  (cd "$out" && "$FUZZ_BIN/gpuenv_fuzz_$t" -fork="$workers" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -max_len="${FUZZ_MAX_LEN:-131072}" \
    -artifact_prefix="$out/crashes/" -print_final_stats=1 "$out/corpus" "${extra[@]}" >"$out/log" 2>&1) || true
}

summary() {
  local t line execs cov ft corp found
  printf '%-16s %12s %8s %8s %8s %7s\n' target executions cov ft corpus found
  for t in "$@"; do
    line=$(grep -E '^#[0-9]+: cov: ' "$FUZZ_OUT/$t/log" | tail -1 || true)
    execs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$line")
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$line")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$line")
    corp=$(find "$FUZZ_OUT/$t/corpus" -type f | wc -l)
    found=$(find "$FUZZ_OUT/$t/crashes" -type f | wc -l)
    printf '%-16s %12s %8s %8s %8s %7s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$found"
  done
}

run() {
  local which=$1 secs=$2 jobs=${3:-$(nproc)}
  ensure_bin
  local list=()
  if [[ $which == all ]]; then mapfile -t list < <(targets); else list=("$which"); fi
  local t
  for t in "${list[@]}"; do
    [[ -x $FUZZ_BIN/gpuenv_fuzz_$t ]] || { echo "fuzz.sh: no target '$t' in $FUZZ_BIN" >&2; exit 2; }
  done
  : "${FUZZ_OUT:=${repo:-$here}/fuzz-out/$(date -u +%Y%m%dT%H%M%SZ)}"
  mkdir -p "$FUZZ_OUT"
  export FUZZ_OUT FUZZ_BIN FUZZ_CORPUS FUZZ_CRASHES
  # Every target at once when the cores allow it (JOBS / targets workers each), else in waves of JOBS.
  local n=${#list[@]} workers=1 parallel=$jobs
  ((n > 0)) || { echo "fuzz.sh: no targets in $FUZZ_BIN" >&2; exit 2; }
  if ((jobs >= n)); then workers=$((jobs / n)); parallel=$n; fi
  echo "fuzz.sh: ${n} target(s), ${secs} s each, ${parallel} at a time with ${workers} worker(s); output in $FUZZ_OUT"
  export -f run_one
  printf '%s\n' "${list[@]}" | xargs -P "$parallel" -I{} bash -c 'run_one "$@"' _ {} "$secs" "$workers"
  summary "${list[@]}" | tee "$FUZZ_OUT/summary.txt"
  ! grep -qE ' [1-9][0-9]*$' "$FUZZ_OUT/summary.txt"
}

bundle() {
  local dir=${1:?bundle DIR}
  ensure_bin
  mkdir -p "$dir/bin"
  local t
  for t in $(targets); do cp "$FUZZ_BIN/gpuenv_fuzz_$t" "$dir/bin/"; done
  rm -rf "$dir/corpus" "$dir/crashes"
  cp -r "$FUZZ_CORPUS" "$dir/corpus"
  cp -r "$FUZZ_CRASHES" "$dir/crashes"
  cp "$0" "$dir/fuzz.sh"
  echo "fuzz.sh: bundle in $dir ($(du -sh "$dir" | cut -f1)); run $dir/fuzz.sh all SECONDS [JOBS] on an x86-64 Linux machine"
}

merge() {
  local which=$1 rundir=$2
  ensure_bin
  local list=() t
  if [[ $which == all ]]; then mapfile -t list < <(targets); else list=("$which"); fi
  for t in "${list[@]}"; do
    [[ -d $rundir/$t/corpus ]] || continue
    mkdir -p "$FUZZ_CORPUS/$t"
    "$FUZZ_BIN/gpuenv_fuzz_$t" -merge=1 -max_len="${FUZZ_MAX_LEN:-131072}" "$FUZZ_CORPUS/$t" "$rundir/$t/corpus" 2>&1 |
      grep -E 'MERGE-OUTER: [0-9]+ new files' || true
  done
}

case ${1:-} in
  build) build "${2:-}" ;;
  list) targets ;;
  bundle) bundle "${2:-}" ;;
  merge) merge "${2:?merge TARGET|all RUN_DIR}" "${3:?merge TARGET|all RUN_DIR}" ;;
  ""|-h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) run "$1" "${2:?usage: fuzz.sh TARGET|all SECONDS [JOBS]}" "${3:-}" ;;
esac
