# The old-glibc build (scripts/build-portable.sh): a Debian 11 sysroot (GPUENV_SYSROOT, made with debootstrap) gives
# the C library and the static libraries, the header-only libraries are copied into its /usr/local by the script,
# and the C++ runtime is GCC 12's own, linked statically.
#   GPUENV_SYSROOT_ARCH x86_64 (default): this machine's compiler; the built gpuenv runs here.
#   GPUENV_SYSROOT_ARCH aarch64: Debian's cross compiler (g++-aarch64-linux-gnu) with an arm64 sysroot; the built
#     gpuenv runs at build time (it writes its man page and completions) under qemu-user with the sysroot's loader.
set(CMAKE_SYSTEM_NAME Linux)
if(NOT GPUENV_SYSROOT)
  set(GPUENV_SYSROOT $ENV{GPUENV_SYSROOT})
endif()
if(NOT GPUENV_SYSROOT_ARCH)
  set(GPUENV_SYSROOT_ARCH $ENV{GPUENV_SYSROOT_ARCH})
endif()
if(NOT GPUENV_SYSROOT_ARCH)
  set(GPUENV_SYSROOT_ARCH x86_64)
endif()
# try_compile projects see these too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES GPUENV_SYSROOT GPUENV_SYSROOT_ARCH)
set(CMAKE_SYSTEM_PROCESSOR ${GPUENV_SYSROOT_ARCH})
set(CMAKE_SYSROOT ${GPUENV_SYSROOT})
set(CMAKE_FIND_ROOT_PATH ${GPUENV_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
if(GPUENV_SYSROOT_ARCH STREQUAL "aarch64")
  set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
  set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
  set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
  # Debian's cross compiler searches its own C library headers (/usr/aarch64-linux-gnu/include: glibc 2.36) before
  # the sysroot's, whatever --sysroot says; code compiled against them may call what glibc 2.31 lacks. So no default
  # include directories: GCC 12's C++ and compiler headers, then the sysroot's /usr/local and /usr headers.
  set(gcc_dir /usr/lib/gcc-cross/aarch64-linux-gnu/12)
  set(cxx_dir /usr/aarch64-linux-gnu/include/c++/12)
  set(sys_inc "-isystem ${GPUENV_SYSROOT}/usr/local/include -isystem ${GPUENV_SYSROOT}/usr/include/aarch64-linux-gnu -isystem ${GPUENV_SYSROOT}/usr/include")
  set(CMAKE_C_FLAGS_INIT "-nostdinc -isystem ${gcc_dir}/include ${sys_inc}")
  set(CMAKE_CXX_FLAGS_INIT "-nostdinc -isystem ${cxx_dir} -isystem ${cxx_dir}/aarch64-linux-gnu -isystem ${cxx_dir}/backward -isystem ${gcc_dir}/include ${sys_inc}")
  find_program(GPUENV_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64 REQUIRED)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${GPUENV_QEMU_AARCH64} -L ${GPUENV_SYSROOT})
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  set(CPACK_RPM_PACKAGE_ARCHITECTURE aarch64)
else()
  # The built gpuenv runs here: no emulator needed.
  set(CMAKE_CROSSCOMPILING_EMULATOR "")
endif()
