// Checks of the environment a framework runs in rather than of its build: /dev/shm for PyTorch's DataLoader
// workers, and the CUDA toolkit that extension builds use. Registered with the framework checks
// (framework_checks.cpp, add_framework_checks), so their IDs and order are unchanged.
#include <cstdint>
#include <string>
#include <vector>

#include "checks/check.hpp"
#include "checks/facts.hpp"
#include "checks/recommend.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

// --- framework.shm-too-small -----------------------------------------------------------------------------

void shm_too_small(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto& k = in.know.frameworks();
  if (s.host.shm_bytes == 0 || k.shm_recommended == 0 || s.host.shm_bytes >= k.shm_recommended) return;
  const Framework* torch = nullptr;
  const Interpreter* where = nullptr;
  each_framework(s, [&](const Interpreter& py, const Framework& fw) {
    if (fw.name == "torch" && !torch) {
      torch = &fw;
      where = &py;
    }
  });
  if (!torch) return;
  auto mib = [](std::uint64_t b) { return std::to_string(b >> 20) + " MiB"; };
  bool docker_default = s.host.shm_bytes == k.shm_docker_default;
  auto& f = e.emit("/dev/shm is only " + mib(s.host.shm_bytes) + ": PyTorch DataLoader workers will run out of shared memory");
  f.subject = "/dev/shm";
  f.add("/dev/shm", mib(s.host.shm_bytes) + (docker_default ? " (a container's default)" : ""));
  if (!s.host.container.empty()) f.add("container", s.host.container);
  f.add("framework", label(*torch) + " (" + where->path + ")");
  f.cause = "DataLoader workers (num_workers > 0) and torch.multiprocessing pass tensors through shared memory in "
            "/dev/shm. With " + mib(s.host.shm_bytes) + " a few batches fill it and training stops with \"RuntimeError: "
            "unable to allocate shared memory(shm) for file </torch_...>\" (or, from older releases, \"ERROR: "
            "Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm)\").";
  std::vector<std::string> fix;
  if (s.host.container == "kubernetes")
    fix.push_back("Kubernetes: mount an emptyDir with medium: Memory (and a sizeLimit) at /dev/shm in the pod spec");
  else if (!s.host.container.empty())
    fix.push_back("start the container with --ipc=host or --shm-size=" + std::to_string(k.shm_recommended >> 30) +
                  "g (docker/podman run; docker compose: shm_size)");
  else
    fix.push_back("sudo mount -o remount,size=" + std::to_string(k.shm_recommended >> 30) + "G /dev/shm");
  fix.push_back("or, in the program: DataLoader(..., num_workers=0)   (slower: loads in the main process)");
  f.fix = join(fix, "\n");
}

// --- toolkit.cuda-major-mismatch ------------------------------------------------------------------------

void toolkit_major_mismatch(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto& tk = s.toolkit;
  if (tk.selected < 0 || tk.selected >= int(tk.toolkits.size())) return;
  auto& t = tk.toolkits[size_t(tk.selected)];
  auto tv = Version::parse(t.version);
  if (!tv) return;
  each_framework(s, [&](const Interpreter& py, const Framework& fw) {
    if (fw.name != "torch" || !fw.cuda_build) return;
    auto fv = Version::parse(fw.cuda_version);
    if (!fv || fv->major() == tv->major()) return;
    auto& f = e.emit("The CUDA toolkit at " + t.path + " is CUDA " + major_minor(t.version) + ", but " + label(fw) +
                         " is built for CUDA " + major_minor(fw.cuda_version) + ": CUDA extensions will not build",
                     Severity::Warning);
    f.subject = t.path;
    f.add("toolkit", t.path + " (CUDA " + t.version + ", from " + t.version_file + ")");
    f.add("chosen by", tk.selected_by + (tk.selected_by == "CUDA_HOME" || tk.selected_by == "CUDA_PATH"
                                              ? "=" + (s.getenv(tk.selected_by) ? *s.getenv(tk.selected_by) : "")
                                              : ""));
    if (!tk.nvcc_on_path.empty()) f.add("nvcc on PATH", tk.nvcc_on_path);
    f.add("framework", label(fw) + " (CUDA " + fw.cuda_version + ") for " + py.path);
    f.cause = "torch.utils.cpp_extension (and pip installs that compile CUDA code: flash-attn, apex, xformers from "
              "source ...) use this toolkit and stop with \"The detected CUDA version (" + major_minor(t.version) +
              ") mismatches the version that was used to compile PyTorch (" + major_minor(fw.cuda_version) +
              ")\"; running torch itself is not affected.";
    const CudaToolkit* match = nullptr;
    for (auto& o : tk.toolkits)
      if (auto ov = Version::parse(o.version); ov && ov->major() == fv->major() && !o.nvcc.empty()) {
        if (!match || *Version::parse(match->version) < *ov) match = &o;
      }
    std::string cuda = major_minor(fw.cuda_version);
    std::string dash = replace_all(cuda, ".", "-");
    if (match) {
      f.fix = "export CUDA_HOME=" + match->path + "   # CUDA " + match->version + ", same major as " + fw.name +
              "\nexport PATH=" + match->path + "/bin:$PATH";
    } else {
      auto q = build_query(s, in.know, &py, fw.name);
      if (q.env_kind == "conda")
        f.fix = "conda install -c conda-forge cuda-nvcc cuda-cudart-dev \"cuda-version=" + cuda + "\"" +
                "\nexport CUDA_HOME=$CONDA_PREFIX";
      else if (q.env_kind == "nix" || s.host.nixos)
        f.fix = "# add cudaPackages_" + replace_all(cuda, ".", "_") + ".cuda_nvcc to the shell, then point CUDA_HOME at it";
      else
        f.fix = "sudo apt install cuda-toolkit-" + dash + "   # from NVIDIA's CUDA repository\nexport CUDA_HOME=/usr/local/cuda-" +
                cuda;
    }
  });
}

}  // namespace gpuenv
