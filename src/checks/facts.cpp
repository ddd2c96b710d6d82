#include "checks/facts.hpp"

#include <csignal>
#include <cstring>

#include "util/strings.hpp"

namespace gpuenv {

bool in_container(const Snapshot& s) { return !s.host.container.empty(); }

bool gpu_expected(const Snapshot& s) {
  return !s.pci.empty() || !s.kernel.proc_gpus.empty() || (s.host.wsl && device_node(s, "/dev/dxg") &&
                                                            device_node(s, "/dev/dxg")->kind != "missing");
}

const DeviceNode* device_node(const Snapshot& s, const std::string& path) {
  for (auto& n : s.kernel.device_nodes)
    if (n.path == path) return &n;
  return nullptr;
}

bool cuda_works(const Snapshot& s) { return s.cuda.status == "ok" && !s.cuda.devices.empty(); }

std::vector<std::string> ld_library_path(const Snapshot& s) {
  auto* v = s.getenv("LD_LIBRARY_PATH");
  if (!v) return {};
  return split(*v, ':', false);
}

std::string ld_library_path_without(const Snapshot& s, const std::vector<std::string>& drop) {
  std::vector<std::string> keep;
  for (auto& e : ld_library_path(s)) {
    bool dropped = false;
    for (auto& d : drop)
      if (normalize_path(e) == normalize_path(d)) dropped = true;
    if (!dropped) keep.push_back(e);
  }
  if (keep.empty()) return "unset LD_LIBRARY_PATH";
  return "export LD_LIBRARY_PATH=" + shell_quote(join(keep, ":"));
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGABRT: return "SIGABRT";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGPIPE: return "SIGPIPE";
    default: return "signal " + std::to_string(sig);
  }
}

int physical_gpu_count(const Snapshot& s) {
  if (s.nvml.status == "ok") return int(s.nvml.devices.size());
  if (!s.kernel.proc_gpus.empty()) return int(s.kernel.proc_gpus.size());
  return int(s.pci.size());
}

}  // namespace gpuenv
