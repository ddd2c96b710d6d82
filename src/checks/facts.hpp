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
// cuInit's result as "34 CUDA_ERROR_STUB_LIBRARY": the name from the library, else from the knowledge.
std::string cuda_result(const Snapshot& s, const Knowledge& k);
// The device nodes (device_checks.cpp reports them): a node absent, /dev/nvidiactl or every /dev/nvidiaN
// absent while the module is loaded, /dev/nvidia-uvm absent.
bool node_missing(const Snapshot& s, const std::string& path);
bool nodes_missing(const Snapshot& s);
bool uvm_missing(const Snapshot& s);
// A present node that is not the device it must be (devices.toml, /proc/devices): "is 1:3 (mem, the same
// device as /dev/null), not 195:0"; "" when it is right or its numbers are unknown (a fixture's empty stand-in).
std::string device_node_problem(const Snapshot& s, const Knowledge& k, const DeviceNode& n);
// The numbers a node must carry, "195:0" ("<nvidia-uvm major>:0" when /proc/devices did not say); -1 unknown.
int expected_major(const Snapshot& s, const DeviceNodeFact& f);
std::string expected_numbers(const Snapshot& s, const DeviceNodeFact& f);
// The nodes CUDA opens (nvidiactl, nvidia-uvm, nvidiaN) that a readable cgroup-v1 devices.list does not allow
// for reading and writing; empty when allowed or unknown (cgroup v2, unreadable).
std::vector<const DeviceNode*> cgroup_denied_nodes(const Snapshot& s);
// Present nodes CUDA needs that the probing user cannot open for reading and writing (not nvidia-uvm-tools nor
// the MIG capability nodes, which are root's by design).
std::vector<const DeviceNode*> inaccessible_nodes(const Snapshot& s);
// One of the above explains a failing cuInit/NVML: a wrong node, one the user cannot open, or a cgroup that denies one.
bool device_access_broken(const Snapshot& s, const Knowledge& k);
// The entries of LD_LIBRARY_PATH, in order (empty entries dropped).
std::vector<std::string> ld_library_path(const Snapshot& s);
// A colon-separated variable (PYTHONPATH, LD_LIBRARY_PATH) without the given entries, as an export line (or
// "unset VAR" when nothing is left).
std::string path_list_without(const Snapshot& s, const std::string& var, const std::vector<std::string>& drop);
std::string ld_library_path_without(const Snapshot& s, const std::vector<std::string>& drop);
// The objects the loader preloads (snapshot.libraries.preload) that are of `family` or are the file `path`
// (by path or real path); an empty argument matches nothing.
std::vector<const Preload*> preloads_of(const Snapshot& s, const std::string& family, const std::string& path = "");
// The fix that stops preloading these: LD_PRELOAD without them (or unset), and/or the line to take out of
// /etc/ld.so.preload. Only the sources that hold them are named.
std::string preload_without(const Snapshot& s, const std::vector<const Preload*>& drop);
// The fix that takes the library file `path` off the loader's path, acting on how it got there: its preload
// entry (LD_PRELOAD, /etc/ld.so.preload), else its LD_LIBRARY_PATH entry, else the ld.so.conf line naming its
// directory (then ldconfig), else (a system directory) the package or file itself.
std::string off_loader_path(const Snapshot& s, const std::string& path);
// "libcudnn.so.9" -> "9" ("" without a version after .so)
std::string soname_major(const std::string& name);
// A copy in a pip wheel newer than the one LD_LIBRARY_PATH made the loader pick for `r` (nullptr if none):
// library.ld-library-path-shadows-wheel's finding.
const LibraryCopy* newer_wheel_copy(const Snapshot& s, const Resolution& r);
// The command that puts back a distribution's files as installed: pip's --force-reinstall --no-deps, or uv's
// --reinstall when uv installed it. `python` is the interpreter ("" -> python), `version` may be empty.
std::string pip_reinstall(const std::string& python, const std::string& name, const std::string& version,
                          const std::string& installer);
std::string signal_name(int sig);
// Number of GPUs the machine has, from NVML, /proc/driver/nvidia or PCI (0 if unknown).
int physical_gpu_count(const Snapshot& s);
// nvidia-* wheels (normalised names) the framework behind a library consumer requires but its interpreter
// lacks: framework.wheels-missing reports them (framework_checks.cpp), so library.not-found need not.
std::set<std::string> missing_required_wheels(const Snapshot& s, const Consumer& c);
// One nvidia-* wheel the framework behind a library consumer requires on this machine (framework_checks.cpp).
struct WheelPin {
  std::string name;                          // normalised: nvidia-cudnn-cu13
  std::string spec;                          // the Requires-Dist specifiers: "==9.19.0.56", ">=9.8,<10.0", ""
  const Distribution* installed = nullptr;   // the distribution of that name that wins in its interpreter
  const Interpreter* interpreter = nullptr;
  const Framework* framework = nullptr;
};
std::vector<WheelPin> wheel_pins(const Snapshot& s, const Consumer& c);
// The python to run pip with for a consumer's packages: the interpreter (a venv's bin/python, not the base
// interpreter its realpath is, which would install elsewhere) whose site-packages hold the framework.
std::string consumer_python(const Snapshot& s, const Consumer& c);
// That interpreter (the one whose framework the consumer is), or nullptr.
const Interpreter* consumer_interpreter(const Snapshot& s, const Consumer& c);
// The pin of the wheel that provides a library family (libraries.toml pip names), or nullptr.
const WheelPin* pin_for_family(const std::vector<WheelPin>& pins, const LibraryFamily& fam);
// A distribution name as PEP 503 compares them, lower case with '-' for '_' and '.': nvidia_cudnn_cu13 -> nvidia-cudnn-cu13.
std::string dist_key(std::string name);
// How a sys.path entry of the interpreter got there: "PYTHONPATH", "user-site", "site", "pth:FILE" ... ("" if
// the entry is not on its sys.path).
std::string origin_of(const Interpreter& py, const std::string& entry);

// The configuration.nix lines that load NVIDIA's driver for these GPUs on NixOS, then the rebuild. They set
// hardware.nvidia.open from the GPUs' architecture (gpus.toml): NixOS refuses drivers 560 and newer without it.
std::string nixos_driver_fix(const Snapshot& s, const Knowledge& k);

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
// The invariants of the GPU wheels (wheel_checks.cpp), registered among the library and python checks.
void wrong_version(const CheckInput& in, Emitter& e);
void wheel_incomplete(const CheckInput& in, Emitter& e);
void toolkit_major_mismatch(const CheckInput& in, Emitter& e);

}  // namespace gpuenv
