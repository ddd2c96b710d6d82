// deep.*: what the frameworks did when doctor --deep imported them (snapshot.deep), their stderr
// mapped through the explain matcher, and where that contradicts gpuenv's static verdict.
#include <fmt/format.h>

#include <algorithm>

#include "checks/check.hpp"
#include "checks/explain.hpp"
#include "checks/facts.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

namespace {

// The static picture of the framework a deep result is about: the copy that wins on that interpreter's sys.path.
const Framework* static_framework(const Snapshot& s, const DeepResult& r, const Interpreter** py_out = nullptr) {
  for (auto& py : s.python.interpreters) {
    if (py.path != r.interpreter) continue;
    for (auto& fw : py.frameworks)
      if (fw.name == r.framework && fw.shadowed_by.empty()) {
        if (py_out) *py_out = &py;
        return &fw;
      }
  }
  return nullptr;
}

// The known messages in what the framework printed, most severe first (file order within a severity).
std::vector<Explanation> causes(const CheckInput& in, const DeepResult& r) {
  std::string text = r.stderr_tail;
  if (!r.error.empty()) text += "\n" + r.error;
  ExplainContext ctx{&in.snap, nullptr};
  auto es = explain_log(text, in.know, ctx);
  std::stable_sort(es.begin(), es.end(), [](const Explanation& a, const Explanation& b) {
    return static_cast<int>(a.finding.severity) < static_cast<int>(b.finding.severity);
  });
  // Harmless noise is not a cause.
  es.erase(std::remove_if(es.begin(), es.end(), [](auto& e) { return e.finding.severity == Severity::Info; }), es.end());
  return es;
}

std::string last_lines(const std::string& s, size_t n) {
  auto lines = split_lines(s);
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  if (lines.size() > n) lines.erase(lines.begin(), lines.end() - long(n));
  return join(lines, "\n");
}

void add_common(Finding& f, const DeepResult& r) {
  f.subject = r.interpreter;
  if (!r.version.empty()) f.add("version", r.version + (r.cuda_version.empty() ? "" : ", CUDA " + r.cuda_version));
  f.add("stage reached", r.stage);
  if (!r.error.empty()) f.add("error", r.error);
  auto tail = last_lines(r.stderr_tail, 6);
  if (!tail.empty()) f.add("stderr (end)", tail);
  f.add("took", fmt::format("{:.1f} s", r.duration_ms / 1000));
}

void add_causes(Finding& f, const std::vector<Explanation>& es) {
  for (auto& e : es) f.add("recognised", fmt::format("{} [{}] ({})", e.finding.title, e.finding.id, e.match.text));
  if (es.empty()) return;
  const auto& best = es.front().finding;
  for (auto& m : es.front().machine) f.add("this machine", m.starts_with("this machine: ") ? m.substr(14) : m);
  f.cause = best.cause;
  f.fix = best.fix;
}

std::string rerun_fix(const DeepResult& r) {
  const char* mod = r.framework == "tensorflow" ? "tensorflow" : r.framework.c_str();
  return fmt::format("{} -c 'import {}'   # run it yourself to see the whole error; gpuenv explain reads the output",
                     shell_quote(r.interpreter), mod);
}

void check_failed(const CheckInput& in, Emitter& e) {
  for (auto& r : in.snap.deep.results) {
    if (r.status == "ok") continue;
    auto es = causes(in, r);
    std::string what = r.status == "timeout" ? fmt::format("did not finish within {:g} s (at stage {})", in.snap.deep.timeout_s, r.stage)
                       : r.stage == "op" ? "sees the GPU but the GPU operation failed"
                       : r.stage == "import" || r.stage == "start" ? "cannot be imported"
                                                                     : "failed";
    auto& f = e.emit(fmt::format("{} {}", r.framework, what));
    add_common(f, r);
    add_causes(f, es);
    if (f.cause.empty()) {
      f.cause = r.status == "timeout"
                    ? "The import or the first GPU call hangs: often a GPU in a bad state, a network file system, or a lock held by another process."
                    : r.error.empty() ? "The interpreter ended without reporting." : "The framework raised: " + r.error;
      f.fix = rerun_fix(r);
    }
  }
}

bool hidden_by_visible_devices(const Snapshot& s, std::string& why) {
  const std::string* v = s.getenv("CUDA_VISIBLE_DEVICES");
  if (!v) return false;
  std::string t(trim(*v));
  if (t.empty()) why = "CUDA_VISIBLE_DEVICES is set to an empty string, which hides every GPU from CUDA";
  else if (t == "-1" || t == "NoDevFiles") why = "CUDA_VISIBLE_DEVICES=" + t + " hides every GPU from CUDA";
  else return false;
  return true;
}

void check_no_gpu(const CheckInput& in, Emitter& e) {
  const Snapshot& s = in.snap;
  for (auto& r : s.deep.results) {
    if (r.status != "ok" || r.device_count != 0) continue;
    bool machine_has_gpu = gpu_expected(s) || physical_gpu_count(s) > 0;
    Severity sev = machine_has_gpu ? Severity::Error : Severity::Info;
    auto& f = e.emit(fmt::format("{} {} imports, but sees no GPU{}", r.framework, r.version,
                                 machine_has_gpu ? "" : " (this machine has none)"),
                     sev);
    add_common(f, r);
    f.add("CUDA build", r.cuda_build ? "yes" : "no");
    std::string why;
    auto es = causes(in, r);
    if (hidden_by_visible_devices(s, why)) {
      f.cause = why + "; the framework's process inherits it.";
      f.fix = "unset CUDA_VISIBLE_DEVICES   # or export CUDA_VISIBLE_DEVICES=0 (the GPUs to use)";
      for (auto& x : es) f.add("recognised", fmt::format("{} [{}]", x.finding.title, x.finding.id));
    } else if (!r.cuda_build) {
      f.cause = fmt::format("This {} is a CPU-only build{}.", r.framework,
                            r.framework == "torch" ? " (torch.version.cuda is None)" : "");
      f.fix = machine_has_gpu ? "Install a CUDA build of " + r.framework + " (gpuenv doctor's framework checks name the exact command)"
                              : "Nothing to fix on a machine without an NVIDIA GPU";
      for (auto& x : es) f.add("recognised", fmt::format("{} [{}]", x.finding.title, x.finding.id));
    } else {
      add_causes(f, es);
      if (f.cause.empty()) {
        f.cause = machine_has_gpu ? "The framework found no usable GPU and printed no known reason."
                                  : "This machine has no NVIDIA GPU.";
        f.fix = machine_has_gpu ? rerun_fix(r) : "Nothing to fix on a machine without an NVIDIA GPU";
      }
    }
  }
}

// Static verdict for one framework: will it use the GPU? Errors of the checks about it, or about the
// whole stack, say no.
struct StaticVerdict {
  bool known = false;
  bool gpu_ok = false;
  std::string reason;  // the finding or fact behind a "no"
};

StaticVerdict static_verdict(const CheckInput& in, const Framework& fw, const std::vector<Finding>& findings) {
  StaticVerdict v;
  v.known = true;
  const Snapshot& s = in.snap;
  if (!fw.cuda_build) {
    v.reason = "the static probe read a CPU-only build";
    return v;
  }
  if (!cuda_works(s)) {
    v.reason = "the driver probe saw no working GPU (" + std::string(to_string(s.cuda.status)) + ")";
    return v;
  }
  for (auto& f : findings) {
    if (f.severity != Severity::Error) continue;
    bool stack_wide = f.id.starts_with("driver.") || f.id.starts_with("gpu.");
    bool about_it = f.subject == fw.name || (!fw.location.empty() && contains(f.subject, fw.location)) ||
                    ((f.id.starts_with("framework.") || f.id.starts_with("toolkit.")) &&
                     (contains(f.title, fw.name) || contains(f.subject, fw.name)));
    if (stack_wide || about_it) {
      v.reason = fmt::format("{} [{}]", f.title, f.id);
      return v;
    }
  }
  v.gpu_ok = true;
  return v;
}

void check_disagrees(const CheckInput& in, Emitter& e) {
  const Snapshot& s = in.snap;
  if (s.deep.results.empty() || !in.static_findings) return;
  auto& findings = *in.static_findings;
  for (auto& r : s.deep.results) {
    const Interpreter* py = nullptr;
    const Framework* fw = static_framework(s, r, &py);
    if (!fw) continue;
    std::vector<std::string> diffs;
    if (r.status == "ok" || r.stage != "import") {
      if (!fw->version.empty() && !r.version.empty() && fw->version != r.version)
        diffs.push_back(fmt::format("version: static {}, imported {}", fw->version, r.version));
      if (!fw->location.empty() && !r.location.empty() && normalize_path(fw->location) != normalize_path(r.location))
        diffs.push_back(fmt::format("location: static {}, imported {}", fw->location, r.location));
      // torch and TensorFlow record their build in files and report it at run time; for JAX and CuPy the
      // static "CUDA build" comes from distribution names, the run-time one from what imports.
      if ((r.framework == "torch" || r.framework == "tensorflow") && fw->cuda_build != r.cuda_build)
        diffs.push_back(fmt::format("CUDA build: static {}, imported {}", fw->cuda_build ? "yes" : "no", r.cuda_build ? "yes" : "no"));
      if (r.framework == "torch" && !fw->cuda_version.empty() && !r.cuda_version.empty() &&
          major_minor(fw->cuda_version) != major_minor(r.cuda_version))
        diffs.push_back(fmt::format("CUDA version: static {}, imported {}", fw->cuda_version, r.cuda_version));
    }
    auto v = static_verdict(in, *fw, findings);
    bool deep_gpu_ok = r.status == "ok" && r.device_count > 0;
    bool deep_no_gpu_explained = false;
    std::string why;
    if (hidden_by_visible_devices(s, why)) deep_no_gpu_explained = true;
    if (v.known && v.gpu_ok && !deep_gpu_ok && !deep_no_gpu_explained && r.status != "timeout")
      diffs.push_back(fmt::format("verdict: static analysis found no problem for {}, but it {}", r.framework,
                                  r.status == "ok" ? "sees no GPU" : "failed"));
    if (v.known && !v.gpu_ok && deep_gpu_ok && fw->cuda_build)
      diffs.push_back(fmt::format("verdict: static analysis says {} cannot use the GPU ({}), but it ran on the GPU", r.framework,
                                  v.reason));
    if (diffs.empty()) continue;
    auto& f = e.emit(fmt::format("gpuenv's static analysis and the real import of {} disagree", r.framework));
    f.subject = r.interpreter;
    for (auto& d : diffs) f.add("differs", d);
    f.add("static", fmt::format("{} {} at {}", fw->name, fw->version, fw->location));
    f.add("imported", fmt::format("{} {} at {} ({}, {} GPU{})", r.framework, r.version, r.location, r.status,
                                  std::max(r.device_count, 0), r.device_count == 1 ? "" : "s"));
    f.cause = "gpuenv predicted something other than what happened when the framework ran: this is a gpuenv bug (its model of "
              "sys.path, the build or the loader is wrong here), please report it (where: 'Reporting problems' in gpuenv's "
              "README).";
    f.fix = "gpuenv doctor --deep --markdown --redact > gpuenv-report.md   # attach it to your report";
  }
}

}  // namespace

void add_deep_checks(std::vector<CheckDef>& out) {
  out.push_back({"deep.framework-failed", Severity::Error,
                 "--deep: a framework could not be imported, its GPU operation failed, or it hung (with the recognised cause)",
                 check_failed});
  out.push_back({"deep.no-gpu-seen", Severity::Error,
                 "--deep: a framework imports but sees no GPU (CUDA_VISIBLE_DEVICES, a CPU-only build, a recognised cause)",
                 check_no_gpu});
  out.push_back({"deep.static-disagrees", Severity::Warning,
                 "--deep: the real import contradicts gpuenv's static verdict (version, location, build, GPU use): a gpuenv bug",
                 check_disagrees});
}

}  // namespace gpuenv
