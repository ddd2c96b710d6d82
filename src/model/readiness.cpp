#include "model/readiness.hpp"

#include <algorithm>

#include "model/gpu_target.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

std::vector<GpuView> visible_gpus(const Snapshot& s) {
  std::vector<GpuView> out;
  if (!s.cuda.devices.empty()) {
    for (auto& d : s.cuda.devices) out.push_back({d.index, d.name, d.cc_major, d.cc_minor, d.uuid, d.pci_bus_id});
  } else {
    for (auto& d : s.nvml.devices) out.push_back({d.index, d.name, d.cc_major, d.cc_minor, d.uuid, d.pci_bus_id});
  }
  return out;
}

std::string driver_version(const Snapshot& s) {
  if (!s.kernel.version.empty()) return s.kernel.version;
  if (!s.nvml.driver_version.empty()) return s.nvml.driver_version;
  if (!s.cuda.library_version.empty() && !contains(s.cuda.library_path, "/stubs/")) return s.cuda.library_version;
  return "";
}

int cuda_driver_api(const Snapshot& s) {
  if (s.cuda.driver_version > 0) return s.cuda.driver_version;
  return s.nvml.cuda_driver_version > 0 ? s.nvml.cuda_driver_version : 0;
}

namespace {

// Not recorded: nothing to hold against it. Otherwise SASS or PTX of the list must run on the GPU.
bool arch_covers(const std::vector<std::string>& arch_list, int cc_major, int cc_minor) {
  return arch_list.empty() || target_coverage(arch_list, {cc_major, cc_minor}) != TargetCoverage::None;
}

bool finding_is_about(const Finding& f, const Interpreter& interp, const Framework& fw) {
  if (f.subject.empty()) return false;
  if (!fw.location.empty() && (f.subject == fw.location || contains(f.subject, fw.location))) return true;
  return !interp.path.empty() && f.subject == interp.path;
}

}  // namespace

FrameworkReadiness framework_readiness(const Snapshot& s, const std::vector<Finding>& findings,
                                       const Interpreter& interp, const Framework& fw) {
  FrameworkReadiness r{&interp, &fw, false, ""};
  if (!fw.cuda_build) return r.reason = "CPU-only build", r;
  if (s.cuda.status != ProbeStatus::Ok || s.cuda.device_count <= 0 || s.cuda.devices.empty())
    return r.reason = "the CUDA driver sees no GPU", r;
  if (!fw.cuda_version.empty()) {
    auto need = Version::parse(fw.cuda_version);
    int api = cuda_driver_api(s);
    if (need && api > 0 && need->major() > api / 1000)
      return r.reason = "driver supports CUDA " + cuda_version_string(api) + ", build needs " + fw.cuda_version, r;
  }
  for (auto& d : s.cuda.devices)
    if (!arch_covers(fw.arch_list, d.cc_major, d.cc_minor))
      return r.reason = "no kernels for compute capability " + std::to_string(d.cc_major) + "." +
                        std::to_string(d.cc_minor),
             r;
  for (auto& f : findings)
    if (f.severity == Severity::Error && finding_is_about(f, interp, fw)) return r.reason = f.id, r;
  r.ready = true;
  r.reason = "ready";
  return r;
}

std::vector<FrameworkReadiness> all_framework_readiness(const Snapshot& s, const std::vector<Finding>& findings) {
  std::vector<FrameworkReadiness> out;
  auto& in = s.python.interpreters;
  auto add = [&](const Interpreter& i) {
    for (auto& fw : i.frameworks) out.push_back(framework_readiness(s, findings, i, fw));
  };
  if (s.python.active >= 0 && size_t(s.python.active) < in.size()) add(in[size_t(s.python.active)]);
  for (size_t i = 0; i < in.size(); ++i)
    if (int(i) != s.python.active) add(in[i]);
  return out;
}

std::vector<FrameworkReadiness> node_framework_readiness(const Snapshot& s, const std::vector<Finding>& findings) {
  std::vector<FrameworkReadiness> out;
  for (auto& r : all_framework_readiness(s, findings))
    if (std::none_of(out.begin(), out.end(), [&](auto& o) { return o.framework->name == r.framework->name; }))
      out.push_back(r);
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.framework->name < b.framework->name; });
  return out;
}

}  // namespace gpuenv
