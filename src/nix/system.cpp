// gpuenv nix system: the NixOS module (nixos-gpu.nix) with the driver for the snapshot's GPUs, written for the
// NixOS release the host runs (nix.toml [[release]]).
#include <fmt/format.h>

#include <algorithm>

#include "nix/internal.hpp"
#include "util/strings.hpp"

namespace gpuenv::nix {

using namespace detail;

namespace {

struct DriverPackage {
  std::string branch, attr, why;
};

std::vector<DriverPackage> driver_packages(const toml::table& t, const Release& r) {
  std::vector<DriverPackage> out;
  if (auto* a = t["driver_package"].as_array())
    for (auto& e : *a)
      if (auto* tb = e.as_table()) {
        DriverPackage p{(*tb)["branch"].value_or<std::string>(""), (*tb)["attr"].value_or<std::string>(""),
                        (*tb)["why"].value_or<std::string>("")};
        if (p.attr == "{release}") p.attr = p.branch == "580" ? r.driver_580 : r.driver_datacenter;
        out.push_back(std::move(p));
      }
  return out;
}

std::string sentence(std::string w) {
  if (!w.empty()) w[0] = char(toupper(static_cast<unsigned char>(w[0])));
  return w + ".";
}

// hardware.nvidia.open: every GPU must support the open module; some (Blackwell) require it.
std::string open_module_lines(const MachineFacts& m, const std::string& option) {
  std::string out;
  if (m.gpus.empty()) out += "  # No NVIDIA GPU in the snapshot: the kernel module flavour and driver branch below are defaults.\n";
  bool all_open = !m.gpus.empty() && std::all_of(m.gpus.begin(), m.gpus.end(), [](auto& g) { return g.open_module; });
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
  if (conflict) out += "  # WARNING: these GPUs need different kernel modules; no single driver drives them all.\n";
  if (m.gpus.empty()) out += "  # NVIDIA recommends the open module for Turing and newer.\n";
  out += "  " + option + " = " + (all_open || m.gpus.empty() ? "true" : "false") + ";\n\n";
  return out;
}

// hardware.nvidia.package: the oldest branch any GPU is limited to, else the data-center driver on NVSwitch boards,
// else production for data-center GPUs, else stable. The attribute must exist in the target release.
Result<std::string> driver_lines(const MachineFacts& m, const toml::table& t, const Release& r) {
  auto pkgs = driver_packages(t, r);
  std::string limit;
  const GpuFact* limiter = nullptr;
  for (auto& g : m.gpus)
    if (!g.last_driver_branch.empty() &&
        (limit.empty() || parse_int(g.last_driver_branch).value_or(0) < parse_int(limit).value_or(0))) {
      limit = g.last_driver_branch;
      limiter = &g;
    }
  bool datacenter = std::any_of(m.gpus.begin(), m.gpus.end(), [](auto& g) { return g.datacenter; });
  std::string want = !limit.empty() ? limit : m.nvswitch ? "nvswitch" : datacenter ? "datacenter" : "";
  const DriverPackage* pick = nullptr;
  for (auto& p : pkgs)
    if (p.branch == want) pick = &p;
  if (!pick)
    for (auto& p : pkgs)
      if (p.branch.empty()) pick = &p;
  if (!pick) return make_error("nix.toml has no [[driver_package]] for the current branch");
  if (std::find(r.driver_attrs.begin(), r.driver_attrs.end(), pick->attr) == r.driver_attrs.end())
    return make_error(fmt::format("{} has no nvidiaPackages.{} (nix.toml [[release]] driver_attrs)", r.label(), pick->attr));
  std::string out;
  if (limiter) {
    out += "  # " + pick->attr + ": " + limiter->name + " (" + limiter->arch_display + ") is supported up to the R" +
           limit + " driver.\n";
    out += "  # " + sentence(pick->why) + "\n";
    if (!pick->attr.starts_with("legacy_"))
      out += "  # " + r.label() + " has no legacy_" + limit + "; its " + pick->attr + " branch still supports it.\n";
    if (m.gpus.size() > 1) out += "  # One driver drives all the GPUs, so the oldest one decides the branch.\n";
  } else if (m.nvswitch) {
    out += "  # " + pick->attr + ": NVSwitch board. " + sentence(pick->why) + "\n";
  } else if (datacenter) {
    out += "  # " + pick->attr + ": data-center GPU. " + sentence(pick->why) + "\n";
  } else {
    out += "  # " + pick->attr + ": " + pick->why + ".\n";
  }
  if (!m.driver_version.empty())
    out += "  # The snapshot's driver is " + m.driver_version + "; the branch above decides the version after the rebuild.\n";
  out += "  " + str(t, "nixos", "nvidia_package") + " = " + str(t, "nixos", "driver_packages") + "." + pick->attr + ";\n";
  return out;
}

}  // namespace

Result<std::string> render_system(const Spec& spec, const Snapshot& s, const Knowledge& k, const Options& o) {
  auto m = machine_facts(s, k);
  auto r = target_release(Target::System, m, k, o);
  if (!r) return make_error(r.error());
  auto& t = nix_file(k);
  auto opt = [&](const char* key) { return str(t, "nixos", key); };
  auto min_cc = str(t, "tensorrt", "min_cc");
  if (o.tensorrt)
    for (auto& g : m.gpus)
      if (!g.cc.empty() && cc_less(g.cc, min_cc))
        return make_error(fmt::format("--tensorrt: TensorRT 10.5 and newer (the one in cudaPackages) supports compute "
                                      "capability {} and up; {} is {}",
                                      min_cc, g.name, g.cc));
  auto driver = driver_lines(m, t, *r);
  if (!driver) return make_error(driver.error());

  std::string out = header("nixos-gpu.nix", "gpuenv nix system", spec, m, o, *r);
  out += "#\n# A NixOS module: add ./nixos-gpu.nix to `imports` in configuration.nix, then\n";
  out += "#   sudo nixos-rebuild switch && sudo reboot\n";
  if (!m.nixos) out += "# Note: the snapshot is not from NixOS; this module is for the NixOS install on this hardware.\n";
  out += "{ config, lib, pkgs, options, ... }:\n\n";
  out += "let\n";
  out += "  # A host that passes its own pkgs (nixpkgs.pkgs) must not set nixpkgs.config: nixpkgs.nix asserts it.\n";
  out += "  hostPkgs = " + str(t, "nixos_pkgs", "is_defined") + ";\n";
  out += "in\n";
  out += "{\n";
  out += "  # The NVIDIA driver (and CUDA, TensorRT) are unfree.\n";
  out += "  " + opt("nixpkgs_config") + " = lib.mkIf (!hostPkgs) {\n";
  out += "    " + str(t, "config", "allow_unfree") + " = true;\n";
  bool insecure = o.tensorrt && !r->tensorrt_insecure.empty();
  if (insecure) {
    out += "    # cudaPackages.tensorrt is marked insecure (" + r->tensorrt_insecure + ", " + str(t, "tensorrt", "issue") +
           "),\n";
    out += "    # so evaluation refuses it unless allowed: this allows that one package and nothing else.\n";
    out += "    " + str(t, "tensorrt", "allow_insecure") + ";\n";
    warn(o, fmt::format("--tensorrt: cudaPackages.tensorrt in {} is marked insecure ({}); nixos-gpu.nix allows it by "
                        "name (allowInsecurePredicate). Drop --tensorrt if you do not need it",
                        r->label(), r->tensorrt_insecure));
  }
  if (o.cuda_capabilities && !m.capabilities.empty()) {
    out += "    # --cuda-capabilities: CUDA code for this machine's GPUs only; no binary cache has it (builds for hours).\n";
    out += "    " + str(t, "config", "cuda_capabilities") + " = " + string_list(m.capabilities) + ";\n";
  }
  out += "  };\n";
  std::string unfree = "allowUnfree = true" + std::string(insecure ? " and the tensorrt predicate" : "");
  out += "  " + opt("warnings") + " = lib.optional hostPkgs " +
         nix_string("nixos-gpu.nix: this host passes its own pkgs (nixpkgs.pkgs); create it with " + unfree +
                    " in its config") +
         ";\n\n";

  std::vector<std::string> urls, keys;
  for (auto& c : caches(k)) {
    urls.push_back(c.url);
    keys.push_back(c.key);
    out += "  # " + c.url + ": " + c.what + ".\n";
  }
  out += "  # CUDA packages come from these caches (cache.nixos.org has none) instead of being built here.\n";
  out += "  " + opt("substituters") + " = " + string_list(urls) + ";\n";
  out += "  " + opt("trusted_keys") + " = " + string_list(keys) + ";\n\n";

  out += "  # Links the driver's user-space libraries (libcuda.so.1, libnvidia-ml.so.1) into " +
         str(t, "driver", "lib_dir") + ",\n";
  out += "  # where Nix-built CUDA programs find them through their RUNPATH.\n";
  out += "  " + opt("graphics_enable") + " = true;\n\n";
  if (m.nvswitch) {
    out += "  # NVSwitch (SXM/HGX board): the data-center driver without X11, and nvidia-fabricmanager, which sets up\n";
    out += "  # the NVLink fabric; CUDA sees no GPU until it runs. (Not together with services.xserver.videoDrivers.)\n";
    out += "  " + opt("datacenter_enable") + " = true;\n\n";
  } else {
    out += "  # Selects the NVIDIA kernel module and driver; needed on headless machines too.\n";
    out += "  " + opt("video_drivers") + " = [ \"nvidia\" ];\n\n";
  }
  out += open_module_lines(m, opt("nvidia_open"));
  out += *driver;
  if (!m.nvswitch) {
    out += "  # Kernel mode setting (nvidia-drm.modeset=1), which Wayland compositors need.\n";
    out += "  " + opt("nvidia_modesetting") + " = true;\n";
  }
  if (o.container_toolkit) {
    out += "\n  # GPUs in containers: writes the CDI spec; run with docker/podman --device=nvidia.com/gpu=all.\n";
    out += "  " + opt("container_toolkit") + " = true;\n";
  }
  if (o.tensorrt) {
    out += "\n  # TensorRT, from the same cudaPackages as the rest of the system (unfree; fetched from NVIDIA's\n";
    out += "  # redistributable archives). TensorRT 10.5 and newer needs compute capability " + min_cc + " or higher.\n";
    out += "  " + opt("system_packages") + " = [ pkgs." + opt("tensorrt") + " ];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace gpuenv::nix
