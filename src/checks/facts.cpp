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

static bool has_gpu_node(const Snapshot& s) {
  for (auto& n : s.kernel.device_nodes) {
    auto b = base_name(n.path);
    if (b.size() > 6 && b.starts_with("nvidia") && b.find_first_not_of("0123456789", 6) == std::string::npos &&
        n.kind != "missing")
      return true;
  }
  return false;
}

bool node_missing(const Snapshot& s, const std::string& path) {
  auto* n = device_node(s, path);
  return !n || n->kind == "missing";
}

bool nodes_missing(const Snapshot& s) {
  if (s.host.wsl || !s.kernel.loaded) return false;
  return node_missing(s, "/dev/nvidiactl") || !has_gpu_node(s);
}

bool uvm_missing(const Snapshot& s) {
  return !s.host.wsl && s.kernel.loaded && !nodes_missing(s) && node_missing(s, "/dev/nvidia-uvm");
}

int expected_major(const Snapshot& s, const DeviceNodeFact& f) {
  for (auto& name : f.major_names)
    if (auto it = s.kernel.char_majors.find(name); it != s.kernel.char_majors.end()) return it->second;
  return f.major > 0 ? f.major : -1;
}

std::string expected_numbers(const Snapshot& s, const DeviceNodeFact& f) {
  int major = expected_major(s, f);
  std::string out = major >= 0 ? std::to_string(major) : "<" + (f.major_names.empty() ? "?" : f.major_names[0]) + " major>";
  out += ":" + (f.minor >= 0 ? std::to_string(f.minor) : std::string("*"));
  if (!f.major_names.empty()) out += " (" + f.major_names[0] + ")";
  return out;
}

std::string device_node_problem(const Snapshot& s, const Knowledge& k, const DeviceNode& n) {
  if (n.kind == "missing" || n.kind == "file" || (!s.kernel.loaded && s.kernel.char_majors.empty())) return "";
  auto fact = k.device_node_fact(n.path);
  if (!fact) return "";
  if (n.kind != "char-device") return "is a " + n.kind + ", not a character device";
  if (n.major < 0) return "";  // numbers not recorded (a snapshot from before they were)
  int major = expected_major(s, *fact);
  bool named = std::find(fact->major_names.begin(), fact->major_names.end(), n.major_name) != fact->major_names.end();
  bool wrong_major = major >= 0 ? n.major != major : !n.major_name.empty() && !named;
  if (!wrong_major && (fact->minor < 0 || n.minor == fact->minor)) return "";
  std::string is = std::to_string(n.major) + ":" + std::to_string(n.minor);
  std::vector<std::string> what;
  if (!n.major_name.empty()) what.push_back(n.major_name);
  if (!n.same_as.empty()) what.push_back("the same device as " + n.same_as);
  if (!what.empty()) is += " (" + join(what, ", ") + ")";
  return "is " + is + ", not " + expected_numbers(s, *fact);
}

namespace {

// Does one devices.list rule ("c 195:* rwm", "a *:* rwm") grant `access` bits for this node?
bool rule_matches(const std::string& rule, int major, int minor) {
  auto f = split(rule, ' ', false);
  if (f.size() < 2) return false;
  if (f[0] == "a") return true;
  if (f[0] != "c") return false;
  auto colon = f[1].find(':');
  if (colon == std::string::npos) return false;
  auto num_ok = [](std::string_view v, int want) { return v == "*" || parse_int(v) == want; };
  return num_ok(std::string_view(f[1]).substr(0, colon), major) && num_ok(std::string_view(f[1]).substr(colon + 1), minor);
}

}  // namespace

std::vector<const DeviceNode*> cgroup_denied_nodes(const Snapshot& s) {
  std::vector<const DeviceNode*> out;
  auto& cg = s.kernel.device_cgroup;
  if (cg.version != "v1" || cg.rules.empty()) return out;
  for (auto& n : s.kernel.device_nodes) {
    if (n.kind != "char-device" || n.major < 0 || (!n.major_name.empty() && !n.major_name.starts_with("nvidia"))) continue;
    if (n.path == "/dev/nvidia-uvm-tools" || n.path.starts_with("/dev/nvidia-caps/")) continue;
    bool r = false, w = false;
    for (auto& rule : cg.rules)
      if (rule_matches(rule, n.major, n.minor)) {
        auto access = split(rule, ' ', false);
        std::string bits = access.size() > 2 ? access[2] : "";
        r |= contains(bits, "r");
        w |= contains(bits, "w");
      }
    if (!r || !w) out.push_back(&n);
  }
  return out;
}

std::vector<const DeviceNode*> inaccessible_nodes(const Snapshot& s) {
  std::vector<const DeviceNode*> out;
  for (auto& n : s.kernel.device_nodes)
    if ((n.kind == "char-device" || n.kind == "file") && !n.accessible && n.path != "/dev/nvidia-uvm-tools" &&
        !n.path.starts_with("/dev/nvidia-caps/"))
      out.push_back(&n);
  return out;
}

bool device_access_broken(const Snapshot& s, const Knowledge& k) {
  for (auto& n : s.kernel.device_nodes)
    if (!device_node_problem(s, k, n).empty()) return true;
  return !cgroup_denied_nodes(s).empty() || !inaccessible_nodes(s).empty();
}

// "34 CUDA_ERROR_STUB_LIBRARY": the name from the library, else from the knowledge
// (a stub libcuda has no cuGetErrorName worth calling).
std::string cuda_result(const Snapshot& s, const Knowledge& k) {
  std::string r = std::to_string(s.cuda.init_result);
  if (!s.cuda.init_error_name.empty()) return r + " " + s.cuda.init_error_name;
  if (s.cuda.init_result > 0)
    if (auto* fact = k.cuda_error(s.cuda.init_result)) r += " " + fact->name;
  return r;
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

std::vector<const Preload*> preloads_of(const Snapshot& s, const std::string& family, const std::string& path) {
  std::vector<const Preload*> out;
  for (auto& p : s.libraries.preload) {
    if (p.path.empty()) continue;  // the loader ignores an entry it cannot find
    bool same_file = !path.empty() && (p.path == path || p.realpath == path || p.entry == path);
    if ((!family.empty() && p.family == family) || same_file) out.push_back(&p);
  }
  return out;
}

std::string preload_without(const Snapshot& s, const std::vector<const Preload*>& drop) {
  std::vector<std::string> lines;
  auto dropped = [&](const std::string& source, const std::string& entry) {
    return std::any_of(drop.begin(), drop.end(), [&](auto* p) { return p->source == source && p->entry == entry; });
  };
  if (std::any_of(drop.begin(), drop.end(), [](auto* p) { return p->source == "LD_PRELOAD"; })) {
    std::vector<std::string> keep;
    auto* v = s.getenv("LD_PRELOAD");
    for (auto& e : split_any(v ? *v : std::string(), kPreloadSeparators))
      if (!dropped("LD_PRELOAD", e)) keep.push_back(e);
    lines.push_back(keep.empty() ? "unset LD_PRELOAD" : "export LD_PRELOAD=" + shell_quote(join(keep, ":")));
  }
  for (auto* p : drop)
    if (p->source != "LD_PRELOAD")
      lines.push_back("sudoedit " + p->source + "   # delete the entry " + p->entry);
  return join(lines, "\n");
}

std::string off_loader_path(const Snapshot& s, const std::string& path) {
  if (auto pre = preloads_of(s, "", path); !pre.empty()) return preload_without(s, pre);
  auto dir = normalize_path(dir_name(path));
  for (auto& d : ld_library_path(s))
    if (normalize_path(d) == dir) return ld_library_path_without(s, {d});
  auto& sys = s.libraries.system_dirs;
  if (std::find(sys.begin(), sys.end(), dir) == sys.end())
    return "grep -rlx " + shell_quote(dir) + " /etc/ld.so.conf /etc/ld.so.conf.d/   # delete that line, then: sudo ldconfig";
  return "sudo apt-get remove \"$(dpkg -S " + shell_quote(path) + " | cut -d: -f1)\"   # or move " + path +
         " out of " + dir + ", then: sudo ldconfig";
}

std::string soname_major(const std::string& name) {
  auto p = name.find(".so.");
  if (p == std::string::npos) return "";
  auto rest = name.substr(p + 4);
  return rest.substr(0, rest.find('.'));
}

const LibraryCopy* newer_wheel_copy(const Snapshot& s, const Resolution& r) {
  if (!r.reason.starts_with("LD_LIBRARY_PATH")) return nullptr;
  if (!r.damage.empty()) return nullptr;  // library.damaged: its version is not what is wrong
  auto v = Version::parse(r.version);
  for (auto& c : s.libraries.copies) {
    if (c.origin != "site-packages" || c.soname != r.name || c.realpath == r.realpath) continue;
    auto cv = Version::parse(c.version);
    if (!v || (cv && *v < *cv)) return &c;
  }
  return nullptr;
}

std::string pip_reinstall(const std::string& python, const std::string& name, const std::string& version,
                          const std::string& installer) {
  std::string py = python.empty() ? "python" : python;
  std::string spec = shell_quote(version.empty() ? name : name + "==" + version);
  if (installer == "uv") return "uv pip install --python " + shell_quote(py) + " --reinstall --no-deps " + spec;
  return py + " -m pip install --force-reinstall --no-deps " + spec;
}

std::string dist_key(std::string n) {
  n = to_lower(n);
  for (auto& c : n)
    if (c == '_' || c == '.') c = '-';
  return n;
}

const WheelPin* pin_for_family(const std::vector<WheelPin>& pins, const LibraryFamily& fam) {
  for (auto& p : pins)
    for (auto& [major, wheel] : fam.pip)
      if (dist_key(wheel) == p.name) return &p;
  return nullptr;
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

std::string nixos_driver_fix(const Snapshot& s, const Knowledge& k) {
  // Each display GPU's architecture (gpus.toml): the kernel module flavour it takes, and the last driver branch
  // that supports it ("" while current drivers do). The oldest such branch must drive them all.
  bool all_open = true, any_known = false;
  std::string branch, branch_gpu;
  std::vector<std::string> notes;
  for (auto& d : s.pci) {
    if (!d.class_id.starts_with("0x03")) continue;  // a display controller, not an NVSwitch
    auto* model = k.gpu_by_device_id(d.device_id);
    auto* arch = model ? k.arch_for_cc(model->cc) : nullptr;
    std::string name = model ? model->name : d.name.empty() ? "GPU " + d.device_id : d.name;
    if (!arch) {
      all_open = false;
      notes.push_back("  # " + name + ": architecture not known to gpuenv; true for Turing (RTX 20, GTX 16) and newer");
      continue;
    }
    any_known = true;
    if (!arch->open_module) {
      all_open = false;
      notes.push_back("  # " + name + ": " + arch->display + ", which the open kernel module does not support");
    }
    auto b = arch->last_driver_branch;
    if (!b.empty() && (branch.empty() || parse_int(b).value_or(0) < parse_int(branch).value_or(0))) {
      branch = b;
      branch_gpu = name + " (" + arch->display + ")";
    }
  }
  std::sort(notes.begin(), notes.end());
  notes.erase(std::unique(notes.begin(), notes.end()), notes.end());
  std::string fix = "In configuration.nix:\n  services.xserver.videoDrivers = [ \"nvidia\" ];\n  hardware.graphics.enable = true;\n";
  fix += std::string("  hardware.nvidia.open = ") + (any_known && all_open ? "true" : "false") +
         ";   # NixOS refuses drivers 560 and newer without it\n";
  for (auto& n : notes) fix += n + "\n";
  if (!branch.empty()) {
    auto attr = k.nix_driver_attr(s.host.os_version_id, branch);
    if (!attr.empty())
      fix += "  hardware.nvidia.package = config.boot.kernelPackages.nvidiaPackages." + attr + ";\n  # " +
             branch_gpu + " is supported up to the R" + branch + " driver, which NixOS " + s.host.os_version_id +
             " calls " + attr + "\n";
    else
      fix += "  # " + branch_gpu + " is supported up to the R" + branch + " driver: set hardware.nvidia.package to "
             "that branch (gpuenv nix system names it as this NixOS release does)\n";
  }
  fix += "then: sudo nixos-rebuild switch && sudo reboot\n"
         "# or let gpuenv write the module for these GPUs and this NixOS release: gpuenv nix system";
  return fix;
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
