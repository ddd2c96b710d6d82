#include "checks/facts.hpp"

#include <algorithm>
#include <csignal>
#include <set>
#include <cstring>

#include "util/strings.hpp"
#include "util/version.hpp"

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

bool cuda_works(const Snapshot& s) { return s.cuda.status == ProbeStatus::Ok && !s.cuda.devices.empty(); }

std::vector<std::string> ld_library_path(const Snapshot& s) {
  auto* v = s.getenv("LD_LIBRARY_PATH");
  if (!v) return {};
  return split(*v, ':', false);
}

std::string path_list_without(const Snapshot& s, const std::string& var, const std::vector<std::string>& drop) {
  std::vector<std::string> keep;
  auto* v = s.getenv(var);
  for (auto& e : split(v ? *v : std::string(), ':', false)) {
    bool dropped = false;
    for (auto& d : drop)
      if (normalize_path(e) == normalize_path(d)) dropped = true;
    if (!dropped) keep.push_back(e);
  }
  if (keep.empty()) return "unset " + var;
  return "export " + var + "=" + shell_quote(join(keep, ":"));
}

std::string ld_library_path_without(const Snapshot& s, const std::vector<std::string>& drop) {
  return path_list_without(s, "LD_LIBRARY_PATH", drop);
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
  if (s.nvml.status == ProbeStatus::Ok) return int(s.nvml.devices.size());
  if (!s.kernel.proc_gpus.empty()) return int(s.kernel.proc_gpus.size());
  return int(s.pci.size());
}

}  // namespace gpuenv

namespace gpuenv {

std::vector<PhysicalGpu> physical_gpus(const Snapshot& s) {
  std::vector<PhysicalGpu> out;
  if (!s.nvml.devices.empty()) {
    for (auto& d : s.nvml.devices) out.push_back({d.pci_bus_id, d.uuid, d.name, d.mig_current});
  } else if (!s.cuda.devices.empty() && !s.getenv("CUDA_VISIBLE_DEVICES")) {
    for (auto& d : s.cuda.devices) out.push_back({d.pci_bus_id, d.uuid, d.name, -1});
  } else {
    for (auto& d : s.pci) out.push_back({d.address, "", d.name, -1});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.bus < b.bus; });
  return out;
}

std::vector<std::string> cuda_numbering(const Snapshot& s, bool pci_order) {
  std::vector<std::string> out;
  if (!pci_order && !s.cuda.default_order.empty()) return s.cuda.default_order;
  if (!pci_order && !s.getenv("CUDA_VISIBLE_DEVICES") && s.cuda.status == ProbeStatus::Ok && !s.getenv("CUDA_DEVICE_ORDER")) {
    for (auto& d : s.cuda.devices) out.push_back(d.pci_bus_id);
    if (!out.empty()) return out;
  }
  auto gpus = physical_gpus(s);
  if (!pci_order && gpus.size() > 1) return {};  // the default order of several GPUs is unknown
  for (auto& g : gpus) out.push_back(g.bus);
  return out;
}

std::vector<VisibleEntry> visible_devices(const Snapshot& s, const std::string& value, bool pci_order) {
  std::vector<VisibleEntry> out;
  auto gpus = physical_gpus(s);
  auto numbering = cuda_numbering(s, pci_order);
  bool stopped = false;
  for (auto& raw : split(value, ',', true)) {
    VisibleEntry e;
    e.text = std::string(trim(raw));
    if (stopped) {
      e.kind = "invalid";
      e.problem = "after an entry that names no device, CUDA ignores the rest";
      out.push_back(e);
      continue;
    }
    if (auto idx = parse_int(e.text)) {
      e.kind = "index";
      if (*idx >= 0 && size_t(*idx) < numbering.size()) e.bus = numbering[size_t(*idx)];
      else if (numbering.empty() && *idx >= 0 && size_t(*idx) < gpus.size()) e.bus = "";  // order unknown
      else e.problem = "index " + e.text + " is out of range: the machine has " + std::to_string(gpus.size()) + " GPU(s)";
    } else if (e.text.starts_with("GPU-")) {
      e.kind = "uuid";
      int matches = 0;
      for (auto& g : gpus)
        if (!g.uuid.empty() && g.uuid.starts_with(e.text)) {
          ++matches;
          e.bus = g.bus;
        }
      if (matches == 0) e.problem = "no GPU has a UUID starting with " + e.text;
      if (matches > 1) {
        e.bus.clear();
        e.problem = e.text + " matches several GPUs";
      }
    } else if (e.text.starts_with("MIG-")) {
      e.kind = "mig";
      bool any_mig = std::any_of(gpus.begin(), gpus.end(), [](auto& g) { return g.mig == 1; });
      if (!any_mig) e.problem = "a MIG instance, but no GPU has MIG mode enabled";
      else e.bus = "MIG";  // the instance lives on a MIG-enabled GPU; NVML instance lookup is not probed
    } else {
      e.kind = "invalid";
      e.problem = "neither an index nor a GPU-/MIG- identifier";
    }
    if (!e.problem.empty()) {
      e.bus.clear();
      stopped = true;
    }
    out.push_back(e);
  }
  return out;
}

std::string origin_of(const Interpreter& py, const std::string& entry) {
  for (auto& e : py.sys_path)
    if (e.path == entry) return e.origin == "pth" ? "pth:" + e.pth_file : e.origin;
  return "";
}

std::vector<const Interpreter*> framework_interpreters(const Snapshot& s) {
  std::vector<const Interpreter*> out;
  auto& py = s.python;
  if (py.active >= 0 && py.active < int(py.interpreters.size())) out.push_back(&py.interpreters[size_t(py.active)]);
  else
    for (auto& i : py.interpreters) out.push_back(&i);
  return out;
}

const Distribution* framework_distribution(const Interpreter& py, const Framework& fw) {
  auto names = split(fw.distribution, '+', false);
  for (auto& d : py.distributions)
    for (auto& n : names)
      if (to_lower(d.name) == to_lower(std::string(trim(n))) && fw.location.starts_with(d.location + "/")) return &d;
  return nullptr;
}

bool built_for_interpreter(const Interpreter& py, const std::string& location) {
  auto pv = Version::parse(py.version);
  if (!pv) return false;
  auto pos = location.find("/lib/python");
  if (pos != std::string::npos) {  // lib/python3.11/... (lib/python3/dist-packages names no minor version)
    auto v = Version::parse(std::string_view(location).substr(pos + 11));
    if (v && v->parts.size() >= 2) return v->major() == pv->major() && v->minor() == pv->minor();
  }
  for (auto* prefix : {&py.prefix, &py.base_prefix})
    if (!prefix->empty() && prefix->starts_with('/') && location.starts_with(*prefix == "/" ? "/" : *prefix + "/"))
      return true;
  return false;
}

std::string label(const Framework& fw) { return fw.name + (fw.version.empty() ? "" : " " + fw.version); }

}  // namespace gpuenv
