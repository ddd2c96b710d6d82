// Nix-aware checks: NixOS without the driver link directory, Nix-built CUDA programs whose RUNPATH lacks it, and
// Nix-built GPU programs on a distribution that is not NixOS without a driver wrapper. docs/checks.md, "nix.*".
#include <algorithm>

#include "checks/check.hpp"
#include "checks/facts.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

std::string driver_lib_dir(const Knowledge& k) { return k.nix_driver_lib_dir(); }

bool on_ld_library_path(const Snapshot& s, const std::string& dir) {
  auto llp = ld_library_path(s);
  return std::any_of(llp.begin(), llp.end(), [&](auto& e) { return normalize_path(e) == dir; });
}

void opengl_driver_missing(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (!s.host.nixos || s.host.opengl_driver_dir || !gpu_expected(s)) return;
  // Without the kernel module the driver checks give the whole configuration (graphics included).
  if (!s.kernel.loaded) return;
  auto dir = driver_lib_dir(in.know);
  auto& f = e.emit("NixOS has no " + dir + ": the driver's libraries are not linked for programs");
  f.subject = dir;
  f.add(dir, "missing");
  f.add("kernel module", s.kernel.version.empty() ? "loaded" : s.kernel.version + " (loaded)");
  if (s.cuda.status != ProbeStatus::Skipped) f.add("dlopen(\"libcuda.so.1\")", std::string(to_string(s.cuda.status)));
  f.cause = "The NVIDIA kernel module is loaded, but hardware.graphics is not enabled, so NixOS does not link the "
            "driver's user-space libraries (libcuda.so.1, libnvidia-ml.so.1) into " + dir +
            ", the one place Nix-built CUDA programs look.";
  f.fix = "In configuration.nix:\n  hardware.graphics.enable = true;\n  services.xserver.videoDrivers = [ \"nvidia\" ];\n"
          "then: sudo nixos-rebuild switch\n# or generate the whole module: gpuenv nix system";
}

void runpath_lacks_driver(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto dir = driver_lib_dir(in.know);
  // On another distribution without the link directory the wrapper check below explains it.
  if (!s.host.nixos && !s.host.opengl_driver_dir) return;
  if (on_ld_library_path(s, dir)) return;  // works in this shell (documented)
  std::vector<const NixBinary*> bad;
  for (auto& b : s.nix.binaries) {
    if (!b.nix_toolchain || b.path.starts_with("/nix/store/")) continue;
    bool has = std::any_of(b.runpath.begin(), b.runpath.end(), [&](auto& r) { return normalize_path(r) == dir; });
    if (!has) bad.push_back(&b);
  }
  if (bad.empty()) return;
  auto& f = e.emit(bad.size() == 1 ? "A CUDA program built here cannot find the driver: its RUNPATH lacks " + dir
                                   : std::to_string(bad.size()) + " CUDA programs built here cannot find the driver: "
                                                                   "their RUNPATH lacks " + dir);
  f.subject = bad[0]->path;
  for (size_t i = 0; i < bad.size() && i < 5; ++i) {
    auto& b = *bad[i];
    std::string what = b.cuda_needed.empty() ? "GPU code (.nv_fatbin), loads libcuda.so.1 by name"
                                             : "needs " + join(b.cuda_needed, ", ");
    f.add(b.path, what + "; RUNPATH " + (b.runpath.empty() ? "(none)" : join(b.runpath, ":")));
  }
  if (bad.size() > 5) f.add("and", std::to_string(bad.size() - 5) + " more");
  f.add("LD_LIBRARY_PATH", s.getenv("LD_LIBRARY_PATH") ? *s.getenv("LD_LIBRARY_PATH") : "(unset)");
  f.cause = "It was linked by a Nix toolchain (its RUNPATH names /nix/store) outside a derivation that uses "
            "autoAddDriverRunpath, so nothing added " + dir + ", and the NixOS loader searches no other place for "
            "libcuda.so.1 (CUDA_ERROR_NO_DEVICE / \"libcuda.so.1: cannot open shared object file\").";
  f.fix = "# in the derivation that builds it:\n  nativeBuildInputs = [ pkgs.autoAddDriverRunpath ];\n"
          "# for a build in nix develop / nix-shell:\n  patchelf --add-rpath " + dir + " " + bad[0]->path +
          "\n# or run it with: gpuenv run -- " + bad[0]->path;
}

// The Python interpreter in use when it is Nix-built and has CUDA frameworks (else nullptr).
const Interpreter* nix_python_with_cuda(const Snapshot& s) {
  if (s.python.active < 0 || size_t(s.python.active) >= s.python.interpreters.size()) return nullptr;
  auto& py = s.python.interpreters[size_t(s.python.active)];
  bool nix = py.kind == "nix" || py.realpath.starts_with("/nix/store/") || py.prefix.starts_with("/nix/store/");
  if (!nix) return nullptr;
  bool cuda = std::any_of(py.frameworks.begin(), py.frameworks.end(),
                          [](auto& f) { return f.cuda_build && f.location.starts_with("/nix/store/"); });
  return cuda ? &py : nullptr;
}

void no_driver_wrapper(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (s.host.nixos || s.host.opengl_driver_dir || !gpu_expected(s)) return;
  // The driver is reachable for Nix programs when LD_LIBRARY_PATH holds a real libcuda (what nixGL and
  // nix-gl-host do).
  for (auto& c : s.libraries.copies)
    if (c.name == "cuda" && !c.stub && c.origin == "LD_LIBRARY_PATH") return;
  std::vector<std::string> users;
  if (auto* py = nix_python_with_cuda(s)) {
    std::vector<std::string> fws;
    for (auto& f : py->frameworks)
      if (f.cuda_build) fws.push_back(f.name + (f.version.empty() ? "" : " " + f.version));
    users.push_back(py->path + " (" + join(fws, ", ") + ")");
  }
  for (auto& b : s.nix.binaries)
    if (b.nix_toolchain) users.push_back(b.path);
  if (users.empty()) return;
  auto& f = e.emit("Nix-built GPU programs cannot reach the host's driver (no nixGL or nix-gl-host in use)");
  f.subject = users[0];
  for (size_t i = 0; i < users.size() && i < 5; ++i) f.add("Nix-built", users[i]);
  f.add("host", s.host.os_pretty_name.empty() ? s.host.os_id : s.host.os_pretty_name);
  f.add("LD_LIBRARY_PATH", s.getenv("LD_LIBRARY_PATH") ? *s.getenv("LD_LIBRARY_PATH") : "(unset)");
  for (auto& w : s.nix.wrappers) f.add("wrapper on PATH", w);
  f.cause = "Nix-built programs use Nix's own C library and loader, which ignore /etc/ld.so.cache and look for "
            "libcuda.so.1 only in their RUNPATH (" + driver_lib_dir(in.know) +
            ", which exists only on NixOS) and LD_LIBRARY_PATH, so the host's driver is never found.";
  std::string cmd = users[0].substr(0, users[0].find(' '));
  std::string fix;
  if (!s.nix.wrappers.empty())
    fix = "# a wrapper is installed; run through it:\n  " + base_name(s.nix.wrappers[0]) + " " + cmd + "\n";
  for (auto& usage : in.know.nix_wrapper_usages()) fix += "  " + replace_all(usage, "{cmd}", cmd) + "\n";
  fix += "# or: gpuenv run -- " + cmd + "   (links the host driver's libraries into a directory first on LD_LIBRARY_PATH)";
  f.fix = fix;
}

}  // namespace

void add_nix_checks(std::vector<CheckDef>& out) {
  out.push_back({"nix.opengl-driver-missing", Severity::Error,
                 "NixOS with the NVIDIA module loaded but no /run/opengl-driver/lib (hardware.graphics not enabled)",
                 opengl_driver_missing});
  out.push_back({"nix.runpath-lacks-driver", Severity::Warning,
                 "a CUDA program built here with a Nix toolchain has no /run/opengl-driver/lib in its RUNPATH",
                 runpath_lacks_driver});
  out.push_back({"nix.no-driver-wrapper", Severity::Error,
                 "Nix-built GPU programs on a distribution that is not NixOS, with no driver wrapper in use",
                 no_driver_wrapper});
}

}  // namespace gpuenv
