// The CUDA libraries each framework really loads (s.libraries.consumers, as
// the loader resolves them) and the GPU code they carry. Each check names one
// root cause; the driver family keeps libcuda's own problems (driver_checks.cpp).
#include <algorithm>
#include <map>
#include <set>

#include "checks/check.hpp"
#include "checks/facts.hpp"
#include "model/gpu_target.hpp"
#include "model/reports.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

namespace {

bool is_driver_name(const std::string& n) {
  return n.starts_with("libcuda.so") || n.starts_with("libnvidia-ml.so") || n.starts_with("libnvidia-");
}

bool wrong_arch_skip(const Resolution& r) {
  for (auto& sk : r.skipped)
    if (!contains(sk, "(invalid") && !contains(sk, "(not a file")) return true;
  return false;
}

// The loader stopped at a file it found but cannot load (truncated or corrupt): the last skipped candidate
// "path (invalid: why)", as the resolver records glibc's behaviour. Returns that entry or "".
std::string damaged_stop(const Resolution& r) {
  if (!r.path.empty() || r.skipped.empty() || !contains(r.skipped.back(), " (invalid")) return "";
  return r.skipped.back();
}

std::string consumer_cuda_major(const Consumer& c, const Knowledge& k) {
  for (auto& r : c.loads)
    if (r.family == "cudart" && !r.path.empty()) return soname_major(r.name);
  for (auto& r : c.loads)
    if (!r.path.empty() && !r.family.empty() && r.family != "cudnn" && r.family != "nccl") {
      auto m = soname_major(r.name);
      if (auto* f = k.library_family(r.family)) {
        auto it = f->cuda_of_major.find(m);
        if (it != f->cuda_of_major.end()) return it->second;
      }
      if (m == "12" || m == "13" || m == "11") return m;
    }
  return "12";
}

std::string fill(std::string t, const std::string& cuda_major, const std::string& major) {
  t = replace_all(t, "{cuda_major}", cuda_major);
  t = replace_all(t, "{cuda_dash}", cuda_major + "-0");
  return replace_all(t, "{major}", major);
}

// The install line that fits this machine for a family.
std::string install_fix(const Snapshot& s, const Consumer& c, const LibraryFamily& fam, const std::string& name,
                        const Knowledge& k) {
  auto major = soname_major(name);
  std::string cuda = consumer_cuda_major(c, k);
  if (auto it = fam.cuda_of_major.find(major); it != fam.cuda_of_major.end()) cuda = it->second;
  else if ((fam.name == "cudart" || fam.name == "cublas" || fam.name == "nvrtc" || fam.name == "nvjitlink" ||
            fam.name == "cupti") && !major.empty())
    cuda = major;
  std::vector<std::string> lines;
  if (s.host.nixos && !fam.nix.empty()) lines.push_back("# NixOS: add " + fill(fam.nix, cuda, major) + " to the environment");
  if (c.kind == "framework") {
    auto it = fam.pip.find(cuda);
    if (it != fam.pip.end()) {
      std::string py = consumer_python(s, c);
      lines.push_back(py + " -m pip install " + it->second + "   # the wheel " + c.name + " loads from site-packages");
    }
  }
  if (s.getenv("CONDA_PREFIX") && !fam.conda.empty()) lines.push_back("conda install -c conda-forge " + fam.conda);
  if ((s.host.os_id == "ubuntu" || s.host.os_id == "debian") && !fam.apt.empty())
    lines.push_back("sudo apt install " + fill(fam.apt, cuda, major) + "   # from NVIDIA's CUDA repository");
  if (lines.empty()) lines.push_back("Install " + fam.display + " providing " + name + ".");
  return join(lines, "\n");
}

void not_found(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  for (auto& c : s.libraries.consumers) {
    std::set<std::string> done;
    auto missing_wheels = missing_required_wheels(s, c);
    for (auto& r : c.loads) {
      if (!r.path.empty() || r.kind == "load" || is_driver_name(r.name) || wrong_arch_skip(r)) continue;
      if (!damaged_stop(r).empty()) continue;  // library.damaged: the loader found it and stopped at it
      if (!done.insert(r.name).second) continue;
      // A wheel the framework requires is not installed: framework.wheels-missing names it with its pin.
      if (auto* fam = in.know.library_family_for_file(r.name)) {
        bool from_missing_wheel = false;
        for (auto& [major, wheel] : fam->pip) from_missing_wheel |= missing_wheels.count(wheel) > 0;
        if (from_missing_wheel) continue;
      }
      auto sev = r.when == "on-demand" ? Severity::Warning : Severity::Error;
      auto& f = e.emit(c.name + " needs " + r.name + ", which the loader finds nowhere", sev);
      f.subject = c.name;
      f.add("needed by", r.requested_by.empty() ? c.name : r.requested_by);
      f.add("loaded", r.when == "on-demand" ? "on demand (dlopen)" : r.kind == "dlopen" ? "by dlopen at " + r.when
                                                                                          : "at " + r.when);
      f.add("searched", std::to_string(r.considered.size()) + " paths" +
                            (r.considered.empty() ? "" : ", first " + r.considered.front()));
      auto* fam = in.know.library_family_for_file(r.name);
      std::set<std::string> others;
      for (auto& cp : s.libraries.copies)
        if (fam && cp.name == fam->name && cp.soname != r.name && others.insert(cp.soname).second)
          f.add("other version on disk", cp.soname + " (" + cp.path + ")");
      f.cause = c.name + " was built against " + r.name + (fam ? " (" + fam->display + ")" : std::string()) +
                " and no directory the loader searches holds it" +
                (others.empty() ? "." : "; only another major version is installed, and majors are not interchangeable.");
      f.fix = fam ? install_fix(s, c, *fam, r.name, in.know)
                  : "Install the package that provides " + r.name + ", or add its directory to LD_LIBRARY_PATH.";
      // The wheel that provides it is installed, yet its file is not there: only a forced reinstall restores it.
      auto pins = wheel_pins(s, c);
      auto* pin = fam ? pin_for_family(pins, *fam) : nullptr;
      bool in_wheel = pin && pin->installed &&
                      (pin->installed->record.missing_count > 0 ||
                       std::any_of(r.considered.begin(), r.considered.end(),
                                   [&](auto& p) { return p.starts_with(pin->installed->location + "/"); }));
      if (in_wheel) {
        f.add("wheel", pin->installed->name + " " + pin->installed->version + " is installed (" +
                           (pin->installed->record.missing_count > 0
                                ? std::to_string(pin->installed->record.missing_count) + " of its files are missing)"
                                : "its dist-info is there)"));
        f.cause = c.name + " was built against " + r.name + " (" + fam->display + "), which its wheel " +
                  pin->installed->name + " should hold; the wheel's files are gone while its dist-info stays, and no "
                  "other directory the loader searches holds it.";
        f.fix = pip_reinstall(pin->interpreter->path, pin->installed->name, pin->installed->version,
                              pin->installed->installer);
      }
    }
  }
}

// The command that puts back an intact copy of a damaged file, from what owns it.
std::string reinstall_fix(const Snapshot& s, const LibraryCopy* copy, const std::string& path, const Consumer& c) {
  std::string pkg = copy ? copy->package : "";
  if (pkg.starts_with("pip:")) {
    auto parts = split(pkg.substr(4), ' ', false);
    if (!parts.empty()) {
      // The tool that installed it in the framework's interpreter (pip or uv: INSTALLER) reinstalls it.
      std::string installer;
      if (auto* py = consumer_interpreter(s, c))
        for (auto& d : py->distributions)
          if (installer.empty() && dist_key(d.name) == dist_key(parts[0])) installer = d.installer;
      return pip_reinstall(consumer_python(s, c), parts[0], parts.size() > 1 ? parts[1] : "", installer);
    }
  }
  if (pkg.starts_with("nix:")) return "nix-store --verify --check-contents --repair   # the store path " + pkg.substr(4);
  if (pkg == "conda") return "conda install --force-reinstall <the package owning " + path + ">   (conda's `conda list --files` names it)";
  if (pkg == "deb")
    return "sudo apt-get install --reinstall \"$(dpkg -S " + shell_quote(path) + " | cut -d: -f1)\"";
  return "Reinstall the package that provides " + path + " (or copy it again from its source: the file on disk is incomplete).";
}

void damaged(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  std::set<std::string> done;
  for (auto& c : s.libraries.consumers) {
    for (auto& r : c.loads) {
      // Two kinds, as glibc behaves: the loader stops at a file whose headers it cannot read ("file too short",
      // "invalid ELF header", "cannot read file data": that load fails), or it maps a file cut short after its
      // headers and the process dies with SIGBUS when it touches the missing part.
      std::string path, why;
      bool crashes = false;
      if (auto stop = damaged_stop(r); !stop.empty()) {
        auto at = stop.find(" (invalid");
        path = stop.substr(0, at);
        why = stop.substr(at + 2, stop.size() - at - 3);
        if (why.starts_with("invalid: ")) why = why.substr(9);
        if (why.starts_with(path + ": ")) why = why.substr(path.size() + 2);
      } else if (!r.damage.empty() && !r.path.empty()) {
        path = r.path;
        why = r.damage;
        crashes = true;
      } else {
        continue;
      }
      if (!done.insert(c.name + "\n" + path).second) continue;
      const LibraryCopy* copy = nullptr;
      for (auto& cp : s.libraries.copies)
        if (cp.path == path || cp.realpath == path) copy = &cp;
      // A dlopen that fails can be caught by the program (cuDNN then opens the copy beside itself); a DT_NEEDED
      // that fails, or a crash, cannot.
      bool soft = !crashes && (r.kind == "dlopen" || r.when == "on-demand");
      auto& f = e.emit(c.name + (crashes ? " would crash loading " : " cannot load ") + r.name + ": " + path + " is damaged",
                       soft ? Severity::Warning : Severity::Error);
      f.subject = path;
      f.add("file", path + (copy && copy->size ? " (" + std::to_string(copy->size) + " bytes)" : ""));
      f.add("problem", why);
      f.add("needed by", (r.requested_by.empty() ? c.name : r.requested_by) + (r.kind == "dlopen" ? " (dlopen)" : ""));
      if (copy && !copy->package.empty()) f.add("package", copy->package);
      std::string origin = "The file is cut short or corrupt (an interrupted download, copy or unpack, or a full disk). ";
      if (crashes)
        f.cause = origin + "Its headers are whole, so the loader maps it; " + c.name +
                  " then dies with SIGBUS (\"Bus error\") when it first touches the missing part.";
      else if (soft)
        f.cause = origin + "The loader stops at the first file of that name it finds instead of looking further, so this "
                  "dlopen fails (\"file too short\", \"invalid ELF header\"); some libraries then try a copy of their own "
                  "(cuDNN opens the one beside itself), others lose the feature.";
      else
        f.cause = origin + "The loader stops at the first file of that name it finds instead of looking further, so " + c.name +
                  " fails to load with \"" + r.name + ": file too short\" or \"invalid ELF header\".";
      f.fix = reinstall_fix(s, copy, path, c);
      if (r.reason.starts_with("LD_LIBRARY_PATH") || (copy && copy->origin == "LD_LIBRARY_PATH") ||
          std::any_of(r.considered.begin(), r.considered.end(), [&](auto& x) { return x == path; })) {
        auto dir = dir_name(path);
        auto llp = ld_library_path(s);
        if (std::find(llp.begin(), llp.end(), dir) != llp.end())
          f.fix += "\nor, if that directory should not be searched: " + ld_library_path_without(s, {dir});
      }
    }
  }
}

void shadowed_by_ld_library_path(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  for (auto& c : s.libraries.consumers) {
    std::vector<std::pair<const Resolution*, const LibraryCopy*>> hits;
    std::set<std::string> seen;
    for (auto& r : c.loads)
      if (!r.reused && !r.path.empty())
        if (auto* w = newer_wheel_copy(s, r); w && seen.insert(r.name).second) hits.push_back({&r, w});
    if (hits.empty()) continue;
    auto& f = e.emit("LD_LIBRARY_PATH makes " + c.name + " load an older " +
                     (hits[0].first->family.empty() ? hits[0].first->name : hits[0].first->family) +
                     " than the wheel it ships with");
    f.subject = c.name;
    std::vector<std::string> dirs;
    for (auto& [r, w] : hits) {
      f.add(r->name, r->path + (r->version.empty() ? "" : " (" + r->version + ")") + " via " + r->reason);
      f.add("wheel copy", w->path + (w->version.empty() ? "" : " (" + w->version + ")"));
      auto d = dir_name(r->path);
      if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
    }
    f.add("LD_LIBRARY_PATH", *s.getenv("LD_LIBRARY_PATH"));
    f.cause = "LD_LIBRARY_PATH is searched before the RUNPATH of the libraries that load these, so the system copies in " +
              join(dirs, ", ") + " win over the newer ones in site-packages" +
              (hits.size() > 1 || hits[0].first->family == "cudnn"
                   ? " (a mix of builds: the framework's checks then fail or it crashes in the library)."
                   : ".");
    f.fix = ld_library_path_without(s, dirs) + "   # the wheels carry their own CUDA libraries";
  }
}

void mixed_versions(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  for (auto& c : s.libraries.consumers) {
    std::map<std::string, std::vector<const Resolution*>> by_family;
    std::set<std::string> shadowed;
    for (auto& r : c.loads) {
      if (r.reused || r.path.empty() || !r.damage.empty() || r.family.empty() || r.family == "cuda" || r.family == "nvidia-ml") continue;
      by_family[r.family].push_back(&r);
      if (newer_wheel_copy(s, r)) shadowed.insert(r.family);
    }
    for (auto& [fam, rs] : by_family) {
      if (shadowed.count(fam)) continue;  // library.ld-library-path-shadows-wheel names that cause
      std::set<std::string> versions, majors, dirs;
      std::map<std::string, std::set<std::string>> majors_by_stem;
      for (auto* r : rs) {
        if (!r->version.empty()) versions.insert(Version::parse(r->version) ? Version::parse(r->version)->str() : r->version);
        auto stem = r->name.substr(0, r->name.find(".so"));
        majors_by_stem[stem].insert(soname_major(r->name));
        dirs.insert(dir_name(r->path));
      }
      bool two_majors = false;
      for (auto& [stem, ms] : majors_by_stem) two_majors |= ms.size() > 1;
      bool two_builds = versions.size() > 1 && dirs.size() > 1;
      if (!two_majors && !two_builds) continue;
      auto* f_ = in.know.library_family(fam);
      auto& f = e.emit(c.name + " loads two " + (two_majors ? "major versions" : "builds") + " of " +
                           (f_ ? f_->display : fam),
                       two_majors ? Severity::Warning : Severity::Error);
      f.subject = c.name;
      for (auto* r : rs) f.add(r->name, r->path + (r->version.empty() ? "" : " (" + r->version + ")") + " via " + r->reason);
      f.cause = two_majors ? "Two majors of the same library end up in one process; each caller binds to the one it "
                             "names, and the first loaded wins for any later dlopen of that name."
                           : "Parts of one library come from different installations (" + join({dirs.begin(), dirs.end()}, ", ") +
                                 "); its pieces check each other's version and fail, or crash.";
      // A copy a variable brought in (a preload, an LD_LIBRARY_PATH entry) is taken out there; otherwise the
      // loader's configuration or the installation itself is the cause, never a variable.
      std::vector<std::string> lines;
      for (auto* r : rs)
        if (r->reason.starts_with("LD_LIBRARY_PATH") || r->reason.starts_with("LD_PRELOAD") ||
            r->reason.starts_with("/etc/ld.so.preload"))
          if (auto l = off_loader_path(s, r->path); std::find(lines.begin(), lines.end(), l) == lines.end())
            lines.push_back(l);
      f.fix = !lines.empty() ? join(lines, "\n")
                             : "Keep one installation on the loader's path: take the other directory out of "
                               "/etc/ld.so.conf.d (then sudo ldconfig), or uninstall the extra copy.";
    }
  }
}

void driver_too_old(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  std::string driver = !s.kernel.version.empty() ? s.kernel.version : s.nvml.driver_version;
  if (driver.empty()) return;
  for (auto& c : s.libraries.consumers) {
    const Resolution* rt = nullptr;
    const Resolution* cuda = nullptr;
    for (auto& r : c.loads) {
      if (r.family == "cudart" && !r.path.empty() && !rt) rt = &r;
      if (r.family == "cuda" && !r.path.empty() && !cuda) cuda = &r;
    }
    if (!rt || rt->version.empty()) continue;
    auto d = in.know.driver_supports_cuda(driver, rt->version);
    if (!d.known || d.runs) continue;
    // A cuda-compat libcuda (forward compatibility) that is new enough lets it run.
    if (cuda && contains(cuda->path, "/compat/") && !cuda->version.empty() &&
        in.know.driver_supports_cuda(cuda->version, rt->version).runs)
      continue;
    auto v = Version::parse(rt->version);
    std::string cuda_ver = v ? std::to_string(v->major()) + "." + std::to_string(v->minor()) : rt->version;
    auto& f = e.emit(c.name + " loads the CUDA " + cuda_ver + " runtime, which needs a newer driver than " + driver);
    f.subject = c.name;
    f.add("runtime", rt->path + " (" + rt->version + ")");
    f.add("driver", driver + (s.cuda.driver_version ? " (CUDA " + cuda_version_string(s.cuda.driver_version) + ")" : ""));
    f.add("needs", "driver >= " + d.minimum + (d.minimum != d.needed ? " (minor-version compatibility; " + d.needed +
                                                                          " for every feature)"
                                                                    : ""));
    f.cause = "The CUDA runtime " + c.name + " ships is newer than the installed driver supports, even with "
              "minor-version compatibility; CUDA calls fail with cudaErrorInsufficientDriver (35).";
    f.fix = "Upgrade the NVIDIA driver to " + d.minimum + " or newer, or install a " + c.name +
            " build for CUDA " + in.know.newest_cuda_for_driver(driver) + " or older." +
            (s.host.container.empty() ? "" : "\n# datacenter GPUs: the cuda-compat package for CUDA " + cuda_ver +
                                                 " on the LD_LIBRARY_PATH also works");
  }
}

void stub_on_runpath(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  for (auto& c : s.libraries.consumers)
    for (auto& r : c.loads) {
      if (r.family != "cuda" || r.path.empty() || r.reused) continue;
      bool stub = contains(r.realpath, "/stubs/");
      for (auto& cp : s.libraries.copies)
        if (cp.realpath == r.realpath && cp.stub) stub = true;
      // Through LD_LIBRARY_PATH it is the driver family's finding (driver.stub-libcuda, driver.stub-on-loader-path).
      if (!stub || r.reason.starts_with("LD_LIBRARY_PATH")) continue;
      auto& f = e.emit(c.name + " resolves libcuda to the CUDA toolkit's stub");
      f.subject = c.name;
      f.add(r.name, r.path + " via " + r.reason);
      if (!r.requested_by.empty()) f.add("requested by", r.requested_by);
      for (auto& cp : s.libraries.copies)
        if (cp.name == "cuda" && !cp.stub) {
          f.add("real driver", cp.path);
          break;
        }
      bool cache = r.reason == "ld.so.cache" || r.reason.starts_with("default path");
      f.cause = std::string("The stub libcuda comes before the real driver on ") +
                (cache ? "the loader's configured path (/etc/ld.so.conf.d)" : "the library's own search path (" + r.reason + ")") +
                ", so every CUDA call fails with CUDA_ERROR_STUB_LIBRARY (34).";
      f.fix = cache ? "grep -rl stubs /etc/ld.so.conf.d/   # remove that line, then: sudo ldconfig"
                    : "Relink without the stubs directory in -Wl,-rpath (stubs are for linking only), or: patchelf "
                      "--remove-rpath " + (r.requested_by.empty() ? c.location : r.requested_by);
      break;
    }
}

void wrong_arch(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  for (auto& c : s.libraries.consumers) {
    std::set<std::string> done;
    for (auto& r : c.loads) {
      if (!wrong_arch_skip(r) || !done.insert(r.name).second) continue;
      auto& f = e.emit(c.name + ": " + r.name + " on the loader's path is built for another CPU architecture",
                       r.path.empty() ? Severity::Error : Severity::Warning);
      f.subject = c.name;
      for (auto& sk : r.skipped) f.add("skipped", sk);
      f.add("machine", s.host.arch);
      f.add("resolved", r.path.empty() ? "nothing: the library cannot load" : r.path);
      f.cause = "The loader passes over libraries of the wrong class or machine (" + s.host.arch + " needed)" +
                (r.path.empty() ? ", and no copy for this machine exists." : "; a copy further down the path is used.");
      f.fix = r.path.empty() ? "Install the " + s.host.arch + " build of " + r.name + " (a wheel or package for this platform)."
                             : "Remove the foreign-architecture copy from the loader's path: " + dir_name(r.skipped.front());
    }
  }
}

std::vector<ComputeCapability> gpu_ccs(const Snapshot& s) {
  std::set<ComputeCapability> out;
  for (auto& d : s.cuda.devices)
    if (d.cc_major) out.insert({d.cc_major, d.cc_minor});
  for (auto& d : s.nvml.devices)
    if (d.cc_major) out.insert({d.cc_major, d.cc_minor});
  return {out.begin(), out.end()};
}

// What each GPU can run of each file's code: model/reports.hpp's judge_fatbins, the verdict of `ldd --fatbin` too.
void kernels(const CheckInput& in, Emitter& e, bool jit_only) {
  auto& s = in.snap;
  std::vector<LddGpu> gpus;
  for (auto& cc : gpu_ccs(s)) gpus.push_back({cc.str(), cc});
  for (auto& c : s.libraries.consumers) {
    auto verdicts = judge_fatbins(c.kernels, gpus);
    for (std::size_t g = 0; g < gpus.size(); ++g) {
      auto& cc = gpus[g].cc;
      std::vector<const FatbinInfo*> none, jit;
      for (auto& v : verdicts)
        if (v.gpu == g && v.coverage != TargetCoverage::Sass)
          (v.coverage == TargetCoverage::None ? none : jit).push_back(&c.kernels[v.file]);
      auto& list = jit_only ? jit : none;
      if (list.empty()) continue;
      std::string sm = cc.sm();
      auto& f = jit_only ? e.emit(c.name + " has no " + sm + " machine code: kernels are JIT-compiled from PTX",
                                  Severity::Warning)
                         : e.emit(c.name + " carries no GPU code for compute capability " + cc.str() + " (" + sm + ")");
      f.subject = c.name;
      for (auto* k : list)
        f.add(base_name(k->path), "SASS " + (k->sass.empty() ? std::string("none") : join(k->sass, " ")) + "; PTX " +
                                      (k->ptx.empty() ? std::string("none") : join(k->ptx, " ")));
      f.add("GPU", "compute capability " + cc.str());
      if (jit_only) {
        f.cause = "The driver compiles the PTX for " + sm + " at the first launch of each kernel: minutes of start-up "
                  "(cached in ~/.nv/ComputeCache) and possibly slower kernels.";
        f.fix = "Install a " + c.name + " build that lists " + sm + " (e.g. a wheel for a newer CUDA), or keep the JIT "
                "cache: export CUDA_CACHE_MAXSIZE=4294967296";
      } else {
        auto first = in.know.first_cuda_for_cc(cc.str());
        f.cause = "Neither SASS for " + sm + " nor PTX that could be JIT-compiled for it is in these files: kernels fail "
                  "with \"no kernel image is available for execution on the device\".";
        f.fix = "Install a " + c.name + " build compiled for " + sm +
                (first.empty() ? std::string(".") : " (CUDA " + first + " or newer; e.g. the cu128 or cu130 wheels).");
      }
    }
  }
}

void no_kernel(const CheckInput& in, Emitter& e) { kernels(in, e, false); }
void ptx_only(const CheckInput& in, Emitter& e) { kernels(in, e, true); }

}  // namespace

void add_library_checks(std::vector<CheckDef>& out) {
  out.push_back({"library.not-found", Severity::Error,
                 "A library a framework needs (DT_NEEDED or dlopen) resolves nowhere; names the package", not_found});
  out.push_back({"library.damaged", Severity::Error,
                 "A library a framework loads is truncated or corrupt: the loader stops at it, or maps it and crashes (SIGBUS)", damaged});
  out.push_back({"library.wrong-arch", Severity::Error,
                 "A library on the loader's path is built for another CPU architecture", wrong_arch});
  out.push_back({"library.ld-library-path-shadows-wheel", Severity::Error,
                 "LD_LIBRARY_PATH makes a framework load an older copy than its pip wheel", shadowed_by_ld_library_path});
  out.push_back({"library.mixed-versions", Severity::Error,
                 "Two majors or builds of one CUDA library end up in one framework's process", mixed_versions});
  out.push_back({"library.wrong-version", Severity::Error,
                 "A CUDA library a framework loads is not the release its nvidia-* wheels pin (or not the SONAME major "
                 "it asks for), whatever led the loader there; the fix acts on that cause", wrong_version});
  out.push_back({"library.stub-libcuda", Severity::Error,
                 "A framework's RPATH/RUNPATH or ld.so.conf reaches the toolkit's stub libcuda first", stub_on_runpath});
  out.push_back({"library.driver-too-old", Severity::Error,
                 "The CUDA runtime a framework loads needs a newer driver (minor-version compat and cuda-compat considered)",
                 driver_too_old});
  out.push_back({"library.no-kernel-for-gpu", Severity::Error,
                 "A framework's GPU code has neither SASS nor PTX for the GPU's compute capability", no_kernel});
  out.push_back({"library.ptx-jit-only", Severity::Warning,
                 "A framework has only PTX for the GPU: kernels are JIT-compiled at start-up", ptx_only});
}

}  // namespace gpuenv
