#!/usr/bin/env bash
# Runs the end-to-end tests against the old-glibc gpuenv (scripts/build-portable.sh) on a Debian 11 userland
# (glibc 2.31): every gpuenv the tests start runs inside a bullseye chroot, not only its symbol versions read.
#   scripts/check-old-glibc.sh [BUILD_DIR] [gtest args...]
# BUILD_DIR (default build) holds the e2e test binary of a normal build of this tree (cmake --build BUILD_DIR
# --target gpuenv_e2e_tests). In a private mount namespace, BUILD_DIR/gpuenv is covered by a wrapper that runs
# the portable binary in the chroot, where /proc, /sys, /dev, /tmp and this source tree are bind-mounted at their
# own paths (fixtures, temporary projects and the fake driver libraries are where the tests expect them); the test
# binary itself runs here. Needs root (chroot, mount). Prints the pass count.
# Environment: GPUENV_ARCH (x86_64, the default, or aarch64: the arm64 binary of `scripts/build-portable.sh aarch64`
# in an arm64 bullseye chroot, every arm64 program there run by qemu-user through binfmt_misc; the test binary and
# its helpers stay x86_64), GPUENV_CHROOT (default /var/tmp/gpuenv-bullseye-root, /var/tmp/gpuenv-bullseye-arm64
# for aarch64: made once with debootstrap, with python3 for the tests that start an interpreter),
# GPUENV_PORTABLE_BUILD (default build-portable, build-portable-aarch64).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${1:-build}
shift || true
arch=${GPUENV_ARCH:-x86_64}
case $arch in
  x86_64) root=${GPUENV_CHROOT:-/var/tmp/gpuenv-bullseye-root}; portable=${GPUENV_PORTABLE_BUILD:-build-portable}/gpuenv
          debarch=amd64 ;;
  aarch64|arm64) root=${GPUENV_CHROOT:-/var/tmp/gpuenv-bullseye-arm64}
          portable=${GPUENV_PORTABLE_BUILD:-build-portable-aarch64}/gpuenv debarch=arm64
          [[ -f /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] ||
            { echo "check-old-glibc.sh: arm64 programs cannot run here: run scripts/build-portable.sh aarch64 first (it registers qemu-user with binfmt_misc)" >&2; exit 2; } ;;
  *) echo "check-old-glibc.sh: unknown GPUENV_ARCH '$arch' (x86_64 or aarch64)" >&2; exit 2 ;;
esac
[[ $(id -u) -eq 0 ]] || { echo "check-old-glibc.sh: needs root (chroot, mount)" >&2; exit 2; }
[[ -x $portable ]] || { echo "check-old-glibc.sh: no $portable: run scripts/build-portable.sh${GPUENV_ARCH:+ $arch} first" >&2; exit 2; }
[[ -x $build/tests/gpuenv_e2e_tests ]] || { echo "check-old-glibc.sh: no $build/tests/gpuenv_e2e_tests" >&2; exit 2; }

if [[ ! -x $root/usr/bin/ldd ]]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  debootstrap --arch="$debarch" --variant=minbase --include=python3,util-linux bullseye "$root" http://deb.debian.org/debian
elif [[ ! -x $root/usr/bin/python3 ]]; then  # a sysroot of build-portable.sh used as the chroot
  chroot "$root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null'
fi
echo "check-old-glibc.sh: chroot $root ($(chroot "$root" dpkg --print-architecture)): $(chroot "$root" ldd --version | head -1)" >&2
install -D -m 0755 "$portable" "$root/opt/gpuenv/gpuenv"

wrapper=$(mktemp /tmp/gpuenv-chroot-wrapper.XXXXXX)
fakes=$(mktemp -d /tmp/gpuenv-chroot-fakes.XXXXXX)
trap 'rm -rf "$wrapper" "$fakes"' EXIT
# arm64: the fake driver libraries and programs of the tests (tests/fake) built again for arm64 against the chroot's
# C library, to cover the x86_64 ones of BUILD_DIR/fake in the namespace below: gpuenv loads them into its probe
# child and reads them as ELF files, and an arm64 process cannot load x86_64 code.
if [[ $arch == aarch64 ]]; then
  cc=(aarch64-linux-gnu-gcc --sysroot="$root" -nostdinc -isystem /usr/lib/gcc-cross/aarch64-linux-gnu/12/include
      -isystem "$root/usr/include/aarch64-linux-gnu" -isystem "$root/usr/include" -B"$root/usr/lib/aarch64-linux-gnu/"
      -L"$root/usr/lib/aarch64-linux-gnu" -O1 -fPIC)
  f=tests/fake
  "${cc[@]}" -shared -Wl,-soname,libcuda.so.1 "$f/fake_cuda.c" -o "$fakes/libcuda.so.1"
  "${cc[@]}" -shared -Wl,-soname,libnvidia-ml.so.1 "$f/fake_nvml.c" -o "$fakes/libnvidia-ml.so.1"
  "${cc[@]}" -shared -Wl,-soname,libcudart.so.12 "$f/fake_cudart.c" -o "$fakes/libcudart.so.12"
  "${cc[@]}" "$f/nix_cuda_app.c" "$fakes/libcudart.so.12" -o "$fakes/saxpy" -Wl,--enable-new-dtags \
    -Wl,-rpath,"$(readelf -d "$build/fake/app/saxpy" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')"
  "${cc[@]}" -shared -DGPUENV_K2_FATBIN="\"$src/tests/data/k2.nv_fatbin\"" "$f/fatbin_ldata.c" -o "$fakes/libfatbin_ldata.so"
fi
cat >"$wrapper" <<'WRAP'
#!/usr/bin/perl
# gpuenv in the Debian 11 chroot, in the caller's directory and with the caller's PWD. Perl, not a shell or Python:
# a shell resets PWD when it starts (to the real directory), and tests give gpuenv a PWD of their own (a project
# inside a --root tree) that must reach it unchanged; Python ignores SIGPIPE and SIGXFSZ, which an exec keeps, and
# tests set those dispositions themselves.
use Cwd qw(getcwd);
my $inner = 'cd "$1" 2>/dev/null || cd /; if [ -n "$2" ]; then PWD=$2; export PWD; else unset PWD; fi; shift 2; '
          . 'exec /opt/gpuenv/gpuenv "$@"';
my @args = ('/bin/sh', '-c', $inner, 'sh', getcwd(), $ENV{PWD} // '', @ARGV);
if ($> == 0) {
  exec { '@CHROOT@' } 'chroot', '@ROOT@', @args or die "chroot: $!\n";
}
# A test that dropped root before starting gpuenv (setpriv --reuid): a user namespace that maps this user to itself
# gives the chroot capability and nothing else (files of other users show as the overflow user 65534; access checks
# stay the kernel's).
my $gid = (split ' ', $()[0];
exec { '@UNSHARE@' } 'unshare', '--user', "--map-user=$>", "--map-group=$gid", '--root=@ROOT@', @args
  or die "unshare: $!\n";
WRAP
sed -i -e "s|@CHROOT@|$(command -v chroot)|" -e "s|@UNSHARE@|$(command -v unshare)|" -e "s|@ROOT@|$root|" "$wrapper"
chmod 0755 "$wrapper"

# A private mount namespace: the bind mounts and the covered binary vanish with it.
unshare --mount --propagation private /bin/sh -s -- "$src" "$root" "$build" "$wrapper" "$arch" "$fakes" "$@" <<'NS'
set -eu
src=$1 root=$2 build=$3 wrapper=$4 arch=$5 fakes=$6
shift 6
# (before the bind mounts of the source tree into the chroot, which take these along)
if [ "$arch" = aarch64 ]; then
  for pair in libcuda.so.1:fake/libcuda.so.1 libnvidia-ml.so.1:fake/libnvidia-ml.so.1 \
              libcudart.so.12:fake/cudart/libcudart.so.12 saxpy:fake/app/saxpy libfatbin_ldata.so:fake/fatbin/libfatbin_ldata.so; do
    mount --bind "$fakes/${pair%%:*}" "$src/$build/${pair#*:}"
  done
fi
for d in /proc /sys /dev /tmp "$src"; do
  mkdir -p "$root$d"
  mount --rbind "$d" "$root$d"
done
mount --bind "$wrapper" "$src/$build/gpuenv"
cd "$src"
"$build/tests/gpuenv_e2e_tests" "$@" 2>&1 | tee /tmp/gpuenv-old-glibc-e2e-$arch.log | grep -E '^\[  (PASSED|FAILED) |^\[==========\]|tests? ran|FAILED TESTS?' || true
NS
