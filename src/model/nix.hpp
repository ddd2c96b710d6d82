#pragma once
// Nix facts for the nix.* checks (docs/schema.md, section "nix"): the CUDA programs and libraries built in the
// current project (their RUNPATH decides whether they find the driver) and the driver wrappers on PATH.
#include <string>
#include <vector>

namespace gpuenv {

// One ELF file among the project's build outputs that uses CUDA.
struct NixBinary {
  std::string path;
  std::vector<std::string> cuda_needed;  // DT_NEEDED entries that are CUDA libraries (libcudart.so.12, libcuda.so.1)
  std::vector<std::string> runpath;      // DT_RUNPATH (else DT_RPATH) entries, in order
  bool fatbin = false;                   // carries a .nv_fatbin section (GPU code; cudart may be linked statically)
  bool nix_toolchain = false;            // built by a Nix toolchain: its RUNPATH or RPATH names /nix/store
};

struct NixInfo {
  std::string project_dir;                 // $PWD when gpuenv ran; "" when unknown
  std::vector<std::string> inspected_dirs; // the build-output directories that exist and were read
  std::vector<NixBinary> binaries;         // CUDA users among their ELF files
  std::vector<std::string> wrappers;       // nixGL / nix-gl-host commands found on PATH (paths)
};

}  // namespace gpuenv
