#pragma once
// Derived facts that several views share (Prometheus, NFD, fleet reports):
// which GPUs the node shows and whether each GPU framework can run on it.
// Computed from the Snapshot and the Findings only, so every renderer gives
// the same answer; the rules are documented in docs/fleet.md.
#include <string>
#include <vector>

#include "model/finding.hpp"
#include "model/snapshot.hpp"

namespace gpuenv {

// One GPU as the best available view saw it: libcuda when it worked, else NVML.
struct GpuView {
  int index = 0;
  std::string name;
  int cc_major = 0, cc_minor = 0;
  std::string uuid;
  std::string pci_bus_id;
  std::string compute_capability() const { return std::to_string(cc_major) + "." + std::to_string(cc_minor); }
};
std::vector<GpuView> visible_gpus(const Snapshot& s);

// The driver version: the kernel module's, else NVML's, else the libcuda file's ("" when unknown).
std::string driver_version(const Snapshot& s);
// The CUDA driver API as an integer (13000 = 13.0): cuDriverGetVersion, else NVML's; 0 when unknown.
int cuda_driver_api(const Snapshot& s);

struct FrameworkReadiness {
  const Interpreter* interpreter = nullptr;
  const Framework* framework = nullptr;
  bool ready = false;
  std::string reason;  // why not (one short phrase), or "ready"
};

// Readiness of one framework build on this node:
//   - it is a CUDA build,
//   - the CUDA driver sees at least one GPU (cuInit worked),
//   - the driver API major is at least the build's CUDA major (minor-version
//     compatibility covers a newer minor within one major),
//   - every visible GPU's compute capability is covered by the build's
//     arch_list when the build records one, by SASS or by PTX the driver can
//     JIT-compile (the rules of model/gpu_target.hpp, which
//     framework.arch-not-covered applies too),
//   - no error finding is about it (subject = its location or interpreter).
FrameworkReadiness framework_readiness(const Snapshot& s, const std::vector<Finding>& findings,
                                       const Interpreter& interp, const Framework& fw);

// Every framework of every interpreter, the active interpreter first.
std::vector<FrameworkReadiness> all_framework_readiness(const Snapshot& s, const std::vector<Finding>& findings);

// One entry per framework name: the build in the active interpreter, else the
// first interpreter that has it. This is what a node "offers" to schedulers.
std::vector<FrameworkReadiness> node_framework_readiness(const Snapshot& s, const std::vector<Finding>& findings);

}  // namespace gpuenv
