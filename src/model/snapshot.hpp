#pragma once
// The Snapshot: every fact the probes gathered about one machine. Checks read
// it and nothing else; `doctor --from` rebuilds it from JSON (docs/schema.md).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/probe_status.hpp"
#include "model/deep.hpp"
#include "model/libraries.hpp"
#include "model/nix.hpp"
#include "model/python.hpp"
#include "model/toolkit.hpp"

namespace gpuenv {

inline constexpr int kSchemaVersion = 1;

struct HostInfo {
  std::string hostname;
  std::string user;
  std::string home;
  std::uint32_t uid = 0;
  std::vector<std::uint32_t> groups;  // supplementary and primary gids of the probing user
  std::string os_id;                  // os-release ID ("ubuntu", "nixos", "debian")
  std::string os_pretty_name;
  std::string os_version_id;
  std::string kernel_release;         // uname -r, or /proc/sys/kernel/osrelease under --root
  std::string arch;                   // x86_64, aarch64
  std::string glibc_version;          // from the libc file name/ELF, "" when unknown (musl)
  std::string container;              // "", docker, podman, kubernetes, lxc, containerd, other
  std::vector<std::string> container_hints;  // evidence for the container verdict
  std::string virtualization;         // "", firecracker, gvisor, kvm, ...
  bool wsl = false;
  bool nixos = false;
  bool opengl_driver_dir = false;     // /run/opengl-driver/lib exists (NixOS driver libraries)
  std::uint64_t shm_bytes = 0;        // size of the /dev/shm tmpfs (size= in /proc/self/mounts), 0 when unknown
  std::vector<std::string> net_interfaces;  // /sys/class/net names, sorted (NCCL_SOCKET_IFNAME picks among them)
  std::vector<std::string> ib_devices;      // /sys/class/infiniband names, sorted (NCCL's IB transport)
};

struct PciDevice {
  std::string address;       // 0000:00:06.0
  std::string vendor_id;     // 0x10de
  std::string device_id;     // 0x2330
  std::string subsystem_vendor_id;
  std::string subsystem_device_id;
  std::string class_id;      // 0x030200
  std::string name;          // from pci.ids when present, else ""
  std::string driver;        // bound kernel driver: nvidia, nouveau, vfio-pci, "" (none)
  int numa_node = -1;
};

struct DeviceNode {
  std::string path;
  std::string kind;          // char-device, file (fixtures), missing
  std::uint32_t mode = 0;
  std::uint32_t uid = 0, gid = 0;
  std::string group;         // name of gid on this machine, "" if unknown
  bool accessible = false;   // the probing user can open it read/write
  int major = -1, minor = -1;  // device numbers of a char/block device, -1 otherwise (fixtures: see Fs::stat_node)
  std::string major_name;    // the name of `major` in /proc/devices ("nvidia-frontend", "mem"), "" if unlisted
  std::string same_as;       // another /dev node with these numbers ("/dev/null"), when the major is not NVIDIA's
  bool mount_point = false;  // something is mounted on this path (/proc/self/mountinfo): a bind mount
};

// The device cgroup of the probing process: which device numbers it may open.
struct DeviceCgroup {
  std::string version;             // "v1" (devices controller), "v2" (an eBPF program: not readable), "" unknown
  std::string file;                // the v1 devices.list read, "" when none was readable
  std::vector<std::string> rules;  // its lines: "c 195:* rwm", "a *:* rwm" (allow-all)
};

struct KernelDriver {
  bool loaded = false;             // /proc/driver/nvidia/version or /sys/module/nvidia exists
  std::string version;             // 580.159.04
  std::string flavour;             // open, proprietary, ""
  std::string version_line;        // the NVRM line verbatim
  std::string module_version;      // /sys/module/nvidia/version
  bool nouveau_loaded = false;     // /sys/module/nouveau
  bool uvm_loaded = false;         // /sys/module/nvidia_uvm
  std::vector<std::string> proc_gpus;  // bus ids under /proc/driver/nvidia/gpus
  std::vector<DeviceNode> device_nodes;
  std::map<std::string, int> char_majors;  // /proc/devices, character devices named nvidia*: {"nvidia-uvm": 510}
  DeviceCgroup device_cgroup;
};

struct CudaDevice {
  int index = 0;
  std::string name;
  int cc_major = 0, cc_minor = 0;
  std::uint64_t total_memory = 0;
  std::string uuid;        // GPU-xxxxxxxx-...
  std::string pci_bus_id;  // 0000:00:06.0
};

// Outcome of the user-space driver probe (libcuda in a forked child).
struct CudaProbe {
  ProbeStatus status = ProbeStatus::Skipped;
  std::string requested;        // the name passed to dlopen
  std::string library_path;     // file the loader picked (dladdr), may be empty
  std::string library_version;  // from the real file's name (libcuda.so.580.159.04), "" if unknown
  std::string dlerror;
  std::string stage;            // last stage reached: dlopen, version, init, devices, done
  int driver_version = 0;       // cuDriverGetVersion (13000 = CUDA 13.0)
  int init_result = -1;         // cuInit return code (0 = success), -1 when not called
  std::string init_error_name;  // CUDA_ERROR_NO_DEVICE
  std::string init_error_string;
  int device_count = 0;
  std::vector<CudaDevice> devices;
  // With several GPUs: CUDA's own numbering of all of them (CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER
  // unset, so the default fastest-first order), as PCI bus ids; empty otherwise.
  std::vector<std::string> default_order;
  int signal = 0;               // when crashed
  double elapsed_ms = 0;
};

struct NvmlDevice {
  int index = 0;
  std::string name;
  std::string uuid;
  std::string pci_bus_id;
  int cc_major = 0, cc_minor = 0;
  std::uint64_t memory_total = 0;
  int mig_current = -1;   // 1 enabled, 0 disabled, -1 not supported
  int mig_pending = -1;
  int nvlinks_active = 0; // active NVLink links of this GPU
};

// How two GPUs (NVML indices, PCI order) reach each other.
struct GpuLink {
  int a = 0, b = 0;
  GpuTopology topology = GpuTopology::Unknown;  // nvmlDeviceGetTopologyCommonAncestor
  int p2p_read = -1;      // nvmlDeviceGetP2PStatus(READ): 0 OK, else the NVML reason code, -1 unknown
  int p2p_nvlink = -1;    // nvmlDeviceGetP2PStatus(NVLINK): 0 OK
  int nvlinks = 0;        // active NVLink links from a that end at b
};

struct NvmlProbe {
  ProbeStatus status = ProbeStatus::Skipped;
  std::string requested;
  std::string library_path;
  std::string library_version;
  std::string dlerror;
  std::string stage;
  int init_result = -1;
  std::string init_error;          // nvmlErrorString
  std::string driver_version;      // 580.159.04
  int cuda_driver_version = 0;     // nvmlSystemGetCudaDriverVersion
  std::vector<NvmlDevice> devices;
  std::vector<GpuLink> links;      // every pair of GPUs, when there are several
  int signal = 0;
  double elapsed_ms = 0;
};

struct Snapshot {
  int schema_version = kSchemaVersion;
  std::string tool_version;
  std::string created;   // ISO 8601 UTC
  std::string root = "/";
  HostInfo host;
  bool pci_bus_visible = false;  // /sys/bus/pci/devices could be listed
  std::vector<PciDevice> pci;
  KernelDriver kernel;
  CudaProbe cuda;
  NvmlProbe nvml;
  std::map<std::string, std::string> env;  // allow-listed variables that are set (empty values kept)
  PythonInfo python;
  Libraries libraries;
  NixInfo nix;                             // Nix build outputs and driver wrappers (docs/schema.md, "nix")
  DeepProbe deep;                          // doctor --deep: the frameworks imported for real
  std::vector<std::string> probe_errors;   // files that could not be read and similar, never fatal
  ToolkitInfo toolkit;                     // CUDA toolkits: CUDA_HOME, nvcc on PATH (added for issue 4)

  const std::string* getenv(const std::string& name) const {
    auto it = env.find(name);
    return it == env.end() ? nullptr : &it->second;
  }
};

}  // namespace gpuenv
