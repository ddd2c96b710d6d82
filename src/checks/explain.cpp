#include "checks/explain.hpp"
#include "checks/recommend.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "checks/check.hpp"
#include "checks/facts.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

namespace {

Severity severity_of(const std::string& s) {
  Severity out = Severity::Error;
  parse_severity(s, out);
  return out;
}

std::string lines_text(const std::vector<int>& lines) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < lines.size() && i < 8; ++i) parts.push_back(std::to_string(lines[i]));
  std::string s = join(parts, ", ");
  if (lines.size() > 8) s += fmt::format(" (+{} more)", lines.size() - 8);
  return s;
}

// The driver's version and the CUDA it supports, from the snapshot.
std::string driver_version(const Snapshot& s) {
  if (!s.nvml.driver_version.empty()) return s.nvml.driver_version;
  if (!s.cuda.library_version.empty()) return s.cuda.library_version;
  return s.kernel.version;
}
int driver_cuda(const Snapshot& s) {
  if (s.cuda.driver_version > 0) return s.cuda.driver_version;
  return s.nvml.cuda_driver_version;
}

struct FrameworkRef {
  const Interpreter* py;
  const Framework* fw;
};
std::vector<FrameworkRef> frameworks(const Snapshot& s) {
  std::vector<FrameworkRef> out;
  for (auto& py : s.python.interpreters)
    for (auto& fw : py.frameworks)
      if (fw.shadowed_by.empty()) out.push_back({&py, &fw});
  return out;
}

void narrow_driver(Explanation& e, const Knowledge& k, const Snapshot& s) {
  std::string drv = driver_version(s);
  int dc = driver_cuda(s);
  if (drv.empty() && dc <= 0) {
    e.machine.push_back("this machine: no NVIDIA driver found");
    return;
  }
  std::string newest = drv.empty() ? "" : k.newest_cuda_for_driver(drv);
  std::string supports = dc > 0 ? cuda_version_string(dc) : newest;
  e.machine.push_back(fmt::format("this machine: driver {} supports CUDA {}", drv.empty() ? "?" : drv, supports.empty() ? "?" : supports));
  std::vector<std::string> fixes;
  for (auto& [py, fw] : frameworks(s)) {
    if (!fw->cuda_build || fw->cuda_version.empty()) {
      if (e.match.fact->id == "explain.torch-not-compiled-with-cuda" && fw->name == "torch")
        e.machine.push_back(fmt::format("{} {} in {} is a CPU-only build", fw->name, fw->version, py->path));
      continue;
    }
    auto ds = k.driver_supports_cuda(drv, fw->cuda_version);
    if (!ds.known) continue;
    if (ds.runs) {
      e.machine.push_back(fmt::format("{} {} (CUDA {}) runs on this driver{}", fw->name, fw->version, fw->cuda_version,
                                      ds.minor_compat ? " through minor-version compatibility" : ""));
      continue;
    }
    e.machine.push_back(fmt::format("{} {} in {} is built for CUDA {}: it needs driver >= {} (this one is {})", fw->name,
                                    fw->version, py->path, fw->cuda_version, ds.minimum, drv));
    std::string fix = fmt::format("# {}: upgrade the NVIDIA driver to >= {}", fw->name, ds.minimum);
    // Or the build that runs on this driver, with the exact command (knowledge: frameworks.toml).
    auto q = build_query(s, k, py, fw->name);
    for (auto& part : split(fw->distribution, '+', false))
      if (auto n = std::string(trim(part)); !n.empty()) q.uninstall.push_back(n);
    if (q.uninstall.empty()) q.uninstall.push_back(fw->name);
    auto advice = recommend_build(k, q);
    if (advice.found && advice.gpu && !advice.command.empty())
      fix += fmt::format("\n# or keep the driver and install {} {} {} (CUDA {}):\n{}", fw->name, advice.release, advice.variant,
                         advice.cuda, advice.command);
    else if (!supports.empty())
      fix += fmt::format(", or install a {} build for CUDA {} or older", fw->name, supports);
    fixes.push_back(fix);
  }
  if (!fixes.empty()) e.finding.fix = join(fixes, "\n");
}

void narrow_gpu(Explanation& e, const Snapshot& s) {
  std::string sm = e.match.capture("sm");
  auto add = [&](int idx, const std::string& name, int maj, int min) {
    if (maj <= 0) return;
    std::string this_sm = fmt::format("sm_{}{}", maj, min);
    e.machine.push_back(fmt::format("this machine: GPU {} {} is compute capability {}.{} ({}){}", idx, name, maj, min, this_sm,
                                    !sm.empty() && sm != this_sm ? " - the log is about another GPU" : ""));
  };
  if (!s.cuda.devices.empty())
    for (auto& d : s.cuda.devices) add(d.index, d.name, d.cc_major, d.cc_minor);
  else
    for (auto& d : s.nvml.devices) add(d.index, d.name, d.cc_major, d.cc_minor);
  if (s.cuda.devices.empty() && s.nvml.devices.empty()) e.machine.push_back("this machine: no NVIDIA GPU seen by the driver");
  // Which frameworks record the architectures they cover.
  for (auto& [py, fw] : frameworks(s)) {
    if (fw->arch_list.empty()) continue;
    std::string covers = join(fw->arch_list, " ");
    e.machine.push_back(fmt::format("{} {} covers {}", fw->name, fw->version, covers));
  }
}

void narrow_visible(Explanation& e, const Snapshot& s) {
  const std::string* v = s.getenv("CUDA_VISIBLE_DEVICES");
  int gpus = physical_gpu_count(s);
  if (v && trim(*v).empty()) {
    e.machine.push_back("this machine: CUDA_VISIBLE_DEVICES is set to an empty string, which hides every GPU");
    e.finding.fix = "unset CUDA_VISIBLE_DEVICES   # or export CUDA_VISIBLE_DEVICES=0";
  } else if (v && (*v == "-1" || *v == "NoDevFiles")) {
    e.machine.push_back("this machine: CUDA_VISIBLE_DEVICES=" + *v + " hides every GPU");
    e.finding.fix = "unset CUDA_VISIBLE_DEVICES   # or export CUDA_VISIBLE_DEVICES=0";
  } else if (v) {
    e.machine.push_back(fmt::format("this machine: CUDA_VISIBLE_DEVICES={} with {} GPU(s) present", *v, gpus));
  } else if (gpu_expected(s)) {
    e.machine.push_back(fmt::format("this machine: {} GPU(s), CUDA_VISIBLE_DEVICES not set", gpus));
  } else {
    e.machine.push_back("this machine: no NVIDIA GPU found");
  }
}

void narrow_library(Explanation& e, const Knowledge& k, const Snapshot* s) {
  // The library the message names: the one missing, or the one an older copy of which wins.
  std::string lib = e.match.capture("library");
  if (lib.empty()) lib = e.match.capture("provider");
  if (lib.empty()) return;
  auto* fam = k.library_family_for_file(lib);
  if (!fam) return;
  // Package names: the pip names per CUDA major, and apt/conda/nix.
  std::vector<std::string> pkgs;
  for (auto& [major, name] : fam->pip) pkgs.push_back("pip " + name + " (CUDA " + major + ")");
  if (!fam->conda.empty()) pkgs.push_back("conda " + fam->conda);
  if (!fam->nix.empty()) pkgs.push_back("nix " + fam->nix);
  // Installed but unreachable: the package is there, naming it as the fix would mislead.
  if (!pkgs.empty() && e.match.capture("found_at").empty()) e.finding.add("provided by", fam->display + ": " + join(pkgs, "; "));
  if (!s) return;
  std::vector<std::string> copies;
  for (auto& c : s->libraries.copies)
    if (c.name == fam->name && !c.stub)
      copies.push_back(fmt::format("{}{} [{}]", c.path, c.version.empty() ? "" : " " + c.version, c.origin));
  if (copies.empty())
    e.machine.push_back(fmt::format("this machine: no copy of {} found", fam->display));
  else
    for (auto& c : copies) e.machine.push_back("this machine: " + fam->display + " at " + c);
  if (copies.size() > 1 && !e.match.capture("provider").empty())
    e.machine.push_back(fmt::format("this machine: {} copies of {}; the loader takes the first on its search path", copies.size(),
                                    fam->display));
}

// NCCL: the NCCL_* variables preset here, and the shared memory a single machine's ranks share.
void narrow_nccl(Explanation& e, const Snapshot& s) {
  std::vector<std::string> vars;
  for (auto& [k, v] : s.env)
    if (k.starts_with("NCCL_")) vars.push_back(k + "=" + v);
  e.machine.push_back(vars.empty() ? "this machine: no NCCL_* variable is set"
                                   : "this machine: " + join(vars, " ") + " (preset values apply to every run)");
  if (s.host.shm_bytes > 0)
    e.machine.push_back(fmt::format("this machine: /dev/shm is {} MiB{}", s.host.shm_bytes >> 20,
                                    s.host.shm_bytes <= (64ull << 20) ? " (the container default; NCCL needs more with several GPUs)" : ""));
}

void narrow_shm(Explanation& e, const Snapshot& s) {
  if (s.host.shm_bytes == 0) {
    e.machine.push_back("this machine: the size of /dev/shm is unknown");
    return;
  }
  bool small = s.host.shm_bytes <= (256ull << 20);
  e.machine.push_back(fmt::format("this machine: /dev/shm is {} MiB{}{}", s.host.shm_bytes >> 20,
                                  s.host.container.empty() ? "" : " in a " + s.host.container + " container",
                                  small ? ": too small for DataLoader workers or NCCL" : ""));
}

void narrow_container(Explanation& e, const Snapshot& s) {
  if (!s.host.container.empty())
    e.machine.push_back("this machine: runs inside a " + s.host.container + " container (the message comes from its host)");
  else
    e.machine.push_back("this machine: not a container");
  std::string drv = driver_version(s);
  e.machine.push_back(drv.empty() ? "this machine: no NVIDIA driver found" : "this machine: NVIDIA driver " + drv);
}

void narrow_toolkit(Explanation& e, const Snapshot& s) {
  const std::string* home = s.getenv("CUDA_HOME");
  e.machine.push_back(home ? "this machine: CUDA_HOME=" + *home : "this machine: CUDA_HOME is not set");
  if (s.toolkit.toolkits.empty()) e.machine.push_back("this machine: no CUDA toolkit found (no nvcc)");
  for (auto& t : s.toolkit.toolkits)
    e.machine.push_back(fmt::format("this machine: CUDA toolkit {} at {}{}", t.version.empty() ? "?" : t.version, t.path,
                                    t.nvcc.empty() ? " (no nvcc)" : ""));
  for (auto& [py, fw] : frameworks(s))
    if (fw->name == "torch" && fw->cuda_build)
      e.machine.push_back(fmt::format("torch {} is built with CUDA {}: extensions need a toolkit of that major", fw->version,
                                      fw->cuda_version));
}

void narrow_nix(Explanation& e, const Snapshot& s) {
  bool nixos = s.host.os_id == "nixos";
  e.machine.push_back(nixos ? "this machine: NixOS" : "this machine: not NixOS (" + (s.host.os_id.empty() ? std::string("?") : s.host.os_id) + ")");
  std::vector<std::string> drivers;
  for (auto& c : s.libraries.copies)
    if (c.name == "cuda" && !c.stub) drivers.push_back(c.path + " [" + c.origin + "]");
  e.machine.push_back(drivers.empty() ? "this machine: no libcuda found (NixOS: /run/opengl-driver/lib)"
                                      : "this machine: libcuda at " + join(drivers, ", "));
  if (!s.nix.wrappers.empty()) e.machine.push_back("this machine: driver wrappers on PATH: " + join(s.nix.wrappers, ", "));
}

void narrow_frameworks(Explanation& e, const Snapshot& s) {
  auto fws = frameworks(s);
  if (fws.empty()) e.machine.push_back("this machine: no GPU framework found in the Pythons on PATH");
  for (auto& [py, fw] : fws)
    e.machine.push_back(fmt::format("{} {} in {}{}", fw->name, fw->version, py->path,
                                    fw->cuda_build ? " (CUDA " + fw->cuda_version + ")" : " (CPU-only build)"));
}

}  // namespace

Explanation explain_match(const MessageMatch& m, const Knowledge& k, const ExplainContext& ctx) {
  Explanation e;
  e.match = m;
  const MessageFact& f = *m.fact;
  Finding& fd = e.finding;
  // The check's ID when this build has that check (framework.* and toolkit.* arrive with the framework
  // checks), else the entry's own explain.* ID.
  fd.id = !f.check.empty() && find_check(f.check) ? f.check : f.id;
  fd.severity = severity_of(f.severity);
  fd.title = expand_message_template(f.title, m.captures);
  fd.subject = (m.lines.size() > 1 ? "lines " : "line ") + lines_text(m.lines);
  fd.cause = expand_message_template(f.cause, m.captures);
  fd.fix = expand_message_template(f.fix, m.captures);
  fd.add("message", m.text);
  for (auto& [name, value] : m.captures)
    if (!value.empty()) fd.add(name, value);
  fd.add("printed by", f.emitter);
  if (fd.id != f.id) fd.add("entry", f.id);
  fd.add("source", f.source);

  if (f.narrow == "library") narrow_library(e, k, ctx.snap);
  if (ctx.snap) {
    const Snapshot& s = *ctx.snap;
    if (f.narrow == "driver") narrow_driver(e, k, s);
    else if (f.narrow == "gpu") narrow_gpu(e, s);
    else if (f.narrow == "visible-devices") narrow_visible(e, s);
    else if (f.narrow == "nccl") narrow_nccl(e, s);
    else if (f.narrow == "shm") narrow_shm(e, s);
    else if (f.narrow == "container") narrow_container(e, s);
    else if (f.narrow == "toolkit") narrow_toolkit(e, s);
    else if (f.narrow == "nix") narrow_nix(e, s);
    else if (f.narrow == "frameworks") narrow_frameworks(e, s);
  }
  if (ctx.findings) {
    std::vector<std::string> ids;
    if (!f.check.empty()) ids.push_back(f.check);
    ids.insert(ids.end(), f.related.begin(), f.related.end());
    for (auto& other : *ctx.findings)
      if (std::find(ids.begin(), ids.end(), other.id) != ids.end()) e.confirmed.push_back(other);
    if (!e.confirmed.empty()) {
      // The machine's own finding knows the exact fix (paths, versions, the export line).
      const Finding& best = e.confirmed.front();
      e.machine.push_back(fmt::format("gpuenv doctor on this machine: {} [{}]", best.title, best.id));
      if (!best.fix.empty()) fd.fix = best.fix;
      if (!best.cause.empty()) fd.cause += "\nOn this machine: " + best.cause;
    } else if (fd.id != f.id) {
      e.snapshot_disagrees = true;
      e.machine.push_back("gpuenv doctor does not see this problem on this machine now (the log may come from another "
                          "machine, another environment, or an earlier state)");
    }
  }
  for (auto& line : e.machine) fd.add("this machine", line.starts_with("this machine: ") ? line.substr(14) : line);
  return e;
}

std::vector<Explanation> explain_log(std::string_view log, const Knowledge& k, const ExplainContext& ctx) {
  std::vector<Explanation> out;
  for (auto& m : match_messages(k, log)) out.push_back(explain_match(m, k, ctx));
  return out;
}

}  // namespace gpuenv
