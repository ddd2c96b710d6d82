#!/usr/bin/env bash
# GPU-machine check of `gpuenv nix` (issue 6): generates the three files from the live snapshot of this machine
# (real NVML names, compute capabilities, driver), checks the choices against what nvidia-smi says, and parses
# and evaluates them against the stand-in nixpkgs when nix-instantiate is there. The machine needs no network
# and no Nix store; Nix runs with its state in a temporary directory.
#
# Usage: tests/gpu/verify-nix.sh [GPUENV]      (default ./build/gpuenv; writes to $OUT when set)
set -uo pipefail
export LC_ALL=C
GPUENV=$(readlink -f "${1:-./build/gpuenv}")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUTDIR=${OUT:-$(mktemp -d)}
mkdir -p "$OUTDIR"
fail=0
say() { printf '%s\n' "$*" | tee -a "$OUTDIR/verify-nix.txt"; }

"$GPUENV" doctor --json > "$OUTDIR/snapshot.json" || true
printf '[python]\nversion = "3.12"\n\n[frameworks]\ntorch = "cuda"\n' > "$OUTDIR/gpuenv.toml"
for kind in shell flake system; do
  "$GPUENV" nix $kind --from "$OUTDIR/snapshot.json" --spec "$OUTDIR/gpuenv.toml" --force \
    -o "$OUTDIR/$kind.nix" 2>>"$OUTDIR/verify-nix.txt" || { say "FAIL: gpuenv nix $kind"; fail=1; }
done

# The capabilities in the shell must be nvidia-smi's, deduplicated and sorted.
if command -v nvidia-smi >/dev/null; then
  want=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | sort -u -V | sed 's/.*/"&"/' | paste -sd' ')
  got=$(sed -n 's/^ *cudaCapabilities = \[ \(.*\) \];/\1/p' "$OUTDIR/shell.nix")
  if [ "$want" = "$got" ]; then say "ok: cudaCapabilities [ $got ] = nvidia-smi"; else say "FAIL: cudaCapabilities [ $got ], nvidia-smi [ $want ]"; fail=1; fi
  names=$(nvidia-smi --query-gpu=name --format=csv,noheader | sort -u)
  say "GPUs: $names"
  grep -E '^#   GPU|hardware.nvidia.(open|package)' "$OUTDIR/system.nix" | tee -a "$OUTDIR/verify-nix.txt"
fi

NIXI=$(command -v nix-instantiate || true)
if [ -z "$NIXI" ]; then
  say "skip: nix-instantiate not installed (apt-get install nix-bin); files generated only"
else
  T=$(mktemp -d)
  export HOME=$T NIX_STATE_DIR=$T/state NIX_STORE_DIR=$T/store NIX_LOG_DIR=$T/log NIX_CONF_DIR=$T/conf NIX_PATH=
  export NIX_CONFIG=$'build-users-group =\nsandbox = false'
  F=$SRC/tests/fixtures/nix
  for pair in shell:shell flake:flake system:nixos; do
    kind=${pair%%:*} ev=${pair##*:}
    "$NIXI" --readonly-mode --parse "$OUTDIR/$kind.nix" >/dev/null || { say "FAIL: parse $kind.nix"; fail=1; continue; }
    if "$NIXI" --readonly-mode --eval --strict --json -I nixpkgs=$F/nixpkgs $F/eval-$ev.nix --arg file "$OUTDIR/$kind.nix" \
        > "$OUTDIR/$kind.eval.json" 2>>"$OUTDIR/verify-nix.txt"; then
      say "ok: $kind.nix parses and evaluates: $(cat "$OUTDIR/$kind.eval.json" | head -c 400)"
    else
      say "FAIL: evaluate $kind.nix"; fail=1
    fi
  done
  rm -rf "$T"
fi
say "files in $OUTDIR"
exit $fail
