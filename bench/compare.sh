#!/usr/bin/env bash
# bench/compare: the same work done by two gpuenv binaries (a refactoring must not make it slower), alternately in
# one run, as ratios of the new to the old: `doctor` on a fixture machine (files only), `run -- true` with a
# gpuenv.toml and a 50-entry PYTHONPATH to repair, and `fleet report` over generated node files.
#   bench/compare.sh OLD_GPUENV NEW_GPUENV [BUILD_DIR] [RUNS] [NODES]
# BUILD_DIR holds bench_cmd and fleet_bench (a Release build of either tree).
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); build=$(realpath "${3:-build}"); runs=${4:-40}; nodes=${5:-2000}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fixture="$src/tests/fixtures/h100-ubuntu-healthy/root"
# fleet_bench also times its own goal (and exits 1 when a loaded machine misses it); only its files are used here.
"$build/bench/fleet_bench" --nodes "$nodes" --keep "$work/nodes" >/dev/null || true
[[ -d "$work/nodes" ]] || { echo "fleet_bench wrote no node files" >&2; exit 2; }
mkdir -p "$work/proj"
printf '[python]\ninterpreter = "/usr/bin/python3"\n' > "$work/proj/gpuenv.toml"
pp=$(for i in $(seq 1 50); do printf '/nix/store/%032d-python3.11-pkg%d/lib/python3.11/site-packages:' "$i" "$i"; done)
echo "bench/compare on $(hostname) ($(nproc) CPUs), $(date -u +%F): $old -> $new"
for what in doctor run fleet; do
  case $what in
    doctor) args=(doctor --no-driver --root "$fixture") ;;
    run) args=(run -- true) ;;
    fleet) args=(fleet report "$work/nodes") ;;
  esac
  echo "== $what: ${args[*]}"
  (cd "$work/proj" && PYTHONPATH="$pp" "$build/bench/bench_cmd" --runs "$runs" --warmup 3 --allow-fail -- \
      "old $what" "$old" "${args[@]}" ::: "new $what" "$new" "${args[@]}")
done
