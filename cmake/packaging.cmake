# Installation layout and packages (README, "Install"):
#   bin/gpuenv                                   sbin/gpuenv-healthcheck (Slurm HealthCheckProgram)
#   share/man/man1/gpuenv.1                      share/bash-completion/completions/gpuenv
#   share/zsh/site-functions/_gpuenv             share/fish/vendor_completions.d/gpuenv.fish
#   share/gpuenv/direnv/gpuenv.sh                share/gpuenv/deploy/ (Kubernetes DaemonSet, Containerfile)
#   share/doc/gpuenv/ (README.md, LICENSE, copyright: Debian's machine-readable form, docs/*.md)
# The man page and the completion scripts are made by running the built gpuenv (`gpuenv man`, `gpuenv completions`);
# a cross build without CMAKE_CROSSCOMPILING_EMULATOR cannot run it and installs them not.
include(GNUInstallDirs)
install(TARGETS gpuenv RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS share/slurm/gpuenv-healthcheck DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES share/direnv/gpuenv.sh DESTINATION ${CMAKE_INSTALL_DATADIR}/gpuenv/direnv)
install(DIRECTORY deploy/ DESTINATION ${CMAKE_INSTALL_DATADIR}/gpuenv/deploy)
file(GLOB GPUENV_DOCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES README.md LICENSE share/doc/copyright ${GPUENV_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# A cross build for another processor needs an emulator to run the built gpuenv; the old-glibc build
# (cmake/sysroot-toolchain.cmake: x86_64 for x86_64, another C library) runs it as it is.
if(CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR AND
   NOT CMAKE_SYSTEM_PROCESSOR STREQUAL CMAKE_HOST_SYSTEM_PROCESSOR)
  message(STATUS "Cross-compiling without an emulator: no man page or completion scripts are generated or installed")
else()
  set(gen ${CMAKE_BINARY_DIR}/generated)
  set(generated)
  # The emulator as a ,-list (one argument): with its own arguments (qemu-aarch64-static;-L;SYSROOT,
  # cmake/sysroot-toolchain.cmake for aarch64) a ;-list would be split into arguments of cmake -P.
  string(REPLACE ";" "," emulator "${CMAKE_CROSSCOMPILING_EMULATOR}")
  # output file | arguments (a ,-list) | install directory | installed name
  foreach(item
      "gpuenv.1|man|${CMAKE_INSTALL_MANDIR}/man1|gpuenv.1"
      "gpuenv.bash|completions,bash|${CMAKE_INSTALL_DATADIR}/bash-completion/completions|gpuenv"
      "_gpuenv|completions,zsh|${CMAKE_INSTALL_DATADIR}/zsh/site-functions|_gpuenv"
      "gpuenv.fish|completions,fish|${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d|gpuenv.fish")
    string(REPLACE "|" ";" item "${item}")
    list(GET item 0 file)
    list(GET item 1 args)
    list(GET item 2 dir)
    list(GET item 3 name)
    add_custom_command(
      OUTPUT ${gen}/${file}
      COMMAND ${CMAKE_COMMAND} "-DEMULATOR=${emulator}" -DPROGRAM=$<TARGET_FILE:gpuenv>
              "-DARGS=${args}" -DOUT=${gen}/${file} -P ${CMAKE_SOURCE_DIR}/cmake/run-to-file.cmake
      DEPENDS gpuenv ${CMAKE_SOURCE_DIR}/cmake/run-to-file.cmake
      COMMENT "Generating ${file} with gpuenv")
    list(APPEND generated ${gen}/${file})
    install(FILES ${gen}/${file} DESTINATION ${dir} RENAME ${name})
  endforeach()
  add_custom_target(gpuenv_generated_docs ALL DEPENDS ${generated})
endif()

# Packages: cpack -G DEB / cpack -G RPM in a build directory (README, "Install"). The portable build links everything
# but glibc statically, so the dependencies computed from the binary are only the C library.
set(GPUENV_PACKAGE_MAINTAINER "gpuenv maintainers <gpuenv-maintainers@invalid>" CACHE STRING
    "Maintainer field of the .deb and Packager of the .rpm (a placeholder until the project has an address)")
# The license: Apache-2.0 (LICENSE; the .deb carries it as /usr/share/doc/gpuenv/copyright too).
set(GPUENV_PACKAGE_LICENSE "Apache-2.0")  # SPDX; a fact of the project, not a cache option
unset(GPUENV_PACKAGE_LICENSE CACHE)        # build trees configured before the license was chosen held NOASSERTION
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
# cpack (and `make install`) package what is built and build nothing themselves: a cpack run by the test suite must
# not relink the binaries other tests are running. Build first (cmake --build), as README's commands do.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_PACKAGE_NAME gpuenv)
set(CPACK_PACKAGE_VENDOR gpuenv)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${GPUENV_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "make GPU machine-learning environments reproducible and self-explaining")
set(CPACK_PACKAGE_DESCRIPTION
    "gpuenv doctor inspects the GPU stack (PCI device, kernel module, user-space driver, CUDA libraries, Python
environments) and names each problem's root cause with the exact fix. gpuenv run starts a project in the
environment its gpuenv.toml declares; lock, verify and diff keep it reproducible. Includes the man page,
bash/zsh/fish completions, a direnv extension, a Slurm health check and a Kubernetes DaemonSet.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # dpkg-shlibdeps: libc6 (>= ...) for the portable build
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_RPM_PACKAGE_LICENSE "${GPUENV_PACKAGE_LICENSE}")
set(CPACK_RPM_PACKAGE_GROUP "Development/Tools")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)  # rpmbuild computes the library dependencies from the binary
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/share/man /usr/share/man/man1 /usr/share/bash-completion /usr/share/bash-completion/completions
    /usr/share/zsh /usr/share/zsh/site-functions /usr/share/fish /usr/share/fish/vendor_completions.d)
find_program(GPUENV_RPMBUILD rpmbuild)
set(CPACK_GENERATOR DEB)
if(GPUENV_RPMBUILD)
  list(APPEND CPACK_GENERATOR RPM)
endif()
include(CPack)
