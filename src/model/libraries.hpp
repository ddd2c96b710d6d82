#pragma once
// CUDA user-space libraries found on disk (driver libraries in this first cut;
// the full inventory and loader resolution extend this section).
#include <cstdint>
#include <string>
#include <vector>

namespace gpuenv {

struct LibraryCopy {
  std::string name;       // family: cuda, nvidia-ml, cudart, cublas, cudnn, ...
  std::string path;       // as found (may be a symlink)
  std::string realpath;   // after resolving links
  std::string soname;     // from the file name or ELF
  std::string version;    // from the file name (libcuda.so.580.159.04 -> 580.159.04)
  std::string origin;     // where it was found: ld.so.cache, /run/opengl-driver/lib, wsl, stubs, ...
  bool stub = false;      // CUDA toolkit stub (lib64/stubs)
  std::uint64_t size = 0;
};

struct Libraries {
  std::vector<LibraryCopy> copies;
};

}  // namespace gpuenv
