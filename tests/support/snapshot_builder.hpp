#pragma once
// Snapshots for unit tests, assembled in a few readable lines instead of field by field:
//
//   Snapshot s = test::SnapshotBuilder().host("ubuntu").driver("580.159.04", 13000).device_nodes()
//                    .gpu("NVIDIA H100 80GB HBM3", 9, 0).venv("/p/.venv").framework(test::torch("2.9.1+cu128", "12.8"));
//
// Each call sets what a real probe of such a machine would record; tests change single fields afterwards.
#include <cstdint>
#include <string>
#include <utility>

#include "model/snapshot.hpp"

namespace gpuenv::test {

inline constexpr const char* kH100 = "NVIDIA H100 80GB HBM3";
inline constexpr std::uint64_t kH100Memory = 85520809984ull;

// A framework as the Python probe reports it; cuda "" for a CPU build. The variant is the version's local tag.
inline Framework framework(std::string name, std::string version, std::string cuda = "", std::string location = "") {
  Framework f;
  f.name = name;
  f.distribution = std::move(name);
  auto plus = version.find('+');
  f.variant = plus == std::string::npos ? "" : version.substr(plus + 1);
  f.version = std::move(version);
  f.cuda_build = !cuda.empty();
  f.cuda_version = std::move(cuda);
  f.location = std::move(location);
  return f;
}

// A library file (not a link: path and realpath agree) of a family (cudnn, cuda, ...).
inline LibraryCopy library_copy(std::string family, std::string path, std::string version, std::string origin,
                                std::uint64_t size = 0) {
  LibraryCopy c;
  c.name = std::move(family);
  c.path = c.realpath = std::move(path);
  c.version = std::move(version);
  c.origin = std::move(origin);
  c.size = size;
  return c;
}

class SnapshotBuilder {
 public:
  SnapshotBuilder& host(std::string os_id, std::string arch = "x86_64") {
    s_.host.os_id = std::move(os_id);
    s_.host.arch = std::move(arch);
    return *this;
  }
  // The NVIDIA kernel module loaded, libcuda (cuInit succeeded, `cuda_api` as cuDriverGetVersion says)
  // and NVML working, all of driver `version`.
  SnapshotBuilder& driver(const std::string& version = "580.159.04", int cuda_api = 13000) {
    s_.kernel.loaded = true;
    s_.kernel.version = version;
    s_.cuda.status = ProbeStatus::Ok;
    s_.cuda.init_result = 0;
    s_.cuda.driver_version = cuda_api;
    s_.cuda.library_path = "/usr/lib/x86_64-linux-gnu/libcuda.so.1";
    s_.cuda.library_version = version;
    s_.nvml.status = ProbeStatus::Ok;
    s_.nvml.init_result = 0;
    s_.nvml.driver_version = version;
    return *this;
  }
  // /dev/nvidiactl, /dev/nvidia-uvm, /dev/nvidia-uvm-tools and /dev/nvidia0, character devices the user can open.
  // The device nodes with the numbers the driver gives them, the majors /proc/devices lists.
  SnapshotBuilder& device_nodes() {
    struct Node {
      const char* path;
      int major, minor;
      const char* major_name;
    };
    for (auto& n : {Node{"/dev/nvidiactl", 195, 255, "nvidia-frontend"}, Node{"/dev/nvidia-uvm", 510, 0, "nvidia-uvm"},
                    Node{"/dev/nvidia-uvm-tools", 510, 1, "nvidia-uvm"}, Node{"/dev/nvidia0", 195, 0, "nvidia-frontend"}}) {
      DeviceNode d{n.path, "char-device", 0666, 0, 0, "", true};
      d.major = n.major;
      d.minor = n.minor;
      d.major_name = n.major_name;
      s_.kernel.device_nodes.push_back(d);
    }
    s_.kernel.char_majors = {{"nvidia-frontend", 195}, {"nvidia-uvm", 510}};
    return *this;
  }
  // A GPU on the PCI bus, bound to nvidia, as libcuda and NVML list it (both numbering it next).
  SnapshotBuilder& gpu(const std::string& name = kH100, int cc_major = 9, int cc_minor = 0,
                       const std::string& bus = "0000:00:06.0", const std::string& uuid = "GPU-429e") {
    return pci_gpu(bus).driver_gpu(name, cc_major, cc_minor, bus, uuid);
  }
  // A GPU as libcuda and NVML list it (not on the PCI bus: a container, a node document).
  SnapshotBuilder& driver_gpu(const std::string& name = kH100, int cc_major = 9, int cc_minor = 0,
                              const std::string& bus = "0000:00:06.0", const std::string& uuid = "GPU-429e") {
    s_.nvml.devices.push_back({int(s_.nvml.devices.size()), name, uuid, bus, cc_major, cc_minor, kH100Memory, 0, 0});
    return cuda_device(name, cc_major, cc_minor, bus, uuid);
  }
  // A GPU only on the PCI bus (an H100 PCI id), bound to nvidia.
  SnapshotBuilder& pci_gpu(const std::string& bus = "0000:00:06.0") {
    s_.pci_bus_visible = true;
    s_.pci.push_back({bus, "0x10de", "0x2330", "0x10de", "0x16c1", "0x030200", "", "nvidia", -1});
    return *this;
  }
  // A GPU only as libcuda lists it.
  SnapshotBuilder& cuda_device(const std::string& name = kH100, int cc_major = 9, int cc_minor = 0,
                               const std::string& bus = "0000:00:06.0", const std::string& uuid = "GPU-429e") {
    s_.cuda.devices.push_back({int(s_.cuda.devices.size()), name, cc_major, cc_minor, kH100Memory, uuid, bus});
    s_.cuda.device_count = int(s_.cuda.devices.size());
    return *this;
  }
  SnapshotBuilder& env(const std::string& name, const std::string& value) {
    s_.env[name] = value;
    return *this;
  }
  // An interpreter; `active`: the one `python` resolves to.
  SnapshotBuilder& interpreter(Interpreter py, bool active = true) {
    s_.python.interpreters.push_back(std::move(py));
    if (active) s_.python.active = int(s_.python.interpreters.size()) - 1;
    return *this;
  }
  // A virtual environment at `prefix` (bin/`python`) made from /usr/bin/pythonX.Y, the active interpreter.
  SnapshotBuilder& venv(const std::string& prefix, const std::string& version = "3.12.3",
                        const std::string& python = "python") {
    Interpreter py;
    py.path = prefix + "/bin/" + python;
    py.realpath = "/usr/bin/python" + version.substr(0, version.rfind('.'));
    py.version = version;
    py.kind = "venv";
    py.prefix = prefix;
    return interpreter(std::move(py));
  }
  // Into the interpreter added last: a framework, a distribution installed in its site-packages.
  SnapshotBuilder& framework(Framework f) {
    last_interpreter().frameworks.push_back(std::move(f));
    return *this;
  }
  SnapshotBuilder& distribution(const std::string& name, const std::string& version, const std::string& location,
                                const std::string& installer = "pip") {
    last_interpreter().distributions.push_back({name, version, location, "", {}, installer});
    return *this;
  }
  SnapshotBuilder& library(LibraryCopy c) {
    s_.libraries.copies.push_back(std::move(c));
    return *this;
  }
  SnapshotBuilder& consumer(Consumer c) {
    s_.libraries.consumers.push_back(std::move(c));
    return *this;
  }

  Snapshot& snapshot() { return s_; }  // for the fields no call sets
  operator Snapshot() const { return s_; }

 private:
  Interpreter& last_interpreter() {
    if (s_.python.interpreters.empty()) s_.python.interpreters.emplace_back();
    return s_.python.interpreters.back();
  }
  Snapshot s_;
};

}  // namespace gpuenv::test
