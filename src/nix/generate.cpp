#include "nix/generate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <toml++/toml.h>

#include "model/gpu_target.hpp"
#include "util/strings.hpp"

namespace gpuenv::nix {

namespace {

// ---- nix.toml access ----------------------------------------------------------------------------------

const toml::table& nix_file(const Knowledge& k) {
  auto* t = k.file("nix");
  if (!t) throw std::runtime_error("knowledge file nix.toml is missing");
  return *t;
}

std::string str(const toml::table& t, std::string_view section, std::string_view key) {
  auto v = t[section][key].value<std::string>();
  if (!v) throw std::runtime_error(fmt::format("nix.toml: [{}] {} is missing", section, key));
  return *v;
}

std::vector<std::string> strings(const toml::node_view<const toml::node> n) {
  std::vector<std::string> out;
  if (auto* a = n.as_array())
    for (auto& x : *a)
      if (auto s = x.value<std::string>()) out.push_back(*s);
  return out;
}

struct DriverPackage {
  std::string branch, attr, why;
};

std::vector<DriverPackage> driver_packages(const toml::table& t) {
  std::vector<DriverPackage> out;
  if (auto* a = t["driver_package"].as_array())
    for (auto& e : *a)
      if (auto* tb = e.as_table())
        out.push_back({(*tb)["branch"].value_or<std::string>(""), (*tb)["attr"].value_or<std::string>(""),
                       (*tb)["why"].value_or<std::string>("")});
  return out;
}

// The last word of an option/attribute path: "hardware.nvidia.open" -> its parts are written as given.
std::string nix_string(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"' || c == '\\') out += '\\';
    if (c == '$' && i + 1 < s.size() && s[i + 1] == '{') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string string_list(const std::vector<std::string>& v) {
  std::vector<std::string> q;
  for (auto& s : v) q.push_back(nix_string(s));
  return q.empty() ? "[ ]" : "[ " + join(q, " ") + " ]";
}

// ---- machine facts ------------------------------------------------------------------------------------

// Unparsable capabilities (none come from the probes or the knowledge files) first.
bool cc_less(const std::string& a, const std::string& b) {
  return ComputeCapability::parse(a) < ComputeCapability::parse(b);
}

std::string device_id_of(const Snapshot& s, const std::string& bus) {
  auto low = to_lower(bus);
  for (auto& p : s.pci)
    if (!bus.empty() && to_lower(p.address) == low) return p.device_id;
  // NVML writes 00000000:01:00.0 where sysfs writes 0000:01:00.0.
  for (auto& p : s.pci)
    if (!bus.empty() && low.size() > 12 && to_lower(p.address).ends_with(low.substr(low.size() - 12))) return p.device_id;
  return "";
}

}  // namespace

MachineFacts machine_facts(const Snapshot& s, const Knowledge& k) {
  MachineFacts m;
  m.hostname = s.host.hostname;
  m.created = s.created;
  m.os = s.host.os_pretty_name.empty() ? s.host.os_id : s.host.os_pretty_name;
  m.os_version_id = s.host.os_version_id;
  m.arch = s.host.arch;
  m.nixos = s.host.nixos;
  m.driver_version = !s.kernel.version.empty() ? s.kernel.version : s.nvml.driver_version;
  m.kernel_flavour = s.kernel.flavour;

  auto add = [&](std::string name, std::string cc, const std::string& device_id, const char* source) {
    if (!device_id.empty()) {
      if (auto* model = k.gpu_by_device_id(device_id)) {
        if (name.empty()) name = model->name;
        if (cc.empty()) cc = model->cc;
      }
    }
    GpuFact g;
    g.name = name.empty() ? "NVIDIA GPU " + device_id : name;
    g.cc = cc;
    g.source = source;
    if (auto* a = cc.empty() ? nullptr : k.arch_for_cc(cc)) {
      g.arch = a->name;
      g.arch_display = a->display;
      g.open_module = a->open_module;
      g.open_module_required = a->open_module_required;
      g.last_driver_branch = a->last_driver_branch;
      g.last_cuda = a->last_cuda;
    }
    for (auto& pat : strings(nix_file(k)["datacenter"]["names"])) {
      // Whole words only: "A2" must not match "RTX A2000"'s neighbours loosely, "L4" not "L40S" twice.
      auto pos = g.name.find(pat);
      while (pos != std::string::npos) {
        bool start = pos == 0 || !isalnum(static_cast<unsigned char>(g.name[pos - 1]));
        size_t end = pos + pat.size();
        bool stop = end >= g.name.size() || !isalnum(static_cast<unsigned char>(g.name[end]));
        if (start && stop) g.datacenter = true;
        pos = g.name.find(pat, pos + 1);
      }
    }
    m.gpus.push_back(std::move(g));
  };
  auto cc_of = [](int ma, int mi) { return ma > 0 ? fmt::format("{}.{}", ma, mi) : std::string(); };
  if (!s.nvml.devices.empty()) {
    for (auto& d : s.nvml.devices) add(d.name, cc_of(d.cc_major, d.cc_minor), device_id_of(s, d.pci_bus_id), "nvml");
  } else if (!s.cuda.devices.empty()) {
    for (auto& d : s.cuda.devices) add(d.name, cc_of(d.cc_major, d.cc_minor), device_id_of(s, d.pci_bus_id), "cuda");
  } else {
    for (auto& p : s.pci)
      if (to_lower(p.vendor_id) == "0x10de" && (p.class_id.starts_with("0x0300") || p.class_id.starts_with("0x0302")))
        add("", "", p.device_id, "pci");
  }
  // "NVIDIA GeForce RTX 4090" (NVML) and "GeForce RTX 4090" (pci.ids) name the same card.
  for (auto& g : m.gpus)
    if (g.name.starts_with("NVIDIA ")) g.name = g.name.substr(7);
  std::set<std::string> seen;
  for (auto& g : m.gpus)
    if (!g.cc.empty() && seen.insert(g.cc).second) m.capabilities.push_back(g.cc);
  std::sort(m.capabilities.begin(), m.capabilities.end(), cc_less);
  return m;
}

std::string python_attr(const Spec& spec, const Knowledge& k) {
  auto& t = nix_file(k);
  if (spec.python_version.empty()) return str(t, "python", "default");
  auto parts = split(spec.python_version, '.');
  std::string a = str(t, "python", "attr");
  a = replace_all(a, "{major}", parts.size() > 0 ? parts[0] : "3");
  a = replace_all(a, "{minor}", parts.size() > 1 ? parts[1] : "");
  return a;
}

namespace {

// ---- pieces shared by the three files -----------------------------------------------------------------

struct PythonEnv {
  std::string attr;  // python312
  std::vector<std::pair<std::string, std::string>> packages;  // attribute, comment
  std::vector<std::string> notes;
};

Result<PythonEnv> python_env(const Spec& spec, const Knowledge& k) {
  auto& t = nix_file(k);
  PythonEnv env;
  if (!spec.python_version.empty()) {
    auto versions = strings(t["python"]["versions"]);
    auto parts = split(spec.python_version, '.');
    std::string mm = parts.size() >= 2 ? parts[0] + "." + parts[1] : spec.python_version;
    if (std::find(versions.begin(), versions.end(), mm) == versions.end())
      return make_error(fmt::format("gpuenv.toml asks for Python {}, which the nixpkgs release gpuenv targets does not "
                                    "carry (it has {}); change [python] version", spec.python_version,
                                    join(versions, ", ")));
  }
  env.attr = python_attr(spec, k);
  auto* fws = t["framework"].as_array();
  for (auto& f : spec.frameworks) {
    if (f.accelerator == "rocm")
      return make_error("framework " + f.name + " asks for ROCm; gpuenv nix writes CUDA (NVIDIA) environments only");
    const toml::table* entry = nullptr;
    if (fws)
      for (auto& e : *fws)
        if (auto* tb = e.as_table(); tb && (*tb)["name"].value_or<std::string>("") == f.name) entry = tb;
    if (!entry) return make_error("no Nix package is known for framework '" + f.name + "' (nix.toml [[framework]])");
    bool cpu = f.accelerator == "cpu";
    auto attrs = strings((*entry)[cpu ? "cpu" : "cuda"]);
    std::string note = (*entry)["note"].value_or<std::string>("");
    for (size_t i = 0; i < attrs.size(); ++i) {
      std::string c;
      if (i == 0) {
        c = f.name + (cpu ? " (CPU)" : "");
        if (!f.version.empty())
          c += ", gpuenv.toml asks for " + f.version + ": the version is the one of the pinned nixpkgs";
        if (!cpu && !note.empty()) c += ": " + note;
        else if (cpu) c += ": without CUDA, as gpuenv.toml asks";
      }
      bool dup = std::any_of(env.packages.begin(), env.packages.end(), [&](auto& p) { return p.first == attrs[i]; });
      if (!dup) env.packages.emplace_back(attrs[i], c);
    }
  }
  return env;
}

std::string describe_gpu(const GpuFact& g) {
  std::string s = g.name;
  if (!g.cc.empty()) s += ", compute capability " + g.cc;
  if (!g.arch_display.empty()) s += " (" + g.arch_display + ")";
  return s;
}

// The header: which file, which gpuenv, which facts.
std::string header(const char* file, const char* command, const Spec& spec, const MachineFacts& m,
                   const Options& o) {
  std::string h;
  h += fmt::format("# {}: generated by gpuenv {} (`{}`) from the facts below.\n", file, o.version, command);
  h += fmt::format("# Edit it freely; `{} --force` writes it again.\n", command);
  h += "#\n";
  h += fmt::format("# Snapshot of {}{}:\n", m.hostname.empty() ? "this machine" : m.hostname,
                   m.created.empty() ? "" : " taken " + m.created);
  h += fmt::format("#   OS: {}{}{}\n", m.os.empty() ? "unknown" : m.os, m.arch.empty() ? "" : " on " + m.arch,
                   m.nixos ? " (NixOS)" : " (not NixOS)");
  if (m.gpus.empty()) h += "#   GPUs: none found\n";
  for (size_t i = 0; i < m.gpus.size(); ++i) h += fmt::format("#   GPU {}: {}\n", i, describe_gpu(m.gpus[i]));
  if (!m.driver_version.empty())
    h += fmt::format("#   NVIDIA driver: {}{}\n", m.driver_version,
                     m.kernel_flavour.empty() ? "" : " (" + m.kernel_flavour + " kernel module)");
  if (!spec.path.empty()) {
    std::vector<std::string> fw;
    for (auto& f : spec.frameworks) fw.push_back(f.name + (f.accelerator.empty() ? "" : " (" + f.accelerator + ")"));
    h += fmt::format("# Spec: gpuenv.toml: Python {}; frameworks: {}\n",
                     spec.python_version.empty() ? "not stated" : spec.python_version,
                     fw.empty() ? "none" : join(fw, ", "));
  } else {
    h += "# Spec: no gpuenv.toml (default Python, no frameworks)\n";
  }
  return h;
}

// nixpkgs config lines (inside `config = { ... };`), indented by `ind`.
std::string config_block(const MachineFacts& m, const Knowledge& k, const std::string& ind) {
  auto& t = nix_file(k);
  std::string out;
  out += ind + "# The NVIDIA driver libraries, CUDA and cuDNN are unfree.\n";
  out += ind + str(t, "config", "allow_unfree") + " = true;\n";
  if (m.gpus.empty()) {
    out += ind + "# No NVIDIA GPU in the snapshot: packages are built without CUDA.\n";
    out += ind + str(t, "config", "cuda_support") + " = false;\n";
    return out;
  }
  out += ind + "# Build the packages that can use CUDA with it.\n";
  out += ind + str(t, "config", "cuda_support") + " = true;\n";
  if (!m.capabilities.empty()) {
    std::vector<std::string> which;
    for (auto& cc : m.capabilities) {
      std::vector<std::string> names;
      for (auto& g : m.gpus)
        if (g.cc == cc && std::find(names.begin(), names.end(), g.name) == names.end()) names.push_back(g.name);
      which.push_back(join(names, ", ") + " " + cc);
    }
    out += ind + "# Only this machine's GPUs (" + join(which, "; ") +
           "), so CUDA code is not built for every architecture.\n";
    for (auto& g : m.gpus)
      if (!g.last_cuda.empty()) {
        out += ind + fmt::format("# {} ({}): CUDA {} is the last release that compiles for it; keep this nixpkgs' "
                                 "cudaPackages at {}.x.\n",
                                 g.name, g.cc, g.last_cuda, split(g.last_cuda, '.')[0]);
        break;
      }
    out += ind + str(t, "config", "cuda_capabilities") + " = " + string_list(m.capabilities) + ";\n";
  } else {
    out += ind + "# The GPUs' compute capabilities are unknown: nixpkgs builds for its default list.\n";
  }
  return out;
}

// `python = pkgs.python312.withPackages (ps: [ ... ]);` at indentation `ind`.
std::string python_binding(const PythonEnv& py, const std::string& ind) {
  std::string out;
  if (py.packages.empty()) {
    out += ind + "# No frameworks in gpuenv.toml: add them to the list, e.g. ps.torch.\n";
    return out + ind + "python = pkgs." + py.attr + ".withPackages (ps: [ ]);\n";
  }
  out += ind + "python = pkgs." + py.attr + ".withPackages (ps: [\n";
  for (auto& [attr, comment] : py.packages) {
    if (!comment.empty()) out += ind + "  # " + comment + "\n";
    out += ind + "  ps." + attr + "\n";
  }
  return out + ind + "]);\n";
}

std::string host_driver_note(const MachineFacts& m, const Knowledge& k, const std::string& ind) {
  if (m.nixos || m.gpus.empty()) return "";
  auto& t = nix_file(k);
  std::string out;
  out += ind + "# This host is not NixOS: Nix-built programs do not search the host's driver directory, so run\n";
  out += ind + "# GPU programs through a driver wrapper, or through gpuenv, which links the host driver's libraries:\n";
  if (auto* ws = t["wrapper"].as_array())
    for (auto& w : *ws)
      if (auto* tb = w.as_table())
        out += ind + "#   " + replace_all((*tb)["usage"].value_or<std::string>(""), "{cmd}", "python train.py") + "\n";
  out += ind + "#   gpuenv run -- python train.py\n";
  return out;
}

std::string mkshell_body(const MachineFacts& m, const Knowledge& k, const std::string& ind) {
  std::string out;
  out += ind + "# Frameworks live inside `python` (withPackages), not in buildInputs, so nothing is put on\n";
  out += ind + "# PYTHONPATH and no other interpreter picks them up.\n";
  out += ind + "packages = [ python ];\n";
  if (!m.nixos && !m.gpus.empty()) {
    out += host_driver_note(m, k, ind);
    out += ind + "shellHook = ''\n";
    out += ind + "  echo \"gpuenv: not NixOS; run GPU programs with nixglhost, nixGL or 'gpuenv run --'\" >&2\n";
    out += ind + "'';\n";
  }
  return out;
}

std::string branch_for(const MachineFacts& m, const Options& o, const Knowledge& k) {
  if (!o.nixpkgs_branch.empty()) return o.nixpkgs_branch;
  if (m.nixos && m.os_version_id.size() == 5 && m.os_version_id[2] == '.') return "nixos-" + m.os_version_id;
  return str(nix_file(k), "nixpkgs", "default_branch");
}

}  // namespace

Result<std::string> render_shell(const Spec& spec, const Snapshot& s, const Knowledge& k, const Options& o) {
  auto py = python_env(spec, k);
  if (!py) return make_error(py.error());
  auto m = machine_facts(s, k);
  std::string out = header("shell.nix", "gpuenv nix shell", spec, m, o);
  out += "#\n# Enter it with `nix-shell`; <nixpkgs> is the channel of your NIX_PATH (a flake pins it: gpuenv nix flake).\n";
  out += "{ pkgs ? import <nixpkgs> {\n";
  out += "    config = {\n";
  out += config_block(m, k, "      ");
  out += "    };\n";
  out += "  }\n";
  out += "}:\n\n";
  out += "let\n";
  out += python_binding(*py, "  ");
  out += "in\n";
  out += "pkgs.mkShell {\n";
  out += mkshell_body(m, k, "  ");
  out += "}\n";
  return out;
}

Result<std::string> render_flake(const Spec& spec, const Snapshot& s, const Knowledge& k, const Options& o) {
  auto py = python_env(spec, k);
  if (!py) return make_error(py.error());
  auto m = machine_facts(s, k);
  auto& t = nix_file(k);
  std::string branch = branch_for(m, o, k);
  std::string out = header("flake.nix", "gpuenv nix flake", spec, m, o);
  out += "#\n# Enter it with `nix develop`; flake.lock pins the nixpkgs commit on first use.\n";
  out += "{\n";
  std::vector<std::string> fw;
  for (auto& f : spec.frameworks) fw.push_back(f.name);
  out += "  description = " +
         nix_string(fmt::format("Python {}{} for {} (generated by gpuenv)",
                                spec.python_version.empty() ? "3" : spec.python_version,
                                fw.empty() ? "" : " with " + join(fw, ", "),
                                m.hostname.empty() ? "this machine" : m.hostname)) +
         ";\n\n";
  out += "  inputs.nixpkgs.url = " + nix_string(replace_all(str(t, "nixpkgs", "flake_url"), "{branch}", branch)) + ";\n\n";
  out += "  outputs = { self, nixpkgs }:\n";
  out += "    let\n";
  out += "      systems = " + string_list(strings(t["nixpkgs"]["systems"])) + ";\n";
  out += "      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f (import nixpkgs {\n";
  out += "        inherit system;\n";
  out += "        config = {\n";
  out += config_block(m, k, "          ");
  out += "        };\n";
  out += "      }));\n";
  out += "    in\n";
  out += "    {\n";
  out += "      devShells = forEachSystem (pkgs:\n";
  out += "        let\n";
  out += python_binding(*py, "          ");
  out += "        in\n";
  out += "        {\n";
  out += "          default = pkgs.mkShell {\n";
  out += mkshell_body(m, k, "            ");
  out += "          };\n";
  out += "        });\n";
  out += "    };\n";
  out += "}\n";
  return out;
}

Result<std::string> render_system(const Spec& spec, const Snapshot& s, const Knowledge& k, const Options& o) {
  auto m = machine_facts(s, k);
  auto& t = nix_file(k);
  auto opt = [&](const char* key) { return str(t, "nixos", key); };
  std::string out = header("nixos-gpu.nix", "gpuenv nix system", spec, m, o);
  out += "#\n# A NixOS module: add ./nixos-gpu.nix to `imports` in configuration.nix, then\n";
  out += "#   sudo nixos-rebuild switch && sudo reboot\n";
  if (!m.nixos) out += "# Note: the snapshot is not from NixOS; this module is for the NixOS install on this hardware.\n";
  out += "{ config, lib, pkgs, ... }:\n\n";
  out += "{\n";
  out += "  # The NVIDIA driver (and CUDA, TensorRT) are unfree.\n";
  out += "  " + opt("allow_unfree") + " = true;\n\n";
  out += "  # Links the driver's user-space libraries (libcuda.so.1, libnvidia-ml.so.1) into " +
         str(t, "driver", "lib_dir") + ",\n";
  out += "  # where Nix-built CUDA programs find them through their RUNPATH.\n";
  out += "  " + opt("graphics_enable") + " = true;\n\n";
  out += "  # Selects the NVIDIA kernel module and driver; needed on headless machines too.\n";
  out += "  " + opt("video_drivers") + " = [ \"nvidia\" ];\n\n";

  if (m.gpus.empty()) {
    out += "  # No NVIDIA GPU in the snapshot: the kernel module flavour and driver branch below are defaults.\n";
  }
  // Open kernel module: every GPU must support it; it is required by some (Blackwell).
  bool all_open = !m.gpus.empty() &&
                  std::all_of(m.gpus.begin(), m.gpus.end(), [](auto& g) { return g.open_module; });
  std::vector<std::string> why_open;
  for (auto& g : m.gpus) {
    std::string a = g.arch_display.empty() ? "of an unknown architecture" : "is " + g.arch_display;
    if (g.open_module_required)
      why_open.push_back(g.name + " " + a + ": it needs the open kernel module");
    else if (g.open_module)
      why_open.push_back(g.name + " " + a + ": the open kernel module supports it (Turing or newer)");
    else
      why_open.push_back(g.name + " " + a + ": the open kernel module does not support it (it needs Turing or newer)");
  }
  bool conflict = !all_open && std::any_of(m.gpus.begin(), m.gpus.end(), [](auto& g) { return g.open_module_required; });
  why_open.erase(std::unique(why_open.begin(), why_open.end()), why_open.end());  // identical GPUs: one line
  for (auto& w : why_open) out += "  # " + w + ".\n";
  bool some_open = std::any_of(m.gpus.begin(), m.gpus.end(), [](auto& g) { return g.open_module; });
  if (!all_open && some_open && !conflict)
    out += "  # One kernel module drives all the GPUs, so the proprietary one, which supports them all.\n";
  if (conflict)
    out += "  # WARNING: these GPUs need different kernel modules; no single driver drives them all.\n";
  if (m.gpus.empty()) out += "  # NVIDIA recommends the open module for Turing and newer.\n";
  out += "  " + opt("nvidia_open") + " = " + (all_open || m.gpus.empty() ? "true" : "false") + ";\n\n";

  // Driver branch: the oldest branch any GPU is limited to, else production for data-center GPUs, else stable.
  auto pkgs = driver_packages(t);
  std::string limit;
  const GpuFact* limiter = nullptr;
  for (auto& g : m.gpus)
    if (!g.last_driver_branch.empty() &&
        (limit.empty() || parse_int(g.last_driver_branch).value_or(0) < parse_int(limit).value_or(0))) {
      limit = g.last_driver_branch;
      limiter = &g;
    }
  bool datacenter = std::any_of(m.gpus.begin(), m.gpus.end(), [](auto& g) { return g.datacenter; });
  std::string want = !limit.empty() ? limit : datacenter ? "datacenter" : "";
  const DriverPackage* pick = nullptr;
  for (auto& p : pkgs)
    if (p.branch == want) pick = &p;
  if (!pick)
    for (auto& p : pkgs)
      if (p.branch.empty()) pick = &p;
  if (!pick) return make_error("nix.toml has no [[driver_package]] for the current branch");
  auto sentence = [](std::string w) {
    if (!w.empty()) w[0] = char(toupper(static_cast<unsigned char>(w[0])));
    return w + ".";
  };
  if (limiter) {
    out += "  # " + pick->attr + ": " + limiter->name + " (" + limiter->arch_display + ") is supported up to the R" +
           limit + " driver.\n";
    out += "  # " + sentence(pick->why) + "\n";
    if (m.gpus.size() > 1) out += "  # One driver drives all the GPUs, so the oldest one decides the branch.\n";
  } else if (datacenter) {
    out += "  # " + pick->attr + ": data-center GPU. " + sentence(pick->why) + "\n";
  } else {
    out += "  # " + pick->attr + ": " + pick->why + ".\n";
  }
  if (!m.driver_version.empty())
    out += "  # The snapshot's driver is " + m.driver_version + "; the branch above decides the version after the rebuild.\n";
  out += "  " + opt("nvidia_package") + " = " + opt("driver_packages") + "." + pick->attr + ";\n";
  out += "  # Kernel mode setting (nvidia-drm.modeset=1), which Wayland compositors need.\n";
  out += "  " + opt("nvidia_modesetting") + " = true;\n";

  if (o.container_toolkit) {
    out += "\n  # GPUs in containers: writes the CDI spec; run with docker/podman --device=nvidia.com/gpu=all.\n";
    out += "  " + opt("container_toolkit") + " = true;\n";
  }
  if (o.tensorrt) {
    out += "\n  # TensorRT, from the same cudaPackages as the rest of the system. Unfree, and its archive must be\n";
    out += "  # added to the store by hand first (nix-store --add-fixed sha256 TensorRT-*.tar.gz; the build says which).\n";
    if (!m.capabilities.empty())
      out += "  nixpkgs.config." + str(t, "config", "cuda_capabilities") + " = " + string_list(m.capabilities) + ";\n";
    out += "  " + opt("system_packages") + " = [ pkgs." + opt("tensorrt") + " ];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace gpuenv::nix
