# The old-glibc build (scripts/build-portable.sh): this machine's compiler, the C library and the static libraries
# of a Debian 11 sysroot (GPUENV_SYSROOT, made with debootstrap), the header-only libraries copied into its
# /usr/local by the script. The C++ runtime is this GCC's own, linked statically.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
if(NOT GPUENV_SYSROOT)
  set(GPUENV_SYSROOT $ENV{GPUENV_SYSROOT})
endif()
set(CMAKE_SYSROOT ${GPUENV_SYSROOT})
set(CMAKE_FIND_ROOT_PATH ${GPUENV_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# The built gpuenv runs here (it writes its man page and completions at build time): no emulator needed.
set(CMAKE_CROSSCOMPILING_EMULATOR "")
