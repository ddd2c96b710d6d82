#include "probe/snapshot.hpp"

#include "knowledge/knowledge.hpp"

#include <climits>
#include <cstdlib>
#include <ctime>
#include <exception>

#include "build_info.hpp"
#include "probe/probes.hpp"
#include "util/strings.hpp"

namespace gpuenv {

std::string utc_now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

static std::string file_version_after(const std::string& path, const std::string& prefix) {
  auto b = base_name(path);
  if (!b.starts_with(prefix)) return "";
  auto v = b.substr(prefix.size());
  return v == "1" ? "" : v;
}

Snapshot take_snapshot(const SnapshotOptions& opts, DeclaredInterpreter* declared) {
  Snapshot s;
  s.tool_version = GPUENV_VERSION;
  s.created = utc_now_iso8601();
  s.root = opts.root;

  // 1. The driver probe first: its cuInit is the floor of the whole run.
  DriverProbe driver;
  {
    // One directory listing tells whether CUDA's numbering of several GPUs is worth a third child.
    auto driver_opts = opts.driver;
    driver_opts.gpu_count_hint = int(Fs(opts.root).list("/proc/driver/nvidia/gpus", false).size());
    driver.start(driver_opts);
  }

  // 2. File-reading probes while the driver initialises.
  FoundSpec found;
  if (opts.find_spec) found = opts.find_spec();
  ProbeContext ctx{Fs(opts.root), opts.env, opts.find_spec ? (found.spec ? &*found.spec : nullptr) : opts.spec,
                   opts.find_spec ? found.error : opts.spec_error, opts.declared_interpreter};
  ctx.hash_files = opts.hash_files;
  probe_env(ctx, s);
  probe_host(ctx, s);
  probe_pci(ctx, s);
  probe_kernel_driver(ctx, s);
  probe_python(ctx, s, declared);  // before the library analysis: it names the site-packages to search
  probe_nix(ctx, s);
  probe_libraries(ctx, s);  // inventory, loader resolution per framework, GPU code
  probe_toolkit(ctx, s);    // CUDA_HOME, nvcc on PATH (framework extension builds)

  // The facts the checks read are parsed now, while cuInit still runs (a malformed override of
  // GPUENV_KNOWLEDGE_DIR is reported by the checks that read it, not here).
  try {
    Knowledge::get().preload_for_checks();
  } catch (const std::exception&) {
  }

  // 3. Collect the driver probe, telling the user if it keeps us waiting.
  driver.finish(s, [&] {
    if (opts.on_slow) opts.on_slow("waiting for the NVIDIA driver to initialise (cuInit)...");
  });
  // The loader reports the name it opened (often a libcuda.so.1 link); the
  // real file's name carries the driver version.
  auto resolve = [&](std::string& path, std::string& version, const char* prefix) {
    if (path.empty()) return;
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf)) version = file_version_after(buf, prefix);
    path = ctx.fs.logical_path(path);
  };
  resolve(s.cuda.library_path, s.cuda.library_version, "libcuda.so.");
  resolve(s.nvml.library_path, s.nvml.library_version, "libnvidia-ml.so.");
  return s;
}

}  // namespace gpuenv
