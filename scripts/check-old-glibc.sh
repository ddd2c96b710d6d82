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
# its helpers stay x86_64), GPUENV_CHROOT (default: the sysroot of build-portable.sh, /var/tmp/gpuenv-bullseye or /var/tmp/gpuenv-bullseye-arm64
# for aarch64: made once with debootstrap, with python3 for the tests that start an interpreter),
# GPUENV_PORTABLE_BUILD (default build-portable, build-portable-aarch64).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${1:-build}
shift || true
arch=${GPUENV_ARCH:-x86_64}
case $arch in
  x86_64) root=${GPUENV_CHROOT:-/var/tmp/gpuenv-bullseye}; portable=${GPUENV_PORTABLE_BUILD:-build-portable}/gpuenv
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
fi
# python3 for the tests that start an interpreter (a sysroot of build-portable.sh may lack it), and Debian 11's Slurm
# client where this machine has Slurm: `gpuenv healthcheck` runs scontrol in the chroot (Slurm 20.11 there talks to
# this machine's slurmctld: Slurm takes RPCs from two major releases back).
want=()
[[ -x $root/usr/bin/python3 ]] || want+=(python3)
[[ -x $root/usr/bin/scontrol || ! -x /usr/bin/scontrol ]] || want+=(slurm-client)
if ((${#want[@]})); then
  chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${want[*]} >/dev/null"
fi
echo "check-old-glibc.sh: chroot $root ($(chroot "$root" dpkg --print-architecture)): $(chroot "$root" ldd --version | head -1)" >&2
install -D -m 0755 "$portable" "$root/opt/gpuenv/gpuenv"

wrapper=$(mktemp /var/tmp/gpuenv-chroot-wrapper.XXXXXX)
fakes=$(mktemp -d /tmp/gpuenv-chroot-fakes.XXXXXX)
trap 'rm -rf "$wrapper" "$wrapper.c" "$fakes"' EXIT
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
# The wrapper, a small C program: chroot, back to the caller's user, the caller's directory, exec. A program, not a
# script: the environment (PWD: tests give gpuenv a PWD of their own, a project inside a --root tree, that a shell
# would reset) and the signal dispositions (ignored SIGPIPE and SIGXFSZ) reach gpuenv as they are. Set-user-ID
# root, for the tests that drop root before they start gpuenv (setpriv --reuid): it chroots, then takes the caller's
# user and group back before anything runs. glibc removes LD_PRELOAD, LD_LIBRARY_PATH, TMPDIR, ... from a
# set-user-ID program's environment, so gpuenv gets the environment the kernel started the wrapper with
# (/proc/self/environ). And an ELF program linked against this machine's C library: the .deb/.rpm tests package
# it in place of gpuenv and read its library dependencies.
cat >"$wrapper.c" <<'WRAP'
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static char** original_environment(void) {
  static char buf[1 << 20];
  int fd = open("/proc/self/environ", O_RDONLY);
  if (fd < 0) return NULL;
  size_t n = 0;
  ssize_t r;
  while (n < sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)r;
  close(fd);
  buf[n] = 0;
  size_t count = 0;
  for (size_t i = 0; i < n; i += strlen(buf + i) + 1) ++count;
  char** env = calloc(count + 1, sizeof *env);
  size_t k = 0;
  for (size_t i = 0; i < n; i += strlen(buf + i) + 1) env[k++] = buf + i;
  return env;
}
int main(int argc, char** argv) {
  (void)argc;
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "/");
  uid_t uid = getuid();
  gid_t gid = getgid();
  char** env = uid != geteuid() ? original_environment() : NULL;
  if (chroot("@ROOT@") != 0) { perror("gpuenv chroot wrapper: chroot @ROOT@"); return 127; }
  if (setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) { perror("gpuenv chroot wrapper: setresuid"); return 127; }
  if (chdir(cwd) != 0 && chdir("/") != 0) return 127;
  argv[0] = "/opt/gpuenv/gpuenv";
  execve(argv[0], argv, env ? env : environ);
  perror("gpuenv chroot wrapper: /opt/gpuenv/gpuenv");
  return 127;
}
WRAP
sed -i -e "s|@ROOT@|$root|g" "$wrapper.c"
cc -O1 -Wall -o "$wrapper" "$wrapper.c"
chmod 4755 "$wrapper"

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
