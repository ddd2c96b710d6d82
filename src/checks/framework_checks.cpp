// GPU framework builds read from site-packages (snapshot.python, filled without importing anything) against
// this machine's driver, GPUs and Python, using src/knowledge/frameworks.toml. Where the library analysis
// (library_checks.cpp) has the real answer for a framework -- the CUDA runtime it loads, the GPU code in
// its files -- these checks leave that symptom to it and stay quiet.
#include <algorithm>
#include <map>
#include <set>

#include "checks/check.hpp"
#include "checks/facts.hpp"
#include "checks/recommend.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

namespace {

std::string driver_of(const Snapshot& s) { return !s.kernel.version.empty() ? s.kernel.version : s.nvml.driver_version; }

bool gpu_usable(const Snapshot& s) { return cuda_works(s) || (gpu_expected(s) && s.kernel.loaded); }

std::string gpu_names(const Snapshot& s, const Knowledge& k) {
  std::vector<std::string> names;
  auto add = [&](const std::string& n, int maj, int min) {
    std::string v = n + (maj ? " (compute capability " + std::to_string(maj) + "." + std::to_string(min) + ")" : "");
    if (std::find(names.begin(), names.end(), v) == names.end()) names.push_back(v);
  };
  for (auto& d : s.cuda.devices) add(d.name, d.cc_major, d.cc_minor);
  if (names.empty())
    for (auto& d : s.nvml.devices) add(d.name, d.cc_major, d.cc_minor);
  if (names.empty())
    for (auto& p : s.pci)
      if (p.vendor_id == "0x10de") {
        auto* g = k.gpu_by_device_id(p.device_id);
        names.push_back(g ? g->name + " (compute capability " + g->cc + ")" : "NVIDIA " + p.device_id);
      }
  return names.empty() ? "NVIDIA GPU" : join(names, ", ");
}


// The library analysis of this framework, when the library probe made one.
const Consumer* consumer_for(const Snapshot& s, const Framework& fw) {
  const Consumer* only = nullptr;
  int n = 0;
  for (auto& c : s.libraries.consumers) {
    if (c.kind != "framework" || c.name != fw.name) continue;
    if (!fw.location.empty() && c.location == dir_name(fw.location)) return &c;
    only = &c;
    ++n;
  }
  return n == 1 ? only : nullptr;
}

bool consumer_loads_runtime(const Consumer* c) {
  if (!c) return false;
  return std::any_of(c->loads.begin(), c->loads.end(),
                     [](auto& r) { return r.family == "cudart" && !r.path.empty() && !r.version.empty(); });
}

bool consumer_has_kernels(const Consumer* c) {
  if (!c) return false;
  return std::any_of(c->kernels.begin(), c->kernels.end(),
                     [](auto& k) { return k.error.empty() && (!k.sass.empty() || !k.ptx.empty()); });
}

BuildQuery query(const CheckInput& in, const Interpreter& py, const Framework& fw) {
  auto q = build_query(in.snap, in.know, &py, fw.name);
  q.prefer_release = major_minor(fw.version);
  return q;
}

// The query for replacing the installed build: its distributions are removed first (pip would keep
// torch 2.5.1+cpu as satisfying torch==2.5.*; two CuPy packages or JAX plugins must not coexist).
BuildQuery replace_query(const CheckInput& in, const Interpreter& py, const Framework& fw) {
  auto q = query(in, py, fw);
  for (auto& part : split(fw.distribution, '+', false))
    if (auto n = std::string(trim(part)); !n.empty()) q.uninstall.push_back(n);
  if (q.uninstall.empty()) q.uninstall.push_back(fw.name);
  return q;
}

// The fix line for "install a different build": the recommendation, or why there is none.
std::string build_fix(const BuildAdvice& a) {
  if (a.found && !a.command.empty()) return a.command;
  return "# " + a.reason;
}

// --- framework.cpu-only-build ---------------------------------------------------------------------------

void cpu_only_build(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (!gpu_usable(s)) return;
  each_framework(s, [&](const Interpreter& py, const Framework& fw) {
    if (fw.cuda_build || fw.name == "cupy") return;
    // A CUDA copy is installed but this one comes first on sys.path: framework.shadowed names that, with the
    // fix that removes the copy in front (reinstalling here would replace the CUDA copy, not this one).
    for (auto& o : py.frameworks)
      if (o.name == fw.name && o.shadowed_by == fw.location && o.cuda_build) return;
    bool rocm = fw.variant.starts_with("rocm");
    auto& f = e.emit(label(fw) + " is a " + (rocm ? "ROCm (AMD)" : "CPU-only") + " build, but this machine has a usable NVIDIA GPU");
    f.subject = fw.location;
    f.add("framework", label(fw) + (fw.variant.empty() ? "" : " (" + fw.variant + ")"));
    f.add("location", fw.location);
    if (!fw.distribution.empty()) f.add("distribution", fw.distribution);
    f.add("interpreter", py.path + (py.version.empty() ? "" : " (Python " + py.version + ")"));
    f.add("GPU", gpu_names(s, in.know));
    bool debian = false;
    for (auto& d : py.distributions)
      if (d.name == fw.distribution && d.installer == "debian") debian = true;
    if (fw.name == "torch")
      f.cause = std::string(debian ? "Debian's python3-torch is built without CUDA" : "This torch was built without CUDA") +
                " (torch.version.cuda is None): torch.cuda.is_available() is False and moving a tensor to 'cuda' "
                "raises \"Torch not compiled with CUDA enabled\".";
    else if (fw.name == "tensorflow")
      f.cause = "This TensorFlow package has no CUDA support (is_cuda_build is False in its build_info): "
                "tf.config.list_physical_devices('GPU') is empty and everything runs on the CPU.";
    else if (fw.name == "jax")
      f.cause = "Only the CPU jaxlib is installed (no jax-cuda plugin): JAX warns \"An NVIDIA GPU may be present on "
                "this machine, but a CUDA-enabled jaxlib is not installed. Falling back to cpu.\"";
    else
      f.cause = "The installed build of " + fw.name + " has no CUDA support, so the GPU is never used.";
    if (rocm) f.cause += " ROCm builds drive AMD GPUs only.";
    auto advice = recommend_build(in.know, replace_query(in, py, fw));
    f.fix = build_fix(advice);
    // A copy from PYTHONPATH or the user site is not the environment's own: pip in the environment would
    // install beside it and leave it in front.
    auto site = dir_name(fw.location);
    auto origin = origin_of(py, site);
    if (origin == "PYTHONPATH") {
      f.fix = path_list_without(s, "PYTHONPATH", {site}) + "   (" + site + " on PYTHONPATH holds this copy)\nthen: " + f.fix;
    } else if (origin == "user-site") {
      f.fix = "export PYTHONNOUSERSITE=1, or remove the user copy: " + py.path + " -m pip uninstall " +
              (fw.distribution.empty() ? fw.name : split(fw.distribution, ' ', false)[0]) + "\nthen: " + f.fix;
    }
  });
}

// --- framework.cuda-too-new-for-driver ------------------------------------------------------------------

void cuda_too_new(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  std::string driver = driver_of(s);
  int driver_cuda = s.cuda.driver_version ? s.cuda.driver_version : s.nvml.cuda_driver_version;
  if (driver.empty() && !driver_cuda) return;
  each_framework(s, [&](const Interpreter& py, const Framework& fw) {
    if (!fw.cuda_build || fw.cuda_version.empty()) return;
    // The runtime the loader really picks is library.driver-too-old's to judge.
    if (consumer_loads_runtime(consumer_for(s, fw))) return;
    DriverSupport d;
    if (!driver.empty()) d = in.know.driver_supports_cuda(driver, fw.cuda_version);
    if (!d.known) {
      auto fv = Version::parse(fw.cuda_version);
      if (!fv || !driver_cuda) return;
      // Only the driver's CUDA is known: another major cannot run; the same major can (minor compatibility).
      if (fv->major() <= driver_cuda / 1000) return;
      d.known = true;
      d.minimum = in.know.minor_compat_driver(fv->major());
      d.needed = in.know.cuda_release(fw.cuda_version) ? in.know.cuda_release(fw.cuda_version)->toolkit_driver : d.minimum;
    } else if (d.runs) {
      return;
    }
    // A forward-compatibility libcuda (cuda-compat) new enough for it lets it run.
    if (contains(s.cuda.library_path, "/compat/") && !s.cuda.library_version.empty() &&
        in.know.driver_supports_cuda(s.cuda.library_version, fw.cuda_version).runs)
      return;
    std::string cuda = major_minor(fw.cuda_version);
    std::string drv = driver.empty() ? "the installed driver" : "driver " + driver;
    if (driver_cuda) drv += " (CUDA " + cuda_version_string(driver_cuda) + ")";
    auto& f = e.emit(label(fw) + " is built for CUDA " + cuda + ", which " + drv + " cannot run");
    f.subject = fw.location;
    f.add("framework", label(fw) + " at " + fw.location);
    f.add("built for", "CUDA " + fw.cuda_version);
    f.add("driver", driver.empty() ? "unknown version" : driver);
    if (driver_cuda) f.add("driver supports", "CUDA " + cuda_version_string(driver_cuda));
    if (!d.minimum.empty())
      f.add("needs", "driver >= " + d.minimum +
                         (d.minimum != d.needed && !d.needed.empty()
                              ? " (minor-version compatibility; " + d.needed + " for every feature)"
                              : ""));
    f.cause = "Even with CUDA minor-version compatibility this driver is too old for the CUDA runtime " + fw.name +
              " ships: CUDA calls fail with \"CUDA driver version is insufficient for CUDA runtime version\"" +
              (fw.name == "torch" ? " and torch warns \"The NVIDIA driver on your system is too old\"; "
                                    "torch.cuda.is_available() is False."
                                  : ".");
    auto advice = recommend_build(in.know, replace_query(in, py, fw));
    f.fix = "Upgrade the NVIDIA driver to " + (d.minimum.empty() ? "a newer branch" : d.minimum + " or newer") +
            ", or install the build that runs on this driver:\n" + build_fix(advice);
  });
}

// --- framework.wheels-missing / framework.wheels-wrong-major --------------------------------------------

std::string norm(const std::string& n) { return dist_key(n); }

struct Req {
  std::string name;  // normalised
  std::string spec;  // "==9.1.0.70", may be empty
  std::string marker;
};

Req parse_req(const std::string& text) {
  Req r;
  auto semi = text.find(';');
  std::string head = std::string(trim(text.substr(0, semi)));
  if (semi != std::string::npos) r.marker = std::string(trim(text.substr(semi + 1)));
  auto end = head.find_first_of(" <>=!~[(");
  r.name = norm(head.substr(0, end));
  if (end != std::string::npos) {
    std::string rest = head.substr(end);
    if (auto b = rest.find(']'); rest[0] == '[' && b != std::string::npos) rest = rest.substr(b + 1);
    rest = replace_all(replace_all(rest, "(", ""), ")", "");
    r.spec = std::string(trim(rest));
  }
  return r;
}

// Does the marker hold on this machine (Linux)? Extras are not known from Requires-Dist alone, so there a
// requirement behind one does not count; the probe's required_wheels list has already decided (extras_known).
bool marker_applies(const std::string& marker, const std::string& arch, bool extras_known = false) {
  if (marker.empty()) return true;
  if (contains(marker, "extra") && !extras_known) return false;
  if (contains(marker, "Windows") || contains(marker, "win32") || contains(marker, "Darwin") || contains(marker, "darwin"))
    return contains(marker, "!=");
  if (contains(marker, "platform_machine")) {
    bool x86 = contains(marker, "x86_64"), arm = contains(marker, "aarch64");
    bool neg = contains(marker, "!=");
    bool mentions_ours = (arch == "x86_64" && x86) || (arch == "aarch64" && arm);
    if ((x86 || arm) && mentions_ours == neg) return false;
  }
  return true;
}

// "nvidia-cudnn-cu12" -> "nvidia-cudnn", suffix "12"; "nvidia-cublas" -> "nvidia-cublas", "".
std::pair<std::string, std::string> split_suffix(const std::string& name) {
  auto p = name.rfind("-cu");
  if (p != std::string::npos && p + 3 < name.size() &&
      name.find_first_not_of("0123456789", p + 3) == std::string::npos)
    return {name.substr(0, p), name.substr(p + 3)};
  return {name, ""};
}

int spec_major(const std::string& spec) {
  for (const char* op : {"==", "~=", ">="}) {
    auto p = spec.find(op);
    if (p != std::string::npos)
      if (auto v = Version::parse(spec.substr(p + 2))) return v->major();
  }
  return -1;
}

const Distribution* owning_distribution(const Interpreter& py, const Framework& fw) {
  for (auto& part : split(fw.distribution, '+', false)) {
    auto n = norm(std::string(trim(part)));
    for (auto& d : py.distributions)
      if (norm(d.name) == n) return &d;
  }
  for (auto& d : py.distributions)
    if (norm(d.name) == norm(fw.name)) return &d;
  return nullptr;
}

struct WheelProblem {
  Req req;
  const Distribution* installed = nullptr;  // the one of another major, for wrong-major
};

struct WheelState {
  std::vector<WheelProblem> missing, wrong;
};

// The requirements of a framework on this machine: the probe's required_wheels (extras decided), else the nvidia-*
// Requires-Dist lines of its distribution whose markers hold; pins filled from Requires-Dist.
std::vector<Req> required_reqs(const Snapshot& s, const Interpreter& py, const Framework& fw) {
  std::string arch = s.host.arch.empty() ? "x86_64" : s.host.arch;
  auto* owner = owning_distribution(py, fw);
  std::vector<Req> reqs;
  if (!fw.required_wheels.empty()) {
    for (auto& w : fw.required_wheels)
      if (auto r = parse_req(w); marker_applies(r.marker, arch, true)) reqs.push_back(r);
  } else if (owner) {
    for (auto& r : owner->requires_dist) {
      auto q = parse_req(r);
      if (q.name.starts_with("nvidia-") && marker_applies(q.marker, arch)) reqs.push_back(q);
    }
  }
  // Requirements spelt out without their pins (the probe's list) take the pins from Requires-Dist.
  if (owner)
    for (auto& q : reqs)
      if (q.spec.empty())
        for (auto& r : owner->requires_dist)
          if (auto o = parse_req(r); o.name == q.name) q.spec = o.spec;
  return reqs;
}

// The nvidia-* wheels a framework requires that are missing or of another major in its interpreter.
WheelState wheel_state(const Snapshot& s, const Interpreter& py, const Framework& fw) {
  WheelState st;
  if (!fw.cuda_build) return st;
  std::map<std::string, const Distribution*> installed;
  for (auto& d : py.distributions) installed.emplace(norm(d.name), &d);
  for (auto& q : required_reqs(s, py, fw)) {
    if (!q.name.starts_with("nvidia-")) continue;
    if (auto it = installed.find(q.name); it != installed.end()) {
      int want = spec_major(q.spec);
      auto have = Version::parse(it->second->version);
      if (want >= 0 && have && have->major() != want) st.wrong.push_back({q, it->second});
      continue;
    }
    auto [base, suffix] = split_suffix(q.name);
    const Distribution* other = nullptr;
    for (auto& [n, d] : installed)
      if (n != q.name && split_suffix(n).first == base) other = d;
    if (other) st.wrong.push_back({q, other});
    else st.missing.push_back({q, nullptr});
  }
  return st;
}

// A requirement that only an extra brings (jax-cuda13-plugin's `extra == "with-cuda"`, tensorflow's `and-cuda`):
// whether the extra was asked for is recorded nowhere, so its absence alone is no fault.
bool behind_extra(const Interpreter& py, const Framework& fw, const std::string& name) {
  bool seen = false;
  for (auto& part : split(fw.distribution, '+', false)) {
    auto n = norm(std::string(trim(part)));
    for (auto& d : py.distributions) {
      if (norm(d.name) != n) continue;
      for (auto& r : d.requires_dist) {
        auto q = parse_req(r);
        if (q.name != name) continue;
        if (!contains(q.marker, "extra")) return false;
        seen = true;
      }
    }
  }
  return seen;
}

void wheel_checks(const CheckInput& in, Emitter& e, bool wrong_major) {
  auto& s = in.snap;
  each_framework(s, [&](const Interpreter& py, const Framework& fw) {
    if (!fw.cuda_build) return;
    auto st = wheel_state(s, py, fw);
    auto& missing = st.missing;
    auto& wrong = st.wrong;
    auto q = query(in, py, fw);
    auto* consumer = consumer_for(s, fw);
    bool all_resolved = consumer && std::none_of(consumer->loads.begin(), consumer->loads.end(), [](auto& r) {
                          return r.path.empty() && !r.family.empty() && r.family != "cuda" && r.family != "nvidia-ml";
                        });
    // Every library it loads is found: wheels only an extra would have brought are not missed.
    if (all_resolved) std::erase_if(missing, [&](auto& m) { return behind_extra(py, fw, m.req.name); });
    if (!wrong_major && !missing.empty()) {
      auto& f = e.emit(label(fw) + " requires " + std::to_string(missing.size()) + " NVIDIA wheel" +
                           (missing.size() > 1 ? "s" : "") + " that " + (missing.size() > 1 ? "are" : "is") +
                           " not installed",
                       all_resolved ? Severity::Warning : Severity::Error);
      f.subject = fw.location;
      f.add("framework", label(fw) + " at " + fw.location);
      std::vector<std::string> args;
      for (auto& m : missing) {
        f.add("missing", m.req.name + m.req.spec);
        args.push_back(shell_quote(m.req.name + m.req.spec));
      }
      f.add("interpreter", py.path);
      f.cause = fw.name + "'s metadata (Requires-Dist) names these wheels, which carry the CUDA libraries it loads "
                "from site-packages; without them " +
                (all_resolved ? std::string("it loads copies from elsewhere on the loader's path today (see "
                                            "snapshot.libraries), which breaks when that path changes.")
                              : std::string("importing it fails with \"cannot open shared object file\" for the "
                                            "first missing library (or the GPU is silently not used)."));
      f.fix = pip_install_command(q, join(args, " "));
    }
    if (wrong_major && !wrong.empty()) {
      auto& f = e.emit(label(fw) + " needs " + wrong[0].req.name + " but " +
                       (wrong[0].installed->name == wrong[0].req.name || norm(wrong[0].installed->name) == wrong[0].req.name
                            ? "version " + wrong[0].installed->version + " (another major) is installed"
                            : wrong[0].installed->name + " (another CUDA major) is installed"));
      f.subject = fw.location;
      f.add("framework", label(fw) + (fw.cuda_version.empty() ? "" : " (CUDA " + fw.cuda_version + ")"));
      std::vector<std::string> remove, add;
      for (auto& w : wrong) {
        f.add("requires", w.req.name + w.req.spec);
        f.add("installed", w.installed->name + " " + w.installed->version);
        if (norm(w.installed->name) != w.req.name) remove.push_back(w.installed->name);
        add.push_back(shell_quote(w.req.name + w.req.spec));
      }
      f.cause = "The CUDA libraries of one major are not interchangeable: the wheel installed carries sonames of "
                "another major (libcublas.so.13 instead of .so.12, or cuDNN 8 instead of 9), so " + fw.name +
                " does not find the libraries it was linked against, or loads mismatched ones.";
      std::string fix;
      if (!remove.empty()) {
        bool other_users = false;
        for (auto& o : py.frameworks)
          if (&o != &fw && o.cuda_build && !o.cuda_version.empty() && !fw.cuda_version.empty() &&
              Version::parse(o.cuda_version) && Version::parse(fw.cuda_version) &&
              Version::parse(o.cuda_version)->major() != Version::parse(fw.cuda_version)->major())
            other_users = true;
        if (other_users) {
          fix += "# another framework here uses the other CUDA major: give each its own environment\n";
        } else {
          // Both majors' wheels write the same files (nvidia/cudnn/lib/libcudnn.so.9): remove the wrong one first.
          q.uninstall = remove;
        }
      }
      fix += pip_install_command(q, join(add, " "));
      f.fix = fix;
    }
  });
}

void wheels_missing(const CheckInput& in, Emitter& e) {
  wheel_checks(in, e, false);
  // TensorFlow 2.14+ installed without the [and-cuda] extra: none of its CUDA wheels, no other CUDA found.
  auto& s = in.snap;
  if (!gpu_usable(s)) return;
  each_framework(s, [&](const Interpreter& py, const Framework& fw) {
    if (fw.name != "tensorflow" || !fw.cuda_build || !fw.required_wheels.empty()) return;
    auto* rel = in.know.frameworks().tf_release(fw.version);
    auto* owner = owning_distribution(py, fw);
    if (!rel || !rel->and_cuda || !owner) return;
    std::vector<std::string> extra;
    for (auto& r : owner->requires_dist) {
      auto q = parse_req(r);
      if (q.name.starts_with("nvidia-") && contains(q.marker, "and-cuda")) extra.push_back(q.name);
    }
    if (extra.empty()) return;
    for (auto& d : py.distributions)
      if (std::find(extra.begin(), extra.end(), norm(d.name)) != extra.end()) return;  // some are there
    auto* c = consumer_for(s, fw);
    if (c && std::any_of(c->loads.begin(), c->loads.end(),
                         [](auto& r) { return r.family == "cudart" && !r.path.empty(); }))
      return;  // a CUDA runtime is found elsewhere (system toolkit)
    auto& f = e.emit(label(fw) + " was installed without its [and-cuda] wheels", Severity::Warning);
    f.subject = fw.location;
    f.add("framework", label(fw) + " at " + fw.location);
    f.add("tested with", "CUDA " + rel->cuda + ", cuDNN " + rel->cudnn);
    f.add("missing", join(extra, ", "));
    f.cause = "pip install tensorflow does not bring the CUDA libraries; unless CUDA " + rel->cuda + " and cuDNN " +
              rel->cudnn + " are installed system-wide, TensorFlow prints \"Cannot dlopen some GPU libraries\" and "
              "runs on the CPU.";
    auto q = query(in, py, fw);
    f.fix = pip_install_command(q, "\"tensorflow[and-cuda]==" + fw.version + "\"");
  });
}

void wheels_wrong_major(const CheckInput& in, Emitter& e) { wheel_checks(in, e, true); }

// --- framework.arch-not-covered -------------------------------------------------------------------------

void arch_not_covered(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto ccs = gpu_compute_capabilities(s, in.know);
  if (ccs.empty()) return;
  std::string driver = driver_of(s);
  each_framework(s, [&](const Interpreter& py, const Framework& fw) {
    if (!fw.cuda_build) return;
    // The GPU code really in the files (issue 3's fatbin analysis) is library.no-kernel-for-gpu's to judge.
    if (consumer_has_kernels(consumer_for(s, fw))) return;
    std::vector<std::string> targets = fw.arch_list;
    std::string from = "recorded by the build";
    if (targets.empty() && fw.name == "torch") {
      std::string variant = fw.variant.starts_with("cu") ? fw.variant : "";
      if (variant.empty() && !fw.cuda_version.empty()) {
        auto v = Version::parse(fw.cuda_version);
        if (v) variant = "cu" + std::to_string(v->major()) + std::to_string(v->minor());
      }
      if (auto* cov = in.know.frameworks().torch_coverage(major_minor(fw.version), variant)) {
        targets = cov->sm;
        for (auto& p : cov->ptx) targets.push_back(p + "+PTX");
        from = "official " + variant + " builds of torch " + major_minor(fw.version) + " (" + cov->source + ")";
      }
    }
    if (targets.empty()) return;
    bool full = true;
    if (!driver.empty() && !fw.cuda_version.empty()) {
      auto d = in.know.driver_supports_cuda(driver, fw.cuda_version);
      full = !d.known || (d.runs && !d.minor_compat);
    }
    for (auto& cc : ccs) {
      auto cov = arch_coverage(targets, cc);
      if (cov == TargetCoverage::Sass || (cov == TargetCoverage::Ptx && full)) continue;
      std::string sm = "sm_" + replace_all(cc, ".", "");
      auto& f = e.emit(label(fw) + " has no GPU code for compute capability " + cc + " (" + sm + ")");
      f.subject = fw.location;
      f.add("framework", label(fw) + " at " + fw.location);
      f.add("GPU", gpu_names(s, in.know));
      f.add("build covers", join(targets, " "));
      f.add("from", from);
      if (cov == TargetCoverage::Ptx) {
        f.add("driver", driver + " (older than CUDA " + fw.cuda_version + "'s toolkit driver)");
        f.cause = "Only PTX covers " + sm + ", and this driver runs the build through minor-version compatibility, "
                  "which cannot JIT-compile PTX from a newer CUDA: kernels fail with \"the provided PTX was "
                  "compiled with an unsupported toolchain\".";
      } else {
        f.cause = "Neither SASS for " + sm + " nor PTX that could be JIT-compiled for it is in this build: kernels "
                  "fail with \"no kernel image is available for execution on the device\"" +
                  (fw.name == "torch" ? std::string(" (torch warns that the GPU \"with CUDA capability ") + sm +
                                            " is not compatible with the current PyTorch installation\")."
                                      : std::string("."));
      }
      auto advice = recommend_build(in.know, replace_query(in, py, fw));
      f.fix = build_fix(advice);
    }
  });
}

// --- framework.python-unsupported -----------------------------------------------------------------------

void python_unsupported(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto& facts = in.know.frameworks();
  each_framework(s, [&](const Interpreter& py, const Framework& fw) {
    auto pv = Version::parse(py.version);
    if (!pv) return;
    std::string lo, hi, source;
    std::string rel = major_minor(fw.version);  // how the release is named in the facts
    if (fw.name == "torch") {
      if (auto* r = facts.torch_release(fw.version)) lo = r->python_min, hi = r->python_max, source = r->source;
    } else if (fw.name == "tensorflow") {
      if (auto* r = facts.tf_release(fw.version)) lo = r->python_min, hi = r->python_max, source = r->source;
    } else if (auto* r = facts.python_support_for(fw.name, fw.version)) {  // jax, cupy
      lo = r->python_min, hi = r->python_max, source = r->source;
      rel = r->from == r->to ? r->from : r->from + "-" + r->to;
    }
    auto a = Version::parse(lo), b = Version::parse(hi);
    if (!a || !b) return;
    // A distribution's own build for this Python (Debian's torch 1.13 on its Python 3.11) is no upstream wheel.
    auto* dist = framework_distribution(py, fw);
    if (facts.distribution_build(dist ? dist->installer : "", fw.location) &&
        built_for_interpreter(py, dist ? dist->location : fw.location))
      return;
    Version mm;
    mm.parts = {pv->major(), pv->minor()};
    if (!(mm < *a) && !(*b < mm)) return;
    std::string pys = std::to_string(pv->major()) + "." + std::to_string(pv->minor());
    auto& f = e.emit(label(fw) + " does not support Python " + pys + " (" + fw.name + " " + rel + " supports " + lo +
                     " to " + hi + ")");
    f.subject = fw.location;
    f.add("framework", label(fw) + " at " + fw.location);
    f.add("interpreter", py.path + " (Python " + py.version + ")");
    f.add("supported", "Python " + lo + " to " + hi + " (" + source + ")");
    f.cause = "No " + fw.name + " " + rel + " wheel exists for Python " + pys +
              ": this copy was installed for another interpreter (its compiled modules do not import here) or "
              "built from source, outside what the release was tested with.";
    auto q = replace_query(in, py, fw);
    q.prefer_release.clear();  // the installed release cannot be kept
    auto advice = recommend_build(in.know, q);
    f.fix = build_fix(advice) + "\n# or run it with a Python from " + lo + " to " + hi;
  });
}

}  // namespace

std::set<std::string> missing_required_wheels(const Snapshot& s, const Consumer& c) {
  std::set<std::string> out;
  if (c.kind != "framework") return out;
  each_framework(s, [&](const Interpreter& py, const Framework& fw) {
    if (fw.name != c.name || consumer_for(s, fw) != &c) return;
    for (auto& m : wheel_state(s, py, fw).missing) out.insert(m.req.name);
  });
  return out;
}

std::vector<WheelPin> wheel_pins(const Snapshot& s, const Consumer& c) {
  std::vector<WheelPin> out;
  if (c.kind != "framework") return out;
  each_framework(s, [&](const Interpreter& py, const Framework& fw) {
    if (fw.name != c.name || !fw.cuda_build || consumer_for(s, fw) != &c) return;
    for (auto& q : required_reqs(s, py, fw)) {
      if (!q.name.starts_with("nvidia-")) continue;
      WheelPin p{q.name, q.spec, nullptr, &py, &fw};
      for (auto& d : py.distributions)
        if (norm(d.name) == q.name && d.shadowed_by.empty()) p.installed = &d;
      out.push_back(p);
    }
  });
  return out;
}

const Interpreter* consumer_interpreter(const Snapshot& s, const Consumer& c) {
  const Interpreter* out = nullptr;
  if (c.kind == "framework")
    each_framework(s, [&](const Interpreter& py, const Framework& fw) {
      if (!out && fw.name == c.name && consumer_for(s, fw) == &c) out = &py;
    });
  return out;
}

std::string consumer_python(const Snapshot& s, const Consumer& c) {
  if (auto* py = consumer_interpreter(s, c)) return py->path;
  return c.interpreter.empty() ? "python" : c.interpreter;
}

void add_framework_checks(std::vector<CheckDef>& out) {
  out.push_back({"framework.shm-too-small", Severity::Warning,
                 "/dev/shm is smaller than PyTorch's DataLoader workers need (a container's 64 MB default)",
                 shm_too_small});
  out.push_back({"framework.cpu-only-build", Severity::Warning,
                 "A CPU-only (or ROCm) framework build on a machine with a usable NVIDIA GPU", cpu_only_build});
  out.push_back({"framework.cuda-too-new-for-driver", Severity::Error,
                 "A framework is built for a CUDA the installed driver cannot run, even with minor-version compatibility",
                 cuda_too_new});
  out.push_back({"framework.wheels-missing", Severity::Error,
                 "nvidia-* wheels a framework requires (Requires-Dist, TensorFlow's [and-cuda]) are not installed",
                 wheels_missing});
  out.push_back({"framework.wheels-wrong-major", Severity::Error,
                 "A required nvidia-* wheel is installed for another CUDA (or library) major", wheels_wrong_major});
  out.push_back({"framework.arch-not-covered", Severity::Error,
                 "A framework build has no GPU code for the GPU's compute capability (knowledge files or build info)",
                 arch_not_covered});
  out.push_back({"framework.python-unsupported", Severity::Error,
                 "The framework release does not support the interpreter's Python version", python_unsupported});
  out.push_back({"toolkit.cuda-major-mismatch", Severity::Warning,
                 "CUDA_HOME or the nvcc on PATH is another CUDA major than torch's: extension builds fail",
                 toolkit_major_mismatch});
}

}  // namespace gpuenv
