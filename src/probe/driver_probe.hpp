#pragma once
// The user-space driver probe: libcuda and NVML are dlopen'ed in forked
// children with a timeout. Each child streams what it learns through a pipe
// as it goes, so a crash (signal) or hang (timeout) still tells how far it
// got, and never takes gpuenv down.
//
// Start it first, run the file-reading probes, then finish(): the driver's
// initialisation time is the floor of the whole run.
#include <functional>
#include <string>

#include "model/snapshot.hpp"
#include "util/subprocess.hpp"
#include "util/fs.hpp"

namespace gpuenv {

struct DriverProbeOptions {
  std::string libcuda = "libcuda.so.1";
  std::string libnvml = "libnvidia-ml.so.1";
  double timeout_s = 5.0;
  bool enabled = true;
  // Load the driver libraries only from the system's loader configuration (/etc/ld.so.cache, then the
  // default directories), never through the caller's LD_LIBRARY_PATH (GPUENV_TRUSTED_DRIVER=1; docs/schema.md).
  bool trusted_only = false;
  // GPUs the machine has (PCI, /proc/driver/nvidia/gpus); with more than one a third child
  // records CUDA's default numbering of all of them.
  int gpu_count_hint = 0;
};

class DriverProbe {
 public:
  void start(const DriverProbeOptions& opts);
  // Waits for the children (up to the timeout, counted from start) and fills s.cuda and s.nvml.
  // on_slow is called once if they take more than a second. A child still running when the
  // DriverProbe goes is killed.
  void finish(Snapshot& s, const std::function<void()>& on_slow = {});

 private:
  DriverProbeOptions opts_;
  Process cuda_, nvml_, order_;
  bool order_needed_ = false, order_started_ = false;
};

// The file the system's own loader configuration gives for a library name (/etc/ld.so.cache, then the
// default directories), ignoring LD_LIBRARY_PATH; a name with a '/' is returned as it is. When none is
// found: the name in the first default directory (dlopen then fails instead of searching elsewhere).
std::string trusted_library_path(const Fs& fs, const std::string& name);

// Parses a child's line protocol into the model (exposed for unit tests).
void parse_cuda_child_output(const std::string& out, CudaProbe& p);
void parse_nvml_child_output(const std::string& out, NvmlProbe& p);

}  // namespace gpuenv
