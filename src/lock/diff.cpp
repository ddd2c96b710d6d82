#include "lock/diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

namespace {

std::optional<Version> ver(const std::string& s) { return s.empty() ? std::nullopt : Version::parse(s); }

std::string or_none(const std::string& s) { return s.empty() ? "(none)" : s; }

// Display names of library families.
std::string family_label(const LockedLibrary& l) {
  static const std::map<std::string, std::string> names{
      {"cudnn", "cuDNN"}, {"cublas", "cuBLAS"}, {"cudart", "CUDA runtime"}, {"cufft", "cuFFT"}, {"curand", "cuRAND"},
      {"cusolver", "cuSOLVER"}, {"cusparse", "cuSPARSE"}, {"nccl", "NCCL"}, {"nvrtc", "NVRTC"}, {"nvjitlink", "nvJitLink"},
      {"cupti", "CUPTI"}, {"cuda", "libcuda"}, {"nvidia-ml", "NVML"}};
  auto it = names.find(l.family);
  std::string fam = it != names.end() ? it->second : l.family;
  return fam + " (" + l.key + ")";
}

std::string users(const LockedLibrary& l) {
  std::vector<std::string> u;
  for (auto& x : l.used_by)
    if (x != "driver") u.push_back(x);
  return join(u, ", ");
}

std::string lib_desc(const LockedLibrary& l) {
  return (l.version.empty() ? l.soname : l.version) + " " + l.realpath;
}

struct Differ {
  const Lock& a;
  const Lock& b;
  std::vector<LockChange> out;

  void add(std::string subject, std::string before, std::string after, Impact impact, std::string reason) {
    out.push_back({std::move(subject), std::move(before), std::move(after), impact, std::move(reason)});
  }

  // The CUDA versions the frameworks of `l` need.
  std::vector<std::pair<std::string, Version>> cuda_needs(const Lock& l) {
    std::vector<std::pair<std::string, Version>> v;
    for (auto& f : l.frameworks)
      if (f.accelerator == "cuda")
        if (auto cv = ver(f.cuda)) v.emplace_back(f.name, *cv);
    return v;
  }

  void gpus() {
    size_t n = std::max(a.gpus.size(), b.gpus.size());
    for (size_t i = 0; i < n; ++i) {
      const LockedGpu* x = i < a.gpus.size() ? &a.gpus[i] : nullptr;
      const LockedGpu* y = i < b.gpus.size() ? &b.gpus[i] : nullptr;
      std::string subj = "GPU " + std::to_string(x ? x->index : y->index);
      if (x && !y) {
        add(subj, x->name, "(none)", b.gpus.empty() ? Impact::Breaks : Impact::Risky,
            b.gpus.empty() ? "no GPU is visible any more" : "one GPU fewer: multi-GPU jobs sized for the lock fail");
      } else if (!x && y) {
        add(subj, "(none)", y->name + " (" + y->compute_capability + ")", Impact::Fine, "one GPU more");
      } else if (x->name != y->name || x->compute_capability != y->compute_capability) {
        auto cx = ver(x->compute_capability), cy = ver(y->compute_capability);
        Impact imp = Impact::Risky;
        std::string why = "another GPU model";
        if (cx && cy && *cx == *cy) {
          imp = Impact::Fine;
          why = "same compute capability " + y->compute_capability + ": the same kernels run";
        } else if (cx && cy && cy->major() != cx->major()) {
          why = "compute capability " + x->compute_capability + " -> " + y->compute_capability +
                ": kernels compiled for sm_" + replace_all(x->compute_capability, ".", "") +
                " do not run; the frameworks need SASS or PTX for the new GPU";
        }
        add(subj, x->name + " (" + x->compute_capability + ")", y->name + " (" + y->compute_capability + ")", imp, why);
      }
    }
  }

  void driver() {
    if (a.kernel_module == b.kernel_module && a.cuda_driver_api == b.cuda_driver_api && a.libcuda == b.libcuda) return;
    std::string before = or_none(a.kernel_module), after = or_none(b.kernel_module);
    if (b.kernel_module.empty() && !a.kernel_module.empty()) {
      add("driver", before, "(none)", Impact::Breaks, "the NVIDIA kernel module is not loaded any more");
      return;
    }
    if (!b.libcuda.empty() && !b.kernel_module.empty() && b.libcuda != b.kernel_module) {
      add("driver", before, after + " (libcuda " + b.libcuda + ")", Impact::Breaks,
          "libcuda " + b.libcuda + " and kernel module " + b.kernel_module + " differ: Driver/library version mismatch");
      return;
    }
    auto api = ver(b.cuda_driver_api);
    auto needs = cuda_needs(b);
    if (!api) {
      add("driver", before, after, Impact::Risky, "the CUDA version this driver runs is unknown (driver probe)");
      return;
    }
    for (auto& [fw, need] : needs) {
      if (need.major() > api->major()) {
        add("driver", before, after, Impact::Breaks,
            fmt::format("{} needs CUDA {}, this driver runs CUDA {} at most", fw, need.str(), b.cuda_driver_api));
        return;
      }
    }
    if (needs.empty()) {
      auto old_api = ver(a.cuda_driver_api);
      if (old_api && *api < *old_api) {
        add("driver", before, after, Impact::Risky,
            fmt::format("runs CUDA {} at most, was {}", b.cuda_driver_api, a.cuda_driver_api));
        return;
      }
    }
    std::string why = "still runs CUDA " + (needs.empty() ? b.cuda_driver_api : [&] {
      Version m = needs[0].second;
      for (auto& n : needs) m = std::max(m, n.second);
      return m.str();
    }());
    for (auto& [fw, need] : needs)
      if (need > *api) why = fmt::format("{} (CUDA {}) runs on driver CUDA {} through minor-version compatibility", fw, need.str(), b.cuda_driver_api);
    add("driver", before, after, Impact::Fine, why);
  }

  void python() {
    if (!a.python && !b.python) return;
    if (a.python && !b.python) {
      add("python", a.python->path + " (" + a.python->version + ")", "(none)", Impact::Breaks, "the interpreter is gone");
      return;
    }
    if (!a.python) {
      add("python", "(none)", b.python->path + " (" + b.python->version + ")", Impact::Fine, "an interpreter is recorded now");
      return;
    }
    auto& x = *a.python;
    auto& y = *b.python;
    if (x.path == y.path && x.version == y.version && x.realpath == y.realpath && x.prefix == y.prefix) return;
    auto vx = ver(x.version), vy = ver(y.version);
    std::string before = x.path + " (" + x.version + ")", after = y.path + " (" + y.version + ")";
    if (vx && vy && (vx->major() != vy->major() || vx->minor() != vy->minor())) {
      add("python", before, after, Impact::Breaks,
          fmt::format("Python {}.{} -> {}.{}: compiled packages (torch, numpy) are built for one minor version and do not load in another",
                      vx->major(), vx->minor(), vy->major(), vy->minor()));
    } else if (x.prefix != y.prefix) {
      add("python", before, after, Impact::Risky, "another environment (prefix " + y.prefix + "): its packages may differ");
    } else {
      add("python", before, after, Impact::Fine, "same environment, patch release of the same Python");
    }
  }

  void frameworks() {
    std::map<std::string, const LockedFramework*> fa, fb;
    for (auto& f : a.frameworks) fa[f.name] = &f;
    for (auto& f : b.frameworks) fb[f.name] = &f;
    auto api = ver(b.cuda_driver_api);
    for (auto& [name, x] : fa) {
      auto it = fb.find(name);
      if (it == fb.end()) {
        add(name, x->version, "(none)", Impact::Breaks, name + " is not installed any more");
        continue;
      }
      auto* y = it->second;
      if (x->version == y->version && x->accelerator == y->accelerator && x->cuda == y->cuda && x->location == y->location)
        continue;
      std::string before = x->version + " (" + x->accelerator + ")", after = y->version + " (" + y->accelerator + ")";
      if (x->accelerator == "cuda" && y->accelerator != "cuda") {
        add(name, before, after, Impact::Breaks, "a CPU-only build replaced the CUDA build: " + name + " cannot use the GPU");
        continue;
      }
      auto cy = ver(y->cuda);
      if (y->accelerator == "cuda" && cy && api && cy->major() > api->major()) {
        add(name, before, after, Impact::Breaks,
            fmt::format("built for CUDA {}, the driver runs CUDA {} at most", y->cuda, b.cuda_driver_api));
        continue;
      }
      auto vx = ver(x->version), vy = ver(y->version);
      if (x->cuda != y->cuda) {
        add(name, before, after, Impact::Risky, "rebuilt for CUDA " + or_none(y->cuda) + " (was " + or_none(x->cuda) + ")");
      } else if (vx && vy && vx->major() == vy->major() && vx->minor() == vy->minor()) {
        add(name, before, after, x->location != y->location && x->version == y->version ? Impact::Risky : Impact::Fine,
            x->version == y->version ? "another copy at " + y->location : "patch release");
      } else {
        add(name, before, after, Impact::Risky, "another release: behaviour and required libraries may differ");
      }
    }
    for (auto& [name, y] : fb)
      if (!fa.count(name)) add(name, "(none)", y->version + " (" + y->accelerator + ")", Impact::Fine, "newly installed");
  }

  void wheels() {
    std::map<std::string, std::string> wa, wb;
    for (auto& w : a.wheels) wa[w.name] = w.version;
    for (auto& w : b.wheels) wb[w.name] = w.version;
    for (auto& [n, v] : wa) {
      auto it = wb.find(n);
      if (it == wb.end()) add(n, v, "(none)", Impact::Risky, "wheel removed");
      else if (it->second != v) {
        auto x = ver(v), y = ver(it->second);
        add(n, v, it->second, x && y && x->major() == y->major() && *y >= *x ? Impact::Fine : Impact::Risky,
            x && y && *y < *x ? "older than locked" : "another version");
      }
    }
    for (auto& [n, v] : wb)
      if (!wa.count(n)) add(n, "(none)", v, Impact::Fine, "wheel added");
  }

  const LockedFramework* framework(const Lock& l, const std::string& name) {
    for (auto& f : l.frameworks)
      if (f.name == name) return &f;
    return nullptr;
  }

  void libraries() {
    std::map<std::string, const LockedLibrary*> la, lb;
    for (auto& l : a.libraries) la[l.key] = &l;
    for (auto& l : b.libraries) lb[l.key] = &l;
    for (auto& [key, x] : la) {
      bool driver = std::find(x->used_by.begin(), x->used_by.end(), "driver") != x->used_by.end();
      std::string who = users(*x);
      std::string subj = family_label(*x) + (who.empty() ? "" : " for " + who);
      auto it = lb.find(key);
      if (it == lb.end()) {
        add(subj, lib_desc(*x), "(none)", who.empty() && !driver ? Impact::Risky : Impact::Breaks,
            (who.empty() ? std::string("nothing") : who) + " needs " + x->soname + ": no copy is found any more");
        continue;
      }
      auto* y = it->second;
      bool same_content = x->sha256.empty() || y->sha256.empty() ? x->size == y->size : x->sha256 == y->sha256;
      if (x->soname == y->soname && x->realpath == y->realpath && x->version == y->version && same_content) continue;
      if (driver) continue;  // judged with the driver
      std::string before = lib_desc(*x), after = lib_desc(*y);
      std::string via = y->origin == "LD_LIBRARY_PATH" && x->origin != "LD_LIBRARY_PATH"
                            ? " (LD_LIBRARY_PATH now puts " + dir_name(y->path) + " first)"
                            : "";
      if (x->soname != y->soname) {
        add(subj, before, after, who.empty() ? Impact::Risky : Impact::Breaks,
            (who.empty() ? std::string("programs linked against it need ") : who + " needs ") + x->soname + ", now " +
                y->soname + " is found" + via);
        continue;
      }
      auto vx = ver(x->version), vy = ver(y->version);
      if (vx && vy && *vy < *vx) {
        // Built against the locked version: an older minor at run time is refused (torch checks cuDNN this way).
        std::string need;
        Impact imp = Impact::Risky;
        for (auto& u : y->used_by) {
          auto* f = framework(b, u);
          if (!f || f->cudnn.empty() || x->family != "cudnn") continue;
          auto fv = ver(f->cudnn);
          if (fv && fv->parts.size() >= 2 && *vy < *fv) {
            imp = Impact::Breaks;
            need = fmt::format("; {} was built against cuDNN {} and refuses an older one", u, f->cudnn);
          }
        }
        add(subj, before, after, imp, fmt::format("older than locked ({} -> {}){}{}", x->version, y->version, need, via));
      } else if (vx && vy && *vy > *vx) {
        add(subj, before, after, Impact::Fine, fmt::format("newer, same soname {}: backward compatible{}", y->soname, via));
      } else if (x->version == y->version && !same_content) {
        add(subj, before, after, Impact::Risky, "same version, different content (rebuilt, patched or replaced)" + via);
      } else if (x->realpath != y->realpath) {
        add(subj, before, after, same_content ? Impact::Fine : Impact::Risky,
            (same_content ? "the same file at another path" : "another copy") + via);
      } else {
        add(subj, before, after, Impact::Risky, "changed" + via);
      }
    }
    for (auto& [key, y] : lb)
      if (!la.count(key)) add(family_label(*y), "(none)", lib_desc(*y), Impact::Fine, "now found on the loader path");
  }
};

}  // namespace

std::vector<LockChange> diff_locks(const Lock& before, const Lock& after) {
  Differ d{before, after, {}};
  d.gpus();
  d.driver();
  d.python();
  d.frameworks();
  d.wheels();
  d.libraries();
  std::stable_sort(d.out.begin(), d.out.end(), [](auto& x, auto& y) { return int(x.impact) > int(y.impact); });
  return d.out;
}

}  // namespace gpuenv
