#!/usr/bin/env bash
# Runs the end-to-end tests against the old-glibc gpuenv (scripts/build-portable.sh) on a Debian 11 userland
# (glibc 2.31): every gpuenv the tests start runs inside a bullseye chroot, not only its symbol versions read.
#   scripts/check-old-glibc.sh [BUILD_DIR] [gtest args...]
# BUILD_DIR (default build) holds the e2e test binary of a normal build of this tree (cmake --build BUILD_DIR
# --target gpuenv_e2e_tests). In a private mount namespace, BUILD_DIR/gpuenv is covered by a wrapper that runs
# the portable binary in the chroot, where /proc, /sys, /dev, /tmp and this source tree are bind-mounted at their
# own paths (fixtures, temporary projects and the fake driver libraries are where the tests expect them); the test
# binary itself runs here. Needs root (chroot, mount). Prints the pass count.
# Environment: GPUENV_CHROOT (default /var/tmp/gpuenv-bullseye-root: made once with debootstrap, with python3 for
# the tests that start an interpreter), GPUENV_PORTABLE_BUILD (default build-portable).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${1:-build}
shift || true
root=${GPUENV_CHROOT:-/var/tmp/gpuenv-bullseye-root}
portable=${GPUENV_PORTABLE_BUILD:-build-portable}/gpuenv
[[ $(id -u) -eq 0 ]] || { echo "check-old-glibc.sh: needs root (chroot, mount)" >&2; exit 2; }
[[ -x $portable ]] || { echo "check-old-glibc.sh: no $portable: run scripts/build-portable.sh first" >&2; exit 2; }
[[ -x $build/tests/gpuenv_e2e_tests ]] || { echo "check-old-glibc.sh: no $build/tests/gpuenv_e2e_tests" >&2; exit 2; }

if [[ ! -x $root/usr/bin/ldd ]]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  debootstrap --variant=minbase --include=python3,util-linux bullseye "$root" http://deb.debian.org/debian
elif [[ ! -x $root/usr/bin/python3 ]]; then  # a sysroot of build-portable.sh used as the chroot
  chroot "$root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null'
fi
echo "check-old-glibc.sh: chroot $root: $(chroot "$root" ldd --version | head -1)" >&2
install -D -m 0755 "$portable" "$root/opt/gpuenv/gpuenv"

wrapper=$(mktemp /tmp/gpuenv-chroot-wrapper.XXXXXX)
trap 'rm -f "$wrapper"' EXIT
cat >"$wrapper" <<'WRAP'
#!/usr/bin/perl
# gpuenv in the Debian 11 chroot, in the caller's directory and with the caller's PWD. Perl, not a shell or Python:
# a shell resets PWD when it starts (to the real directory), and tests give gpuenv a PWD of their own (a project
# inside a --root tree) that must reach it unchanged; Python ignores SIGPIPE and SIGXFSZ, which an exec keeps, and
# tests set those dispositions themselves.
use Cwd qw(getcwd);
my $inner = 'cd "$1" 2>/dev/null || cd /; if [ -n "$2" ]; then PWD=$2; export PWD; else unset PWD; fi; shift 2; '
          . 'exec /opt/gpuenv/gpuenv "$@"';
exec { '@CHROOT@' } 'chroot', '@ROOT@', '/bin/sh', '-c', $inner, 'sh', getcwd(), $ENV{PWD} // '', @ARGV
  or die "chroot: $!\n";
WRAP
sed -i -e "s|@CHROOT@|$(command -v chroot)|" -e "s|@ROOT@|$root|" "$wrapper"
chmod 0755 "$wrapper"

# A private mount namespace: the bind mounts and the covered binary vanish with it.
unshare --mount --propagation private /bin/sh -s -- "$src" "$root" "$build" "$wrapper" "$@" <<'NS'
set -eu
src=$1 root=$2 build=$3 wrapper=$4
shift 4
for d in /proc /sys /dev /tmp "$src"; do
  mkdir -p "$root$d"
  mount --rbind "$d" "$root$d"
done
mount --bind "$wrapper" "$src/$build/gpuenv"
cd "$src"
"$build/tests/gpuenv_e2e_tests" "$@" 2>&1 | tee /tmp/gpuenv-old-glibc-e2e.log | grep -E '^\[  (PASSED|FAILED) |^\[==========\]|tests? ran|FAILED TESTS?' || true
NS
