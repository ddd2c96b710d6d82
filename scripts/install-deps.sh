#!/usr/bin/env bash
# Installs the Debian 12 packages gpuenv needs, skipping those already present.
#   scripts/install-deps.sh          build dependencies
#   scripts/install-deps.sh --test   also what the test suite uses (real tools the tests drive)
set -euo pipefail
pkgs=(g++ cmake make pkg-config libcli11-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev libelf-dev rapidjson-dev nettle-dev)
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(libgtest-dev libgmock-dev libbenchmark-dev python3 util-linux)
  [[ -f scripts/test-packages.txt ]] && mapfile -t extra < <(grep -v '^#' scripts/test-packages.txt | grep -v '^$') && pkgs+=("${extra[@]}")
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then exit 0; fi
echo "installing: ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
