#include "nix/generate.hpp"
#include "nix/internal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include "util/tomlpp.hpp"

#include "model/gpu_target.hpp"
#include "util/strings.hpp"

namespace gpuenv::nix {

namespace detail {

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

std::vector<Cache> caches(const Knowledge& k) {
  std::vector<Cache> out;
  if (auto* a = nix_file(k)["cache"].as_array())
    for (auto& e : *a)
      if (auto* t = e.as_table())
        out.push_back({(*t)["url"].value_or<std::string>(""), (*t)["key"].value_or<std::string>(""),
                       (*t)["what"].value_or<std::string>("")});
  return out;
}

// Unparsable capabilities (none come from the probes or the knowledge files) first.
bool cc_less(const std::string& a, const std::string& b) {
  return ComputeCapability::parse(a) < ComputeCapability::parse(b);
}

void warn(const Options& o, std::string message) {
  if (o.warnings && std::find(o.warnings->begin(), o.warnings->end(), message) == o.warnings->end())
    o.warnings->push_back(std::move(message));
}

}  // namespace detail

using namespace detail;

namespace {

// ---- machine facts ------------------------------------------------------------------------------------

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
  auto nvswitch_class = nix_file(k)["datacenter"]["nvswitch_class"].value_or<std::string>("0x0680");
  for (auto& p : s.pci)
    if (to_lower(p.vendor_id) == "0x10de" && p.class_id.starts_with(nvswitch_class)) m.nvswitch = true;
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

// ---- pieces shared by the shell and the flake ---------------------------------------------------------

const toml::table* framework_entry(const Knowledge& k, const std::string& name) {
  if (auto* fws = nix_file(k)["framework"].as_array())
    for (auto& e : *fws)
      if (auto* tb = e.as_table(); tb && (*tb)["name"].value_or<std::string>("") == name) return tb;
  return nullptr;
}

// With or without CUDA, per framework: as declared, else CUDA when the snapshot has an NVIDIA GPU.
bool wants_cuda(const SpecFramework& f, const MachineFacts& m) {
  return f.accelerator.empty() ? !m.gpus.empty() : f.accelerator == "cuda";
}

// config.cudaSupport: on when a framework wants CUDA; with no frameworks, when the machine has an NVIDIA GPU.
bool cuda_support(const Spec& spec, const MachineFacts& m) {
  if (spec.frameworks.empty()) return !m.gpus.empty();
  return std::any_of(spec.frameworks.begin(), spec.frameworks.end(), [&](auto& f) { return wants_cuda(f, m); });
}

struct PythonEnv {
  std::string attr;     // python312
  std::string version;  // 3.12 (the release's python3 when gpuenv.toml states none)
  std::vector<std::pair<std::string, std::string>> packages;  // attribute, comment
  std::vector<std::string> systems;  // where every package builds (a subset of [nixpkgs] systems)
};

Result<PythonEnv> python_env(const Spec& spec, const MachineFacts& m, const Knowledge& k, const Release& r,
                             const Options& o) {
  auto& t = nix_file(k);
  PythonEnv env;
  env.systems = strings(t["nixpkgs"]["systems"]);
  env.version = r.python_default;
  env.attr = python_attr(spec, k);
  if (!spec.python_version.empty()) {
    auto parts = split(spec.python_version, '.');
    env.version = parts.size() >= 2 ? parts[0] + "." + parts[1] : spec.python_version;
    auto has = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), env.version) != v.end(); };
    if (has(r.python_prerelease))
      warn(o, fmt::format("Python {} in {} is a pre-release ({} holds an alpha, beta or release candidate): few "
                          "packages build for it yet, and the binary caches are built for Python {}",
                          env.version, r.label(), env.attr, r.python_default));
    else if (!has(r.python_versions))
      return make_error(fmt::format("gpuenv.toml asks for Python {}, which {} does not carry (it has {}{}); change "
                                    "[python] version",
                                    spec.python_version, r.label(), join(r.python_versions, ", "),
                                    r.python_prerelease.empty()
                                        ? ""
                                        : ", and " + join(r.python_prerelease, ", ") + " as a pre-release"));
  }
  bool cuda_on = cuda_support(spec, m);
  for (auto& f : spec.frameworks) {
    if (f.accelerator == "rocm")
      return make_error("framework " + f.name + " asks for ROCm; gpuenv nix writes CUDA (NVIDIA) environments only");
    auto* entry = framework_entry(k, f.name);
    if (!entry) return make_error("no Nix package is known for framework '" + f.name + "' (nix.toml [[framework]])");
    bool cuda = wants_cuda(f, m);
    auto pythons = strings((*entry)["pythons"]);
    if (!pythons.empty() && std::find(pythons.begin(), pythons.end(), env.version) == pythons.end())
      return make_error(fmt::format("{} has no Nix package for Python {} in {} (tensorflow-bin: \"unsupported "
                                    "configuration\"; it is built for Python {}); set [python] version to one of "
                                    "those",
                                    f.name, env.version, r.label(), join(pythons, ", ")));
    auto systems = strings((*entry)["systems"]);
    if (!systems.empty())
      std::erase_if(env.systems, [&](auto& sys) { return std::find(systems.begin(), systems.end(), sys) == systems.end(); });
    if (cuda && f.accelerator == "cuda" && m.gpus.empty())
      warn(o, fmt::format("gpuenv.toml declares {} = \"cuda\" but the snapshot has no NVIDIA GPU: the CUDA build is "
                          "kept as declared; it runs only where an NVIDIA GPU and driver are",
                          f.name));
    auto attrs = strings((*entry)[cuda ? "cuda" : cuda_on ? "cpu_in_cuda" : "cpu"]);
    if (attrs.empty())
      return make_error(fmt::format("{} has no build without CUDA; set {} = \"cuda\" in gpuenv.toml or remove it",
                                    f.name, f.name));
    std::string note = (*entry)["note"].value_or<std::string>("");
    for (size_t i = 0; i < attrs.size(); ++i) {
      std::string c;
      if (i == 0) {
        c = f.name + (cuda ? "" : " (CPU)");
        if (!f.version.empty())
          c += ", gpuenv.toml asks for " + f.version + ": the version is the one of the pinned nixpkgs";
        if (cuda && !note.empty()) c += ": " + note;
        else if (!cuda && cuda_on) c += ": built without CUDA while other frameworks use it";
        else if (!cuda) c += ": without CUDA, as gpuenv.toml asks";
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

// The GPUs of a capability ("GeForce GTX 1080 6.1").
std::string capability_owners(const MachineFacts& m, const std::vector<std::string>& ccs) {
  std::vector<std::string> which;
  for (auto& cc : ccs) {
    std::vector<std::string> names;
    for (auto& g : m.gpus)
      if (g.cc == cc && std::find(names.begin(), names.end(), g.name) == names.end()) names.push_back(g.name);
    which.push_back(join(names, ", ") + " " + cc);
  }
  return join(which, "; ");
}

// nixpkgs config lines (inside `config = { ... };`), indented by `ind`. Fast by default: cudaCapabilities stays at
// nixpkgs' default, which the CUDA binary caches are built for; this machine's list only with --cuda-capabilities.
Result<std::string> config_block(const Spec& spec, const MachineFacts& m, const Knowledge& k, const Release& r,
                                 const Options& o, const std::string& ind) {
  auto& t = nix_file(k);
  std::string out;
  out += ind + "# The NVIDIA driver libraries, CUDA and cuDNN are unfree.\n";
  out += ind + str(t, "config", "allow_unfree") + " = true;\n";
  if (!cuda_support(spec, m)) {
    out += ind + (m.gpus.empty() ? "# No NVIDIA GPU in the snapshot: packages are built without CUDA.\n"
                                 : "# Every framework of gpuenv.toml is CPU-only: packages are built without CUDA.\n");
    out += ind + str(t, "config", "cuda_support") + " = false;\n";
    return out;
  }
  out += ind + "# Build the packages that can use CUDA with it.\n";
  out += ind + str(t, "config", "cuda_support") + " = true;\n";
  for (auto& g : m.gpus) {
    if (g.last_cuda.empty()) continue;
    auto major = split(g.last_cuda, '.')[0];
    if (std::find(r.cuda_majors.begin(), r.cuda_majors.end(), major) == r.cuda_majors.end())
      return make_error(fmt::format("{} ({}, {}): CUDA {} is the last release that compiles for it, and {} has no "
                                    "cudaPackages_{} (it has cudaPackages_{}); set accelerator = \"cpu\" for the "
                                    "frameworks in gpuenv.toml",
                                    g.name, g.arch_display, g.cc, g.last_cuda, r.label(), major,
                                    join(r.cuda_majors, ", cudaPackages_")));
    out += ind + fmt::format("# {} ({}): CUDA {} is the last release that compiles for it; this nixpkgs still has "
                             "cudaPackages_{}.\n",
                             g.name, g.cc, g.last_cuda, major);
    break;
  }
  auto min_default = str(t, "cuda_defaults", "min_default_cc");
  std::vector<std::string> outside;
  for (auto& cc : m.capabilities)
    if (cc_less(cc, min_default)) outside.push_back(cc);
  if (o.cuda_capabilities && !m.capabilities.empty()) {
    out += ind + "# Only this machine's GPUs (" + capability_owners(m, m.capabilities) + ", --cuda-capabilities).\n";
    out += ind + "# WARNING: no binary cache has this list: torch, magma, triton, nccl... are built here (hours).\n";
    out += ind + str(t, "config", "cuda_capabilities") + " = " + string_list(m.capabilities) + ";\n";
    warn(o, "--cuda-capabilities: CUDA packages are built on this machine for " + join(m.capabilities, ", ") +
                " (torch, magma, triton, nccl: hours), because no binary cache holds builds for that list");
    return out;
  }
  out += ind + "# cudaCapabilities stays at nixpkgs' default, for which the CUDA binary cache holds the builds\n";
  out += ind + "# (a substituter in nixos-gpu.nix and in a flake's nixConfig); --cuda-capabilities builds for this\n";
  out += ind + "# machine's GPUs only, from source.\n";
  if (!outside.empty()) {
    out += ind + "# WARNING: " + capability_owners(m, outside) + " is not in nixpkgs' default capabilities (they start "
           "at " + min_default + "):\n";
    out += ind + "# the cached packages have no GPU code for it. Use --cuda-capabilities (builds for hours) or CPU.\n";
    warn(o, capability_owners(m, outside) + " is not in nixpkgs' default CUDA capabilities (from " + min_default +
                "): the cached CUDA packages have no code for it; pass --cuda-capabilities to build for it (hours), "
                "or set accelerator = \"cpu\"");
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

}  // namespace

std::string detail::header(const char* file, const char* command, const Spec& spec, const MachineFacts& m,
                           const Options& o, const Release& r) {
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
  if (m.nvswitch) h += "#   NVSwitch: yes (SXM/HGX board)\n";
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
  h += fmt::format("# Written for {}{}: attribute names as its nixpkgs has them.\n", r.label(),
                   r.end_of_support.empty() ? "" : ", supported until " + r.end_of_support);
  return h;
}

Result<std::string> render_shell(const Spec& spec, const Snapshot& s, const Knowledge& k, const Options& o) {
  auto m = machine_facts(s, k);
  auto r = target_release(Target::Shell, m, k, o);
  if (!r) return make_error(r.error());
  auto py = python_env(spec, m, k, *r, o);
  if (!py) return make_error(py.error());
  auto config = config_block(spec, m, k, *r, o, "      ");
  if (!config) return make_error(config.error());
  std::string out = header("shell.nix", "gpuenv nix shell", spec, m, o, *r);
  out += "#\n# Enter it with `nix-shell`; <nixpkgs> is the channel of your NIX_PATH (a flake pins it: gpuenv nix flake).\n";
  if (cuda_support(spec, m))
    out += "# The CUDA binary cache must be a substituter of the Nix daemon (nixos-gpu.nix adds it), or CUDA packages\n"
           "# are built here.\n";
  out += "{ pkgs ? import <nixpkgs> {\n";
  out += "    config = {\n";
  out += *config;
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
  auto m = machine_facts(s, k);
  auto r = target_release(Target::Flake, m, k, o);
  if (!r) return make_error(r.error());
  auto py = python_env(spec, m, k, *r, o);
  if (!py) return make_error(py.error());
  auto config = config_block(spec, m, k, *r, o, "          ");
  if (!config) return make_error(config.error());
  auto& t = nix_file(k);
  std::string out = header("flake.nix", "gpuenv nix flake", spec, m, o, *r);
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
  if (cuda_support(spec, m)) {
    std::vector<std::string> urls, keys;
    for (auto& c : caches(k)) {
      urls.push_back(c.url);
      keys.push_back(c.key);
    }
    out += "  # CUDA builds of nixpkgs (cache.nixos.org has none): Nix asks before using them unless you are a trusted\n";
    out += "  # user or the daemon already has them (nixos-gpu.nix adds them on NixOS).\n";
    out += "  nixConfig = {\n";
    out += "    extra-substituters = " + string_list(urls) + ";\n";
    out += "    extra-trusted-public-keys = " + string_list(keys) + ";\n";
    out += "  };\n\n";
  }
  out += "  inputs.nixpkgs.url = " + nix_string(replace_all(str(t, "nixpkgs", "flake_url"), "{branch}", r->branch)) + ";\n\n";
  out += "  outputs = { self, nixpkgs }:\n";
  out += "    let\n";
  if (py->systems.size() < strings(t["nixpkgs"]["systems"]).size())
    out += "      # Only the systems every framework builds for (tensorflow-bin: x86_64-linux).\n";
  out += "      systems = " + string_list(py->systems) + ";\n";
  out += "      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f (import nixpkgs {\n";
  out += "        inherit system;\n";
  out += "        config = {\n";
  out += *config;
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

}  // namespace gpuenv::nix
