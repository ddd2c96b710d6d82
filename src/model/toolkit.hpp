#pragma once
// CUDA toolkits (nvcc and headers) on the machine: what CUDA_HOME / CUDA_PATH name, the nvcc on PATH, and
// /usr/local/cuda*. Read from version.json / version.txt, never by running nvcc. docs/schema.md, "toolkit".
#include <string>
#include <vector>

namespace gpuenv {

struct CudaToolkit {
  std::string path;       // the toolkit's root (/usr/local/cuda-12.8), as reached
  std::string realpath;   // after links (/usr/local/cuda -> /usr/local/cuda-13.0)
  std::string version;    // "13.0.2" from version.json ("cuda"), or "11.2.152" from version.txt; "" unknown
  std::string version_file;  // the file the version came from
  std::string nvcc;       // bin/nvcc when present
  std::vector<std::string> found_as;  // CUDA_HOME, CUDA_PATH, PATH:nvcc, /usr/local/cuda, /usr/local/cuda-12.8
};

struct ToolkitInfo {
  std::vector<CudaToolkit> toolkits;  // each real toolkit once, in the order found
  // The toolkit extension builds use (torch.utils.cpp_extension, CuPy): CUDA_HOME, else CUDA_PATH, else the
  // parent of the nvcc on PATH, else /usr/local/cuda. Index into toolkits, -1 when none exists.
  int selected = -1;
  std::string selected_by;            // CUDA_HOME, CUDA_PATH, PATH:nvcc, /usr/local/cuda
  std::string nvcc_on_path;           // the first nvcc on PATH, "" when none
  std::vector<std::string> problems;  // CUDA_HOME names no directory, a version file is unreadable ...
};

}  // namespace gpuenv
