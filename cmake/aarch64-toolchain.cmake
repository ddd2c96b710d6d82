# The aarch64 (arm64: NVIDIA Grace Hopper, AWS Graviton, ...) cross build of scripts/build-aarch64.sh on an x86_64
# Debian 12 host: Debian's cross compiler (g++-aarch64-linux-gnu), the arm64 C library of /usr/aarch64-linux-gnu,
# the static arm64 libelf, zlib and nettle of multiarch /usr/lib/aarch64-linux-gnu (libelf-dev:arm64, ...), and the
# header-only libraries of /usr/include. The built gpuenv runs under qemu-user at build time (it writes its man page
# and completions: cmake/packaging.cmake).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# /usr/aarch64-linux-gnu: the cross C library; /: /usr/include and /usr/lib/aarch64-linux-gnu (multiarch packages).
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# Libraries and CMake package files only from those roots, and of them only the arm64 ones
# (/usr/lib/aarch64-linux-gnu, never /usr/lib/x86_64-linux-gnu: that is not searched for this architecture).
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
find_program(GPUENV_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${GPUENV_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
# cpack in the build directory: packages for arm64, not for the host (dpkg --print-architecture).
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
set(CPACK_RPM_PACKAGE_ARCHITECTURE aarch64)
