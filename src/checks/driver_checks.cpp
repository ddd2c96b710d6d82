// The driver layers: kernel module, device nodes, and the user-space driver
// (libcuda, NVML) as the forked probe saw it. Each check names one root cause
// and stays quiet when a more basic check already explains the symptom.
#include <algorithm>

#include "checks/check.hpp"
#include "checks/facts.hpp"
#include "knowledge/variables.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

bool module_missing(const Snapshot& s) {
  if (s.host.wsl || s.kernel.loaded) return false;
  return std::any_of(s.pci.begin(), s.pci.end(), [](auto& d) {
    return d.driver != "nouveau" && d.driver != "vfio-pci" && d.driver != "pci-stub";
  });
}

bool stub_loaded(const Snapshot& s) {
  return s.cuda.init_result == 34 || contains(s.cuda.library_path, "/stubs/");
}

std::string libcuda_desc(const Snapshot& s) {
  std::string d = s.cuda.library_path.empty() ? s.cuda.requested : s.cuda.library_path;
  if (!s.cuda.library_version.empty()) d += " (" + s.cuda.library_version + ")";
  return d;
}

bool mismatch(const Snapshot& s, std::string* user_version) {
  std::string uv;
  if (!s.cuda.library_version.empty() && !contains(s.cuda.library_path, "/stubs/")) uv = s.cuda.library_version;
  else if (!s.nvml.library_version.empty()) uv = s.nvml.library_version;
  if (user_version) *user_version = uv;
  if (s.nvml.init_result == 18 || s.cuda.init_result == 803) return true;
  return !s.kernel.version.empty() && !uv.empty() && uv != s.kernel.version;
}

void module_not_loaded(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (!module_missing(s)) return;
  auto& f = e.emit("The NVIDIA kernel module is not loaded");
  for (auto& d : s.pci) f.add("GPU", d.address + (d.name.empty() ? "" : " " + d.name) + ", bound driver: " +
                                         (d.driver.empty() ? "none" : d.driver));
  f.add("/proc/driver/nvidia/version", "missing");
  f.add("kernel", s.host.kernel_release);
  if (in_container(s)) {
    f.cause = "The host has no NVIDIA kernel module loaded; a container cannot load one itself.";
    f.fix = "On the host: sudo modprobe nvidia   (and install the driver there if that fails)";
  } else if (s.host.nixos) {
    f.cause = "NixOS does not load the NVIDIA module unless the configuration asks for it.";
    f.fix = nixos_driver_fix(s, in.know);
  } else {
    f.cause = "No NVIDIA kernel module is loaded for kernel " + s.host.kernel_release +
              ": the driver is not installed, was not built for this kernel (DKMS), or Secure Boot refused it.";
    f.fix = "sudo modprobe nvidia\n"
            "# if that fails: dkms status   (module built for " + s.host.kernel_release + "?)\n"
            "#                mokutil --sb-state   (Secure Boot needs a signed module)";
  }
}

void libcuda_not_on_loader_path(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (s.cuda.status != ProbeStatus::NotFound || !gpu_expected(s)) return;
  if (!s.kernel.loaded && !s.host.wsl) return;  // the module (or nouveau, vfio) comes first
  const LibraryCopy* found = nullptr;
  for (auto& c : s.libraries.copies)
    if (c.name == "cuda" && !c.stub) {
      found = &c;
      break;
    }
  if (!found) return;
  auto& f = e.emit("libcuda exists on disk but the loader does not find it");
  f.add("dlopen(\"" + s.cuda.requested + "\")", s.cuda.dlerror);
  f.add("copy on disk", found->realpath + (found->version.empty() ? "" : " (" + found->version + ")"));
  auto dir = dir_name(found->path);
  f.add("LD_LIBRARY_PATH", s.getenv("LD_LIBRARY_PATH") ? *s.getenv("LD_LIBRARY_PATH") : "(unset)");
  auto export_line = "export LD_LIBRARY_PATH=" + dir + "${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}";
  if (found->origin == "nixos-driver") {
    f.cause = "On NixOS the driver lives in /run/opengl-driver/lib, which only programs built by Nix (through their "
              "RUNPATH) look in; this program's loader does not.";
    f.fix = export_line + "\n# or: gpuenv run -- <command>   (adds the driver directory, nothing else)";
  } else if (found->origin == "wsl") {
    f.cause = "On WSL2 the driver is mounted at /usr/lib/wsl/lib, which is not in the loader's search path.";
    f.fix = "echo /usr/lib/wsl/lib | sudo tee /etc/ld.so.conf.d/ld.wsl.conf && sudo ldconfig";
  } else if (found->origin == "default" || found->origin == "ld.so.conf") {
    f.cause = "The loader's cache (/etc/ld.so.cache) is out of date: it does not list " + found->path + ".";
    f.fix = "sudo ldconfig";
  } else {
    f.cause = "The driver library is in " + dir + ", which neither ld.so.conf nor LD_LIBRARY_PATH names.";
    f.fix = "echo " + dir + " | sudo tee /etc/ld.so.conf.d/nvidia-driver.conf && sudo ldconfig\n# or: " + export_line;
  }
}

void libcuda_missing(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (s.cuda.status != ProbeStatus::NotFound || !gpu_expected(s)) return;
  if (!s.kernel.loaded && !s.host.wsl) return;  // the module (or nouveau, vfio) comes first
  for (auto& c : s.libraries.copies)
    if (c.name == "cuda" && !c.stub) return;  // the check above explains it
  if (in_container(s) && nodes_missing(s)) return;  // one cause: started without the GPU runtime
  if (s.host.nixos && !s.host.opengl_driver_dir) return;  // nix.opengl-driver-missing explains it
  auto& f = e.emit("The user-space driver (libcuda.so.1) is not installed");
  f.add("dlopen(\"" + s.cuda.requested + "\")", s.cuda.dlerror);
  f.add("kernel module", s.kernel.version.empty() ? "not loaded" : s.kernel.version);
  for (auto& c : s.libraries.copies)
    if (c.name == "cuda" && c.stub) f.add("stub only", c.path);
  if (in_container(s)) {
    f.cause = "The container has no libcuda: the NVIDIA container runtime mounts the host's driver libraries, "
              "and this container was started without it.";
    f.fix = "docker run --gpus all ...   (Kubernetes: the NVIDIA device plugin and runtimeClassName: nvidia)";
  } else {
    std::string branch = s.kernel.version.empty() ? "<branch>" : split(s.kernel.version, '.')[0];
    f.cause = "The kernel module is there but the matching user-space library package is not installed.";
    if (s.host.os_id == "ubuntu") f.fix = "sudo apt install libnvidia-compute-" + branch;
    else if (s.host.os_id == "debian") f.fix = "sudo apt install libcuda1   # from non-free, same version as the module";
    else if (s.host.os_id == "fedora" || s.host.os_id == "rhel" || s.host.os_id == "rocky")
      f.fix = "sudo dnf install nvidia-driver-cuda-libs   # matching the kernel module " + s.kernel.version;
    else f.fix = "Install the NVIDIA driver's user-space libraries of version " + s.kernel.version + ".";
  }
}

void stub_libcuda(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (!stub_loaded(s)) return;
  auto& f = e.emit("The libcuda that loads is the CUDA toolkit's stub");
  f.add("loaded", libcuda_desc(s));
  if (s.cuda.init_result >= 0) f.add("cuInit", cuda_result(s, in.know));
  // A preloaded libcuda (LD_PRELOAD, /etc/ld.so.preload) satisfies every later request of libcuda.so.1: the
  // paths do not matter then, and only taking it out of the preload list helps.
  if (auto pre = preloads_of(s, "cuda", s.cuda.library_path); !pre.empty()) {
    for (auto* p : pre) f.add(p->source, p->entry);
    f.cause = "The toolkit's stub libcuda is preloaded (" + pre[0]->source + "), so it is in the process before the "
              "loader searches any path and every later request of libcuda.so.1 gets it: every CUDA call fails with "
              "CUDA_ERROR_STUB_LIBRARY (34).";
    f.fix = preload_without(s, pre) + "   # stubs are for linking (LIBRARY_PATH) only";
    return;
  }
  // The stubs directories on LD_LIBRARY_PATH; when none is, the stub came another way (ld.so.conf).
  std::vector<std::string> stub_dirs;
  for (auto& d : ld_library_path(s))
    if (contains(d, "stubs")) stub_dirs.push_back(d);
  if (auto* llp = s.getenv("LD_LIBRARY_PATH")) f.add("LD_LIBRARY_PATH", *llp);
  f.cause = "The toolkit's stub libcuda exists only for linking; it comes before the real driver on the loader's "
            "path, and every CUDA call fails with CUDA_ERROR_STUB_LIBRARY (34).";
  if (!stub_dirs.empty()) f.fix = ld_library_path_without(s, stub_dirs) + "   # stubs are for linking (LIBRARY_PATH) only";
  else if (!s.cuda.library_path.empty())
    f.fix = off_loader_path(s, s.cuda.library_path) + "   # stubs are for linking (LIBRARY_PATH) only";
  else f.fix = "Remove the CUDA stubs directory from the loader's path (keep it in LIBRARY_PATH for linking only).";
}

void stub_on_loader_path(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (stub_loaded(s)) return;
  std::vector<std::string> dirs;
  std::vector<std::string> files;
  for (auto& d : ld_library_path(s))
    for (auto& c : s.libraries.copies)
      if (c.name == "cuda" && c.stub && normalize_path(dir_name(c.path)) == normalize_path(d)) {
        dirs.push_back(d);
        files.push_back(c.path);
      }
  if (dirs.empty()) return;
  auto& f = e.emit("LD_LIBRARY_PATH contains the CUDA toolkit's stub libcuda", Severity::Warning);
  for (auto& p : files) f.add("stub", p);
  f.add("LD_LIBRARY_PATH", *s.getenv("LD_LIBRARY_PATH"));
  if (s.cuda.status == ProbeStatus::Ok) f.add("libcuda.so.1 loads from", libcuda_desc(s));
  f.cause = "Programs that load libcuda by the name libcuda.so (instead of libcuda.so.1) get the stub from this "
            "directory and fail with CUDA_ERROR_STUB_LIBRARY (34).";
  f.fix = ld_library_path_without(s, dirs) + "   # stubs are for linking (LIBRARY_PATH) only";
}

void version_mismatch(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  std::string uv;
  if (s.host.wsl || !mismatch(s, &uv)) return;
  auto& f = e.emit("Driver/library version mismatch: user-space driver and kernel module differ");
  f.add("kernel module", s.kernel.version.empty() ? "unknown" : s.kernel.version);
  if (!uv.empty()) f.add("user-space driver", uv);
  if (s.cuda.status != ProbeStatus::NotFound) f.add("libcuda", libcuda_desc(s));
  if (s.nvml.init_result > 0) f.add("nvmlInit", std::to_string(s.nvml.init_result) + " " + s.nvml.init_error);
  if (s.cuda.init_result > 0) f.add("cuInit", cuda_result(s, in.know));
  bool compat = contains(s.cuda.library_path, "/compat/");
  if (compat) {
    f.cause = "A cuda-compat (forward-compatibility) libcuda from " + dir_name(s.cuda.library_path) +
              " is loaded on top of an older kernel module.";
    f.fix = off_loader_path(s, s.cuda.library_path) + "   # or upgrade the host driver to the compat package's version";
  } else if (in_container(s)) {
    f.cause = "The container's libcuda does not match the host's kernel module: the image ships its own driver "
              "libraries instead of the ones the NVIDIA runtime mounts from the host.";
    f.fix = "Remove the driver libraries from the image and start it with --gpus all, or upgrade the host driver.";
  } else {
    f.cause = "The driver packages were upgraded but the old kernel module is still running (no reboot since).";
    f.fix = "sudo reboot\n# or, with no process using the GPU: sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia "
            "&& sudo modprobe nvidia";
  }
}

bool visible_devices_hide_all(const Snapshot& s, std::string* why) {
  auto* cvd = s.getenv("CUDA_VISIBLE_DEVICES");
  if (!cvd) return false;
  std::string v(trim(*cvd));
  if (v.empty()) {
    *why = "CUDA_VISIBLE_DEVICES is set to an empty string, which hides every GPU.";
    return true;
  }
  if (v == "-1" || to_lower(v) == "none" || v == "NoDevFiles" || v == "void") {
    *why = "CUDA_VISIBLE_DEVICES=" + v + " hides every GPU.";
    return true;
  }
  // CUDA stops at the first entry that names no device: when that is the first one, it sees none.
  int n = physical_gpu_count(s);
  auto entries = visible_devices(s, v, false);
  if (entries.empty() || entries[0].problem.empty()) return false;
  auto& first = entries[0];
  if (first.kind == "index")
    *why = "CUDA_VISIBLE_DEVICES=" + v + " starts with index " + first.text + ", but this machine has " +
           std::to_string(n) + " GPU(s) (0.." + std::to_string(n - 1) + "), so CUDA sees none.";
  else if (first.kind == "invalid")
    *why = "CUDA_VISIBLE_DEVICES=" + v + " is neither a list of indices nor of GPU-/MIG- UUIDs, so CUDA sees no device.";
  else
    *why = "CUDA_VISIBLE_DEVICES=" + v + " starts with " + first.text + ": " + first.problem + ", so CUDA sees none.";
  return true;
}

void no_visible_device(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (s.cuda.init_result != 100) return;
  if (module_missing(s) || nodes_missing(s) || !gpu_expected(s) || device_access_broken(s, in.know)) return;
  auto& f = e.emit("CUDA sees no device (CUDA_ERROR_NO_DEVICE)");
  f.add("cuInit", cuda_result(s, in.know));
  auto* cvd = s.getenv("CUDA_VISIBLE_DEVICES");
  f.add("CUDA_VISIBLE_DEVICES", cvd ? "\"" + *cvd + "\"" : "(unset)");
  f.add("GPUs on this machine", std::to_string(physical_gpu_count(s)));
  std::string why;
  if (visible_devices_hide_all(s, &why)) {
    f.cause = why;
    // What the frameworks then do (variables.toml): the CPU, silently for PyTorch.
    if (auto* r = in.know.variables().rule("CUDA_VISIBLE_DEVICES"); r && !r->cpu_effect.empty())
      f.cause += " " + r->cpu_effect + ".";
    f.fix = "unset CUDA_VISIBLE_DEVICES   # or list the GPUs to use, e.g. export CUDA_VISIBLE_DEVICES=0";
  } else {
    if (s.kernel.device_cgroup.version == "v2")
      f.add("device cgroup", "cgroup v2: its device rules are an eBPF program, which cannot be read (unknown)");
    f.cause = "The driver is loaded but reports no CUDA-capable device to this process.";
    f.fix = "nvidia-smi -L   # lists what the driver sees; check CUDA_VISIBLE_DEVICES and the container's --gpus";
  }
}

void cuinit_failed(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (s.cuda.status != ProbeStatus::InitFailed) return;
  int r = s.cuda.init_result;
  if (r == 34 || r == 100 || r == 803 || stub_loaded(s) || mismatch(s, nullptr)) return;
  if (module_missing(s) || nodes_missing(s) || (r == 999 && uvm_missing(s)) || device_access_broken(s, in.know)) return;
  std::string result = cuda_result(s, in.know);
  auto sp = result.find(' ');
  auto& f = e.emit("cuInit failed: " + (sp == std::string::npos ? result : result.substr(sp + 1)));
  f.add("cuInit", cuda_result(s, in.know));
  if (!s.cuda.init_error_string.empty()) f.add("message", s.cuda.init_error_string);
  f.add("libcuda", libcuda_desc(s));
  auto* fact = in.know.cuda_error(r);
  if (fact && !fact->cause.empty()) {
    f.cause = fact->cause + ".";
    f.fix = fact->fix;
  } else {
    f.cause = "The driver refused to initialise" + (fact ? " (" + fact->meaning + ")" : std::string()) + ".";
    f.fix = "sudo dmesg | grep -i -E 'NVRM|Xid'   # the kernel log usually names the reason";
  }
}

template <class P>
void crashed_one(const Snapshot& s, const P& p, const std::string& lib, Emitter& e, bool timeouts) {
  if (p.status == ProbeStatus::Crashed && !timeouts) {
    auto& f = e.emit(lib + " crashed the probe process during " + (p.stage.empty() ? "loading" : p.stage));
    f.subject = lib;
    f.add("library", p.library_path.empty() ? p.requested : p.library_path);
    f.add("stage", p.stage);
    f.add("signal", p.signal ? signal_name(p.signal) : "none (" + p.dlerror + ")");
    f.cause = "The user-space driver library crashed inside its own code: a corrupt or partial driver install, or a "
              "library from a different driver version than the kernel module" +
              (s.kernel.version.empty() ? std::string(".") : " (" + s.kernel.version + ").");
    f.fix = "Reinstall the driver's user-space libraries for version " +
            (s.kernel.version.empty() ? std::string("<kernel module version>") : s.kernel.version) +
            "; nvidia-smi should then run without crashing.";
  } else if (p.status == ProbeStatus::Timeout && timeouts) {
    auto& f = e.emit(lib + " did not answer within the probe timeout (hung in " + (p.stage.empty() ? "loading" : p.stage) + ")");
    f.subject = lib;
    f.add("library", p.library_path.empty() ? p.requested : p.library_path);
    f.add("stage", p.stage);
    f.add("waited", std::to_string(int(p.elapsed_ms)) + " ms");
    f.cause = "The driver is stuck initialising the GPU: a GPU in an error state (Xid), a missing fabric manager on "
              "NVSwitch systems, or a very slow first initialisation without the persistence daemon.";
    f.fix = "sudo dmesg | grep -i -E 'NVRM|Xid'\nsudo systemctl enable --now nvidia-persistenced\n"
            "# retry with a longer wait: gpuenv doctor --timeout 30";
  }
}

void probe_crashed(const CheckInput& in, Emitter& e) {
  crashed_one(in.snap, in.snap.cuda, "libcuda", e, false);
  crashed_one(in.snap, in.snap.nvml, "NVML", e, false);
}

void probe_timeout(const CheckInput& in, Emitter& e) {
  crashed_one(in.snap, in.snap.cuda, "libcuda", e, true);
  crashed_one(in.snap, in.snap.nvml, "NVML", e, true);
}

void nvml_failed(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (s.nvml.status == ProbeStatus::InitFailed) {
    int r = s.nvml.init_result;
    if (r == 18 || mismatch(s, nullptr)) return;
    if (module_missing(s) || nodes_missing(s) || device_access_broken(s, in.know)) return;
    auto& f = e.emit("NVML failed to initialise: " + s.nvml.init_error, Severity::Warning);
    f.add("nvmlInit", std::to_string(r) + " " + s.nvml.init_error);
    f.add("library", s.nvml.library_path);
    auto* fact = in.know.nvml_error(r);
    f.cause = fact && !fact->cause.empty() ? fact->cause + "."
                                           : "NVML (used by nvidia-smi and monitoring) cannot talk to the driver" +
                                                 (fact ? " (" + fact->meaning + ")." : std::string("."));
    f.fix = fact && !fact->fix.empty() ? fact->fix : "nvidia-smi   # shows the same error with more context";
  } else if (s.nvml.status == ProbeStatus::NotFound && cuda_works(s)) {
    auto& f = e.emit("libnvidia-ml.so.1 (NVML) is not found", Severity::Warning);
    f.add("dlopen(\"" + s.nvml.requested + "\")", s.nvml.dlerror);
    f.cause = "CUDA works but NVML, which nvidia-smi, monitoring and some frameworks use, is not on the loader path.";
    std::string v = !s.cuda.library_version.empty() ? s.cuda.library_version : s.kernel.version;
    f.fix = v.empty() ? "Install the driver's NVML library (libnvidia-ml.so.1) of the same version as libcuda."
                      : "Install the driver's NVML library (libnvidia-ml.so.1) of version " + v + ", the same as libcuda.";
  }
}

}  // namespace

void add_driver_checks(std::vector<CheckDef>& out) {
  out.push_back({"driver.module-not-loaded", Severity::Error, "The NVIDIA kernel module is not loaded", module_not_loaded});
  add_device_node_checks(out);  // device_checks.cpp: the /dev nodes, their numbers, permissions, cgroup
  out.push_back({"driver.libcuda-not-on-loader-path", Severity::Error,
                 "libcuda exists on disk (NixOS, WSL, container mount) but the loader does not find it",
                 libcuda_not_on_loader_path});
  out.push_back({"driver.libcuda-missing", Severity::Error, "No user-space driver library (libcuda.so.1) is installed",
                 libcuda_missing});
  out.push_back({"driver.stub-libcuda", Severity::Error, "The libcuda that loads is the CUDA toolkit's stub", stub_libcuda});
  out.push_back({"driver.stub-on-loader-path", Severity::Warning,
                 "LD_LIBRARY_PATH holds the toolkit's stub libcuda (libcuda.so)", stub_on_loader_path});
  out.push_back({"driver.version-mismatch", Severity::Error,
                 "Kernel module and user-space driver versions differ (Driver/library version mismatch)",
                 version_mismatch});
  out.push_back({"driver.no-visible-device", Severity::Error,
                 "cuInit reports CUDA_ERROR_NO_DEVICE (CUDA_VISIBLE_DEVICES empty or naming no device)",
                 no_visible_device});
  out.push_back({"driver.cuinit-failed", Severity::Error, "cuInit failed with another error, mapped to its cause",
                 cuinit_failed});
  out.push_back({"driver.probe-crashed", Severity::Error, "libcuda or NVML crashed the probe process (a signal)",
                 probe_crashed});
  out.push_back({"driver.probe-timeout", Severity::Error, "libcuda or NVML hung past the probe timeout",
                 probe_timeout});
  out.push_back({"driver.nvml-failed", Severity::Warning, "NVML cannot be loaded or initialised", nvml_failed});
}

}  // namespace gpuenv
