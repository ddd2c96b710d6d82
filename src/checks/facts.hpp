#pragma once
// Facts derived from a Snapshot that several checks share. Pure functions.
#include <set>
#include <string>
#include <vector>

#include "checks/check.hpp"
#include "model/snapshot.hpp"

namespace gpuenv {

bool in_container(const Snapshot& s);
// An NVIDIA GPU is known to exist: on the PCI bus, in /proc/driver/nvidia, or (WSL) through /dev/dxg.
bool gpu_expected(const Snapshot& s);
const DeviceNode* device_node(const Snapshot& s, const std::string& path);
bool cuda_works(const Snapshot& s);  // cuInit succeeded with at least one device
// The entries of LD_LIBRARY_PATH, in order (empty entries dropped).
std::vector<std::string> ld_library_path(const Snapshot& s);
// A colon-separated variable (PYTHONPATH, LD_LIBRARY_PATH) without the given entries, as an export line (or
// "unset VAR" when nothing is left).
std::string path_list_without(const Snapshot& s, const std::string& var, const std::vector<std::string>& drop);
std::string ld_library_path_without(const Snapshot& s, const std::vector<std::string>& drop);
std::string signal_name(int sig);
// Number of GPUs the machine has, from NVML, /proc/driver/nvidia or PCI (0 if unknown).
int physical_gpu_count(const Snapshot& s);
// nvidia-* wheels (normalised names) the framework behind a library consumer requires but its interpreter
// lacks: framework.wheels-missing reports them (framework_checks.cpp), so library.not-found need not.
std::set<std::string> missing_required_wheels(const Snapshot& s, const Consumer& c);
// How a sys.path entry of the interpreter got there: "PYTHONPATH", "user-site", "site", "pth:FILE" ... ("" if
// the entry is not on its sys.path).
std::string origin_of(const Interpreter& py, const std::string& entry);

}  // namespace gpuenv

namespace gpuenv {

// A GPU as the machine knows it, in PCI bus order (nvidia-smi's numbering).
struct PhysicalGpu {
  std::string bus;   // 0000:41:00.0
  std::string uuid;  // GPU-...
  std::string name;
  int mig = -1;      // MIG mode: 1 on, 0 off, -1 unknown
};
std::vector<PhysicalGpu> physical_gpus(const Snapshot& s);
// CUDA's numbering before CUDA_VISIBLE_DEVICES: bus ids in the order the process's CUDA_DEVICE_ORDER
// gives (PCI_BUS_ID: bus order; default: fastest first, as the probe recorded). Empty if unknown.
std::vector<std::string> cuda_numbering(const Snapshot& s, bool pci_order);

// One entry of CUDA_VISIBLE_DEVICES and the GPU it selects.
struct VisibleEntry {
  std::string text;
  std::string kind;      // index, uuid, mig, invalid
  std::string bus;       // the GPU it selects, "" when it names none
  std::string problem;   // why it names none
};
// Parses CUDA_VISIBLE_DEVICES the way the driver does: entries up to the first one that names no
// device select GPUs; that one and the rest select nothing.
std::vector<VisibleEntry> visible_devices(const Snapshot& s, const std::string& value, bool pci_order);

// The interpreters whose frameworks count: the one `python` resolves to, else every one found.
std::vector<const Interpreter*> framework_interpreters(const Snapshot& s);

// The frameworks that win on their interpreter's sys.path (a shadowed copy is python.*'s finding).
template <class F>
void each_framework(const Snapshot& s, F&& fn) {
  for (auto* py : framework_interpreters(s))
    for (auto& fw : py->frameworks)
      if (fw.shadowed_by.empty()) fn(*py, fw);
}

// The distribution (its metadata) that installed a framework, found by name and location; nullptr when unknown.
const Distribution* framework_distribution(const Interpreter& py, const Framework& fw);
// A package directory built for this interpreter's Python: its lib/pythonX.Y is the interpreter's version, or,
// without one (Debian's /usr/lib/python3/dist-packages), it lies in the interpreter's own prefix.
bool built_for_interpreter(const Interpreter& py, const std::string& location);

// "torch 2.11.0+cu130"
std::string label(const Framework& fw);

// Checks of the environment a framework runs in, registered among the framework checks
// (environment_checks.cpp): /dev/shm, the CUDA toolkit extensions build with.
void shm_too_small(const CheckInput& in, Emitter& e);
void toolkit_major_mismatch(const CheckInput& in, Emitter& e);

}  // namespace gpuenv
