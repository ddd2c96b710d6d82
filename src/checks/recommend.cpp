#include "checks/recommend.hpp"

#include <algorithm>
#include <set>

#include "checks/facts.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

namespace {

struct Target {
  int major = 0, minor = 0;
  char suffix = 0;  // 'a', 'f' or 0
  bool ptx = false;
};

std::vector<Target> parse_targets(const std::string& t) {
  std::vector<Target> out;
  std::string s = to_lower(trim(t));
  bool plus_ptx = false;
  if (s.ends_with("+ptx")) {
    plus_ptx = true;
    s.resize(s.size() - 4);
  }
  Target x;
  std::string digits;
  if (s.starts_with("sm_") || s.starts_with("compute_")) {
    x.ptx = s.starts_with("compute_");
    digits = s.substr(s.find('_') + 1);
    if (!digits.empty() && (digits.back() == 'a' || digits.back() == 'f')) {
      x.suffix = digits.back();
      digits.pop_back();
    }
    if (digits.size() < 2 || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos) return out;
    x.major = std::stoi(digits.substr(0, digits.size() - 1));
    x.minor = digits.back() - '0';
  } else {
    auto v = Version::parse(s);
    if (!v || v->parts.size() < 2) return out;
    x.major = v->major();
    x.minor = v->minor();
    if (!s.empty() && (s.back() == 'a' || s.back() == 'f')) x.suffix = s.back();
  }
  out.push_back(x);
  if (plus_ptx) {
    x.ptx = true;
    out.push_back(x);
  }
  return out;
}

}  // namespace

std::string arch_coverage(const std::vector<std::string>& targets, const std::string& cc) {
  auto c = Version::parse(cc);
  if (!c) return "";
  int M = c->major(), m = c->minor();
  bool sass = false, ptx = false;
  for (auto& t : targets)
    for (auto& x : parse_targets(t)) {
      if (!x.ptx) {
        if (x.suffix == 'a') sass |= x.major == M && x.minor == m;
        else sass |= x.major == M && x.minor <= m;
      } else {
        if (x.suffix == 'a') ptx |= x.major == M && x.minor == m;
        else if (x.suffix == 'f') ptx |= x.major == M && x.minor <= m;
        else ptx |= x.major * 10 + x.minor <= M * 10 + m;
      }
    }
  return sass ? "sass" : ptx ? "ptx" : "";
}

std::vector<std::string> gpu_compute_capabilities(const Snapshot& s, const Knowledge& k) {
  std::set<std::pair<int, int>> ccs;
  for (auto& d : s.cuda.devices)
    if (d.cc_major) ccs.insert({d.cc_major, d.cc_minor});
  for (auto& d : s.nvml.devices)
    if (d.cc_major) ccs.insert({d.cc_major, d.cc_minor});
  if (ccs.empty())
    for (auto& p : s.pci)
      if (p.vendor_id == "0x10de")
        if (auto* g = k.gpu_by_device_id(p.device_id); g && Version::parse(g->cc))
          ccs.insert({Version::parse(g->cc)->major(), Version::parse(g->cc)->minor()});
  std::vector<std::string> out;
  for (auto& [a, b] : ccs) out.push_back(std::to_string(a) + "." + std::to_string(b));
  return out;
}

BuildQuery build_query(const Snapshot& s, const Interpreter* py, const std::string& framework) {
  BuildQuery q;
  q.framework = framework;
  q.driver = !s.kernel.version.empty() ? s.kernel.version : s.nvml.driver_version;
  q.driver_cuda = s.cuda.driver_version ? s.cuda.driver_version : s.nvml.cuda_driver_version;
  q.ccs = gpu_compute_capabilities(s, Knowledge::get());
  if (!s.host.arch.empty()) q.arch = s.host.arch;
  if (py) {
    if (auto v = Version::parse(py->version)) q.python = std::to_string(v->major()) + "." + std::to_string(v->minor());
    if (!py->path.empty()) q.python_cmd = py->path;
    bool uv = std::any_of(py->distributions.begin(), py->distributions.end(),
                          [](auto& d) { return d.installer == "uv"; });
    if (py->kind == "conda") q.env_kind = "conda";
    else if (py->kind == "nix" || py->path.starts_with("/nix/store/") || py->realpath.starts_with("/nix/store/"))
      q.env_kind = "nix";
    else if (uv) q.env_kind = "uv";
    else if (py->kind == "system") q.env_kind = "system";
    else q.env_kind = "pip";
  } else if (s.getenv("CONDA_PREFIX")) {
    q.env_kind = "conda";
  } else if (s.getenv("IN_NIX_SHELL")) {
    q.env_kind = "nix";
  }
  return q;
}

namespace {

struct Runs {
  bool known = false;  // the driver is known
  bool full = false;   // the driver meets the toolkit's driver
  bool runs = false;   // it runs, perhaps through minor-version compatibility
};

Runs driver_runs(const Knowledge& k, const BuildQuery& q, const std::string& cuda) {
  if (!q.driver.empty()) {
    auto d = k.driver_supports_cuda(q.driver, cuda);
    if (d.known) return {true, d.runs && !d.minor_compat, d.runs};
  }
  if (q.driver_cuda > 0) {
    auto cv = cuda_version_int(cuda);
    auto c = Version::parse(cuda);
    if (cv && c) {
      bool full = *cv <= q.driver_cuda;
      // The driver reports this CUDA major, so it is at least that major's minor-compatibility minimum.
      bool same_major = q.driver_cuda / 1000 == c->major() && c->major() >= 11;
      return {true, full, full || same_major};
    }
  }
  return {false, true, true};  // unknown driver: do not rule anything out
}

std::string py_nodot(const BuildQuery& q) { return replace_all(q.python.empty() ? "3" : q.python, ".", ""); }

bool python_in(const std::string& py, const std::string& lo, const std::string& hi) {
  if (py.empty() || lo.empty() || hi.empty()) return true;
  auto v = Version::parse(py), a = Version::parse(lo), b = Version::parse(hi);
  if (!v || !a || !b) return true;
  return !(*v < *a) && !(*b < *v);
}

// The newest CUDA the driver runs in full ("12.4" for 550.54.14), for conda's cuda-version pin.
std::string driver_cuda_string(const Knowledge& k, const BuildQuery& q) {
  if (!q.driver.empty()) {
    auto c = k.newest_cuda_for_driver(q.driver);
    if (!c.empty()) return c;
  }
  if (q.driver_cuda > 0) return cuda_version_string(q.driver_cuda);
  return "";
}

// pip or uv, run by the environment's own interpreter.
std::string pip_line(const BuildQuery& q, const std::string& args) {
  if (q.env_kind == "system")
    return "python3 -m venv .venv && .venv/bin/python -m pip install " + args +
           "   # the system Python is managed by the distribution: use a venv";
  std::string remove;
  if (!q.uninstall.empty()) {
    std::vector<std::string> names;
    for (auto& n : q.uninstall) names.push_back(shell_quote(n));
    remove = (q.env_kind == "uv" ? "uv pip uninstall --python " + shell_quote(q.python_cmd) + " "
                                 : shell_quote(q.python_cmd) + " -m pip uninstall -y ") +
             join(names, " ") + "\n";
  }
  if (q.env_kind == "uv") return remove + "uv pip install --python " + shell_quote(q.python_cmd) + " " + args;
  return remove + shell_quote(q.python_cmd) + " -m pip install " + args;
}

std::string nix_line(const Knowledge& k, const BuildQuery& q, bool gpu) {
  auto it = k.frameworks().install.find(q.framework);
  if (it == k.frameworks().install.end() || it->second.nix.empty()) return "";
  std::string attr = replace_all(it->second.nix, "{py}", py_nodot(q));
  if (!gpu) attr = replace_all(attr, "WithCuda", "");
  auto dot = attr.find("Packages.");
  std::string pkg = dot == std::string::npos ? attr : attr.substr(dot + 9);
  std::string python = "python" + py_nodot(q);
  return std::string(gpu ? "NIXPKGS_ALLOW_UNFREE=1 " : "") + "nix-shell -p '" + python + ".withPackages (ps: [ ps." +
         pkg + " ])'   # " + attr + (gpu ? " (CUDA is unfree; or set nixpkgs config.cudaSupport = true)" : "");
}

std::string conda_line(const Knowledge& k, const BuildQuery& q, bool gpu, const std::string& cuda) {
  auto it = k.frameworks().install.find(q.framework);
  if (it == k.frameworks().install.end()) return "";
  std::string t = gpu ? it->second.conda : it->second.conda_cpu;
  if (t.empty()) return "";
  std::string pin = driver_cuda_string(k, q);
  return replace_all(t, "{cuda}", pin.empty() ? cuda : pin);
}

// The command in the environment's own installer; pip_args for pip and uv.
std::string command_for(const Knowledge& k, const BuildQuery& q, bool gpu, const std::string& cuda,
                        const std::string& pip_args) {
  if (q.env_kind == "nix")
    if (auto l = nix_line(k, q, gpu); !l.empty()) return l;
  if (q.env_kind == "conda")
    if (auto l = conda_line(k, q, gpu, cuda); !l.empty()) return l;
  return pip_line(q, pip_args);
}

// The releases, newest first, with the preferred one (same major.minor) moved to the front.
template <class R>
std::vector<const R*> ordered(const std::vector<R>& rels, const std::string& prefer) {
  std::vector<const R*> out;
  auto p = Version::parse(prefer);
  for (auto& r : rels) {
    auto v = Version::parse(r.version);
    if (p && v && v->major() == p->major() && v->minor() == p->minor()) out.insert(out.begin(), &r);
    else out.push_back(&r);
  }
  return out;
}

bool covers_all(const std::vector<std::string>& targets, const std::vector<std::string>& ccs, bool ptx_ok) {
  for (auto& cc : ccs) {
    auto c = arch_coverage(targets, cc);
    if (c.empty() || (c == "ptx" && !ptx_ok)) return false;
  }
  return true;
}

std::string none_reason(const Knowledge& k, const BuildQuery& q, const std::string& what) {
  std::string r = "No " + what + " runs here";
  if (!q.driver.empty()) r += " with driver " + q.driver;
  if (!q.ccs.empty()) r += " on compute capability " + join(q.ccs, ", ");
  if (!q.python.empty()) r += " under Python " + q.python;
  auto newest = k.cuda_releases().empty() ? nullptr : &k.cuda_releases().front();
  if (newest && !q.driver.empty()) r += "; a driver >= " + newest->toolkit_driver + " widens the choice";
  return r + ".";
}

BuildAdvice torch_advice(const Knowledge& k, const BuildQuery& q) {
  auto& f = k.frameworks();
  BuildAdvice a;
  if (q.ccs.empty()) {
    for (auto& rel : f.torch) {
      if (!python_in(q.python, rel.python_min, rel.python_max)) continue;
      a.found = true;
      a.release = rel.version;
      a.variant = "cpu";
      auto idx = f.torch_index.count("cpu") ? f.torch_index.at("cpu") : "";
      a.command = command_for(k, q, false, "", "\"torch==" + rel.version + ".*\"" +
                                                    (idx.empty() ? "" : " --index-url " + idx));
      a.reason = "No NVIDIA GPU: the CPU build of torch " + rel.version + " (no CUDA libraries to download).";
      return a;
    }
    a.reason = "No torch release in the knowledge files supports Python " + q.python + ".";
    return a;
  }
  for (auto* relp : ordered(f.torch, q.prefer_release)) {
    auto& rel = *relp;
    if (!python_in(q.python, rel.python_min, rel.python_max)) continue;
    const std::string* best_full = nullptr;
    const std::string* best_compat = nullptr;
    for (auto& v : rel.variants) {
      auto* cov = f.torch_coverage(rel.version, v);
      auto cuda = torch_variant_cuda(v);
      if (!cov || cuda.empty() || !f.torch_index.count(v)) continue;
      auto r = driver_runs(k, q, cuda);
      if (!r.runs) continue;
      std::vector<std::string> targets = cov->sm;
      for (auto& p : cov->ptx) targets.push_back(p + "+PTX");
      // PTX newer than the driver cannot be JIT-compiled under minor-version compatibility.
      if (!covers_all(targets, q.ccs, r.full)) continue;
      auto newer = [](const std::string* cur, const std::string& cand) {
        return !cur || *Version::parse(torch_variant_cuda(*cur)) < *Version::parse(torch_variant_cuda(cand));
      };
      if (r.full) {
        if (newer(best_full, v)) best_full = &v;
      } else if (!best_compat || newer(&v, *best_compat)) {  // the oldest CUDA among minor-compat ones
        best_compat = &v;
      }
    }
    const std::string* pick = best_full ? best_full : best_compat;
    if (!pick) continue;
    a.found = a.gpu = true;
    a.release = rel.version;
    a.variant = *pick;
    a.cuda = torch_variant_cuda(*pick);
    a.minor_compat = !best_full;
    a.command = command_for(k, q, true, a.cuda,
                            "\"torch==" + rel.version + ".*\" --index-url " + f.torch_index.at(*pick));
    a.reason = "torch " + rel.version + " " + a.variant + ": the newest release for Python " +
               (q.python.empty() ? "any" : q.python) + " whose build covers compute capability " + join(q.ccs, ", ") +
               (a.minor_compat ? " and runs on this driver through CUDA minor-version compatibility"
                               : " and whose CUDA " + a.cuda + " this driver supports") + ".";
    return a;
  }
  a.reason = none_reason(k, q, "official torch CUDA build");
  return a;
}

BuildAdvice tf_advice(const Knowledge& k, const BuildQuery& q) {
  auto& f = k.frameworks();
  BuildAdvice a;
  for (auto* relp : ordered(f.tensorflow, q.prefer_release)) {
    auto& rel = *relp;
    if (!python_in(q.python, rel.python_min, rel.python_max)) continue;
    if (q.ccs.empty()) {
      a.found = true;
      a.release = rel.version;
      a.variant = "cpu";
      a.command = command_for(k, q, false, "", "\"tensorflow-cpu==" + rel.version + ".*\"");
      a.reason = "No NVIDIA GPU: the CPU package of TensorFlow " + rel.version + ".";
      return a;
    }
    auto r = driver_runs(k, q, rel.cuda);
    if (!r.runs) continue;
    a.found = a.gpu = true;
    a.release = rel.version;
    a.cuda = rel.cuda;
    a.minor_compat = !r.full;
    a.variant = rel.and_cuda ? "and-cuda" : "system-cuda";
    a.command = command_for(k, q, true, rel.cuda,
                            rel.and_cuda ? "\"tensorflow[and-cuda]==" + rel.version + ".*\""
                                         : "\"tensorflow==" + rel.version + ".*\"");
    if (!rel.and_cuda && q.env_kind != "conda" && q.env_kind != "nix")
      a.command = "# needs CUDA " + rel.cuda + " and cuDNN " + rel.cudnn + " installed system-wide\n" + a.command;
    a.reason = "TensorFlow " + rel.version + " (tested with CUDA " + rel.cuda + ", cuDNN " + rel.cudnn +
               "): the newest release for Python " + (q.python.empty() ? "any" : q.python) + " this driver runs" +
               (a.minor_compat ? " (through CUDA minor-version compatibility)." : ".");
    return a;
  }
  a.reason = q.ccs.empty() ? "No TensorFlow release in the knowledge files supports Python " + q.python + "."
                           : none_reason(k, q, "TensorFlow GPU build");
  return a;
}

bool cc_at_least(const std::vector<std::string>& ccs, const std::string& min) {
  auto m = Version::parse(min);
  if (!m) return true;
  for (auto& cc : ccs)
    if (auto v = Version::parse(cc); v && *v < *m) return false;
  return true;
}

BuildAdvice jax_advice(const Knowledge& k, const BuildQuery& q) {
  BuildAdvice a;
  if (q.ccs.empty()) {
    a.found = true;
    a.variant = "cpu";
    a.command = command_for(k, q, false, "", "-U jax");
    a.reason = "No NVIDIA GPU: JAX's CPU build.";
    return a;
  }
  for (auto& j : k.frameworks().jax) {
    std::string cuda = std::to_string(j.cuda_major) + ".0";
    auto r = driver_runs(k, q, cuda);
    if (!r.runs || !cc_at_least(q.ccs, j.min_cc)) continue;
    a.found = a.gpu = true;
    a.variant = j.extra;
    a.cuda = cuda;
    a.minor_compat = !r.full;
    a.command = command_for(k, q, true, cuda, "-U \"jax[" + j.extra + "]\"");
    a.reason = "jax[" + j.extra + "]: the newest CUDA plugin this driver runs and whose minimum GPU (compute " +
               "capability " + j.min_cc + ") this machine meets.";
    return a;
  }
  a.reason = none_reason(k, q, "JAX CUDA plugin");
  return a;
}

BuildAdvice cupy_advice(const Knowledge& k, const BuildQuery& q) {
  BuildAdvice a;
  if (q.ccs.empty()) {
    a.reason = "CuPy needs an NVIDIA GPU; there is no CPU build.";
    return a;
  }
  for (auto& c : k.frameworks().cupy) {
    // The newest known CUDA release of that major decides what the driver must run and which GPUs it targets.
    const CudaRelease* newest = nullptr;
    for (auto& r : k.cuda_releases())
      if (Version::parse(r.version)->major() == c.cuda_major) {
        newest = &r;
        break;
      }
    std::string cuda = c.cuda.empty() ? std::to_string(c.cuda_major) + ".0" : c.cuda;
    auto r = driver_runs(k, q, cuda);
    if (!r.runs) continue;
    if (newest && !covers_all(newest->sm, q.ccs, false)) continue;
    a.found = a.gpu = true;
    a.variant = c.package;
    a.cuda = cuda;
    a.minor_compat = !r.full;
    a.command = command_for(k, q, true, cuda, c.package);
    a.reason = c.package + ": the newest CuPy package whose CUDA major this driver runs and whose toolkit targets "
               "compute capability " + join(q.ccs, ", ") + ".";
    return a;
  }
  a.reason = none_reason(k, q, "CuPy package");
  return a;
}

}  // namespace

std::string pip_install_command(const BuildQuery& q, const std::string& args) { return pip_line(q, args); }

BuildAdvice recommend_build(const Knowledge& k, const BuildQuery& q) {
  if (q.framework == "torch") return torch_advice(k, q);
  if (q.framework == "tensorflow") return tf_advice(k, q);
  if (q.framework == "jax") return jax_advice(k, q);
  if (q.framework == "cupy") return cupy_advice(k, q);
  BuildAdvice a;
  a.reason = "gpuenv has no build knowledge for " + q.framework + ".";
  return a;
}

}  // namespace gpuenv
