// CUDA user-space libraries: every copy on disk (driver, toolkit, system
// packages, pip wheels, conda, Nix, WSL, stubs, cuda-compat), and for each
// framework found in site-packages the files its process would load, step by
// step as the framework does it (libraries.toml [[framework]]), resolved with
// glibc's rules (src/elf/resolver.hpp), plus the GPU code those files carry.
#include "probe/libraries.hpp"

#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "elf/fatbin.hpp"
#include "probe/probes.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

struct Dir {
  std::string path;
  std::string origin;
};

std::string version_from_name(const std::string& real_base, const std::string& soname_base) {
  // libcudnn.so.9.14.0 -> 9.14.0; libcuda.so.580.159.04 -> 580.159.04; libcudnn.so.9 -> "" (only the major)
  auto pos = real_base.find(".so.");
  if (pos == std::string::npos) return "";
  auto v = real_base.substr(pos + 4);
  if (v.find('.') == std::string::npos && (soname_base.empty() || real_base == soname_base)) return "";
  return v;
}

// The fallback until the Python probe fills s.python (issue 4): site-packages
// of the usual places, found from files only, never by running Python.
std::vector<std::string> fallback_site_dirs(const ProbeContext& ctx) {
  auto& fs = ctx.fs;
  std::vector<std::string> prefixes;
  for (const char* var : {"VIRTUAL_ENV", "CONDA_PREFIX"})
    if (auto v = ctx.getenv_or(var); !v.empty()) prefixes.push_back(v);
  if (auto pwd = ctx.getenv_or("PWD"); !pwd.empty()) prefixes.push_back(pwd + "/.venv");
  for (auto& d : split(ctx.getenv_or("PATH"), ':', false)) {  // python3 on PATH -> its prefix
    auto real = fs.realpath(d + "/python3");
    if (!real) continue;
    if (fs.exists(dir_name(d) + "/pyvenv.cfg")) prefixes.push_back(dir_name(d));  // a venv's bin/
    prefixes.push_back(dir_name(dir_name(*real)));
    break;
  }
  prefixes.push_back("/usr/local");
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& p) {
    auto real = fs.realpath(p);
    if (real && fs.is_dir(*real) && seen.insert(*real).second) out.push_back(p);
  };
  for (auto& p : prefixes)
    for (auto& py : fs.list(p + "/lib"))
      if (py.starts_with("python3")) {
        add(p + "/lib/" + py + "/site-packages");
        add(p + "/lib/" + py + "/dist-packages");
      }
  for (auto& py : fs.list("/usr/lib"))
    if (py.starts_with("python3")) add("/usr/lib/" + py + "/dist-packages");
  return out;
}

}  // namespace

std::vector<std::string> site_package_dirs(const ProbeContext& ctx, const Snapshot& s) {
  if (s.python.interpreters.empty()) return fallback_site_dirs(ctx);
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (auto& in : s.python.interpreters)
    for (auto& e : in.sys_path)
      if ((e.origin == "site-packages" || e.origin == "dist-packages" || e.origin == "user-site" ||
           e.origin == "PYTHONPATH" || e.origin == "pth") &&
          ctx.fs.is_dir(e.path) && seen.insert(e.path).second)
        out.push_back(e.path);
  return out;
}

elf::LoaderConfig loader_config(const ProbeContext& ctx, const Snapshot& s, const std::string& arch) {
  // Unknown (a --root tree without /proc/sys/kernel/arch): the machine this gpuenv was built for.
  std::string a = !arch.empty() ? arch : !s.host.arch.empty() ? s.host.arch : elf::machine_name(elf::kOwnMachine);
  return elf::loader_config_for(ctx.fs, a, ctx.getenv("LD_LIBRARY_PATH"), ctx.getenv("LD_PRELOAD"));
}

const elf::Resolver& resolver_for_file(const ProbeContext& ctx, const Snapshot& s, const elf::Resolver& host,
                                       const std::string& path, std::optional<elf::Resolver>& other) {
  const elf::ElfInfo* info = host.info(path);
  if (!info || info->machine == host.config().machine || info->elf_class != 64 ||
      (info->machine != EM_X86_64 && info->machine != EM_AARCH64))
    return host;
  if (!other || other->config().machine != info->machine)
    other.emplace(ctx.fs, loader_config(ctx, s, elf::machine_name(info->machine)));
  return *other;
}

FatbinInfo read_fatbin(const Fs& fs, const std::string& path) {
  FatbinInfo out;
  out.path = path;
  auto m = elf::MappedFile::open(fs, path);
  if (!m) {
    out.error = m.error();
    return out;
  }
  auto info = elf::read_elf(**m);
  if (!info) {
    out.error = info.error();
    return out;
  }
  if (!info->may_have_fatbin()) return out;
  auto bytes = [&](std::uint64_t off, std::uint64_t size) {
    return std::string_view(reinterpret_cast<const char*>((*m)->data()) + off, size);
  };
  elf::FatbinSummary fb;
  if (info->fatbin_size > 0) {
    auto seq = elf::parse_fatbin(bytes(info->fatbin_offset, info->fatbin_size));
    if (!seq) {
      out.error = seq.error();
      return out;
    }
    fb = *seq;
    if (fb.containers > 0) out.sections.push_back(".nv_fatbin");
  }
  // Read within the file's bounds only (read_elf keeps the sections that lie inside it).
  for (auto& sec : info->data_sections)
    if (elf::scan_fatbins(bytes(sec.offset, sec.size), fb) > 0) out.sections.push_back(sec.name);
  out.sass = fb.sass;
  out.ptx = fb.ptx;
  return out;
}

namespace {

class Inventory {
 public:
  Inventory(const ProbeContext& ctx, const Knowledge& k, Snapshot& s) : ctx_(ctx), k_(k), s_(s) {}

  void scan_dir(const std::string& dir, const std::string& origin) {
    auto& fs = ctx_.fs;
    auto canon = fs.realpath(dir);
    if (!canon || !seen_dirs_.insert(*canon + "\t" + origin).second) return;
    // Directories like /usr/lib/x86_64-linux-gnu hold thousands of files: match names before building paths.
    auto norm_dir = normalize_path(dir);
    for (auto& name : fs.list(dir, /*sorted=*/false)) {
      if (name.size() < 6 || name.compare(0, 3, "lib") != 0 || name.find(".so") == std::string::npos) continue;
      if (!k_.library_family_for_file(name)) continue;
      matched_.push_back(name);
    }
    std::sort(matched_.begin(), matched_.end());
    for (auto& name : matched_) add_file(norm_dir == "/" ? "/" + name : norm_dir + "/" + name, origin);
    matched_.clear();
  }

  void add_file(const std::string& path, const std::string& origin) {
    auto& fs = ctx_.fs;
    auto name = base_name(path);
    auto* fam = k_.library_family_for_file(name);
    if (!fam) return;
    auto real = fs.realpath(path);
    if (!real || !seen_real_.insert(*real).second) return;  // dangling link, or a copy already listed
    auto st = fs.stat(*real);
    if (st.kind != FileKind::Regular) return;
    LibraryCopy c;
    c.name = fam->name;
    c.path = path;
    c.realpath = *real;
    c.size = st.size;
    c.stub = contains(*real, "/stubs/") || origin == "cuda-stubs";
    c.origin = c.stub ? "cuda-stubs" : origin;
    auto head = fs.read_opt(*real, 4);
    if (head && elf::looks_like_elf(*head)) {
      auto info = elf::read_elf(fs, *real);
      if (info) {
        c.soname = info->soname;
        c.arch = elf::machine_name(info->machine, info->elf_class);
        c.elf_class = info->elf_class;
        if (!info->damage.empty()) {
          c.elf_error = info->damage;
          s_.probe_errors.push_back("library " + path + ": " + info->damage);
        }
      } else {
        c.elf_error = info.error();
        s_.probe_errors.push_back("library " + path + ": " + info.error());
      }
    }
    if (c.soname.empty()) {  // from the file name: libcuda.so.580.159.04 -> libcuda.so.1 for the driver
      if (fam->driver) c.soname = fam->stems[0] + ".so.1";
      else if (auto p = name.find(".so."); p != std::string::npos)
        c.soname = name.substr(0, name.find('.', p + 4));
      else c.soname = name;
    }
    c.version = version_from_name(base_name(*real), c.soname);
    if (fam->driver && c.version == "1") c.version.clear();
    c.package = owner(c, *fam);
    s_.libraries.copies.push_back(std::move(c));
  }

 private:
  std::string owner(LibraryCopy& c, const LibraryFamily& fam) {
    auto& p = c.realpath;
    if (p.starts_with("/nix/store/")) {
      auto end = p.find('/', 11);
      return "nix:" + p.substr(0, end);
    }
    if (auto pos = p.find("/site-packages/nvidia/"); pos != std::string::npos) {
      auto site = p.substr(0, pos + 14);
      for (auto& [major, dist] : fam.pip) {
        auto norm = replace_all(to_lower(dist), "-", "_");
        for (auto& e : list_cached(site))
          if (e.starts_with(norm + "-") && e.ends_with(".dist-info")) {
            auto ver = e.substr(norm.size() + 1, e.size() - norm.size() - 1 - 10);
            if (c.version.empty()) c.version = ver;
            return "pip:" + dist + " " + ver;
          }
      }
      return "pip";
    }
    auto conda = ctx_.getenv_or("CONDA_PREFIX");
    if ((!conda.empty() && p.starts_with(conda + "/")) || (contains(p, "/envs/") && contains(p, "conda")))
      return "conda";
    if (p.starts_with("/usr/lib/") || p.starts_with("/lib/") || p.starts_with("/usr/local/cuda")) {
      for (auto& e : list_cached("/var/lib/dpkg/info")) {
        if (!e.ends_with(".list") || !contains(e, fam.name == "cuda" ? "nvidia" : fam.name)) continue;
        auto& text = read_cached("/var/lib/dpkg/info/" + e);
        if (contains(text, "\n" + p + "\n") || contains(text, "\n" + c.path + "\n") || text.starts_with(p + "\n"))
        {
          auto pkg = e.substr(0, e.size() - 5);
          if (auto colon = pkg.find(':'); colon != std::string::npos) pkg.resize(colon);
          return "deb:" + pkg;
        }
      }
    }
    return "";
  }
  const std::vector<std::string>& list_cached(const std::string& dir) {
    auto it = lists_.find(dir);
    if (it == lists_.end()) it = lists_.emplace(dir, ctx_.fs.list(dir)).first;
    return it->second;
  }
  const std::string& read_cached(const std::string& file) {
    auto it = files_.find(file);
    if (it == files_.end()) it = files_.emplace(file, "\n" + ctx_.fs.read_opt(file, 8u << 20).value_or("")).first;
    return it->second;
  }
  const ProbeContext& ctx_;
  const Knowledge& k_;
  Snapshot& s_;
  std::vector<std::string> matched_;
  std::set<std::string> seen_dirs_, seen_real_;
  std::map<std::string, std::vector<std::string>> lists_;
  std::map<std::string, std::string> files_;
};

const LibraryCopy* copy_for(const Snapshot& s, const std::string& realpath) {
  for (auto& c : s.libraries.copies)
    if (c.realpath == realpath) return &c;
  return nullptr;
}

// Converts the resolver's steps into the model, naming files by path.
void append_steps(const elf::Resolver& rs, const elf::Process& p, const std::vector<elf::Step>& steps, const std::string& when,
                  const std::string& kind_override, const Snapshot& s, const Knowledge& k,
                  Consumer& c) {
  for (auto& st : steps) {
    Resolution r;
    r.name = st.name;
    r.kind = kind_override.empty() || st.kind == "needed" ? st.kind : kind_override;
    r.when = when;
    if (st.parent >= 0) r.requested_by = p.objects()[size_t(st.parent)].path;
    r.path = st.path;
    if (!st.path.empty()) r.realpath = rs.realpath(st.path).value_or(st.path);
    if (auto* fam = k.library_family_for_file(base_name(st.path.empty() ? st.name : st.path))) r.family = fam->name;
    if (auto* cp = copy_for(s, r.realpath)) r.version = cp->version;
    // A reused object keeps the reason of a preload (LD_PRELOAD, /etc/ld.so.preload): that is why it is there.
    bool preloaded = st.reason.starts_with("LD_PRELOAD") || st.reason.starts_with("/etc/ld.so.preload");
    r.reason = st.reused && !preloaded ? "already loaded" : st.reason;
    r.reused = st.reused;
    r.depth = st.depth;
    r.considered = st.considered;
    r.skipped = st.skipped;
    if (st.object >= 0 && !st.reused) r.damage = p.objects()[size_t(st.object)].info.damage;
    c.loads.push_back(std::move(r));
  }
}

int find_object(const elf::Process& p, const std::string& prefix) {
  for (std::size_t i = 0; i < p.objects().size(); ++i) {
    auto& o = p.objects()[i];
    if (base_name(o.path).starts_with(prefix) || (!o.info.soname.empty() && o.info.soname.starts_with(prefix)))
      return int(i);
  }
  return -1;
}

std::vector<std::string> glob_dir(const Fs& fs, const std::string& rel_pattern, const std::string& base) {
  // One '*'-bearing component at most, in the file name (torch/_C.cpython-*.so).
  auto dir = base + "/" + dir_name(rel_pattern);
  auto pat = base_name(rel_pattern);
  std::vector<std::string> out;
  if (pat.find_first_of("*?[") == std::string::npos) {
    if (fs.exists(dir + "/" + pat)) out.push_back(normalize_path(dir + "/" + pat));
    return out;
  }
  for (auto& n : fs.list(dir))
    if (elf::glob_match(pat, n)) out.push_back(normalize_path(dir + "/" + n));
  return out;
}

struct FoundFramework {
  std::string name, version, site, interpreter;
};

std::vector<FoundFramework> find_frameworks(const ProbeContext& ctx, const Snapshot& s,
                                            const std::vector<std::string>& sites) {
  std::vector<FoundFramework> out;
  std::set<std::string> seen;
  // The copy each interpreter imports (not the shadowed ones), the active interpreter's first.
  std::vector<const Interpreter*> order;
  if (s.python.active >= 0 && size_t(s.python.active) < s.python.interpreters.size())
    order.push_back(&s.python.interpreters[size_t(s.python.active)]);
  for (auto& in : s.python.interpreters) order.push_back(&in);
  for (auto* in : order)
    for (auto& f : in->frameworks)
      if (f.shadowed_by.empty() && seen.insert(f.name).second)
        out.push_back({f.name, f.version, dir_name(f.location), in->realpath});
  if (!out.empty()) return out;
  // Fallback: the first site-packages holding each framework wins (sys.path order).
  for (auto& site : sites) {
    auto& fs = ctx.fs;
    if (!seen.count("torch") && fs.exists(site + "/torch/__init__.py")) {
      std::string ver;
      if (auto t = fs.read_opt(site + "/torch/version.py", 1 << 16))
        for (auto& line : split_lines(*t))
          if (line.starts_with("__version__")) ver = std::string(trim(replace_all(line.substr(line.find('=') + 1), "'", "")));
      seen.insert("torch");
      out.push_back({"torch", ver, site, ""});
    }
    if (!seen.count("jax") && (fs.is_dir(site + "/jax_plugins/xla_cuda13") || fs.is_dir(site + "/jax_plugins/xla_cuda12"))) {
      seen.insert("jax");
      out.push_back({"jax", "", site, ""});
    }
    if (!seen.count("cupy") && fs.exists(site + "/cupy/__init__.py")) {
      seen.insert("cupy");
      out.push_back({"cupy", "", site, ""});
    }
  }
  return out;
}

Consumer resolve_framework(const ProbeContext& ctx, const elf::Resolver& r, const Snapshot& s, const Knowledge& k,
                           const FoundFramework& fw, const FrameworkModel& model,
                           const std::vector<std::string>& sites) {
  Consumer c;
  c.name = fw.name;
  c.kind = "framework";
  c.version = fw.version;
  c.location = fw.site;
  c.interpreter = fw.interpreter;
  c.model = model.name + " (" + model.checked + ")";
  elf::Process p(r, fw.interpreter);
  auto& fs = ctx.fs;
  for (auto& step : model.steps) {
    std::vector<elf::Step> steps;
    if (!step.if_loaded.empty() && find_object(p, step.if_loaded) < 0) continue;
    if (step.kind == "load") {
      for (auto& file : glob_dir(fs, step.path, fw.site)) p.load_path(file, steps, "load");
    } else if (step.kind == "wheel" || step.kind == "pathfinder") {
      // The first sys.path entry holding nvidia/<dir>/lib/<file>, in the order of the dirs.
      std::string hit, via;
      for (auto& site : sites) {
        for (auto& d : step.dirs) {
          auto files = glob_dir(fs, "nvidia/" + d + "/lib/" + step.file, site);
          if (!files.empty()) {
            hit = files.front();
            via = "nvidia/" + d + "/lib";
            break;
          }
        }
        if (!hit.empty()) break;
      }
      if (hit.empty() && step.kind == "pathfinder") {
        auto conda = ctx.getenv_or("CONDA_PREFIX");
        auto files = conda.empty() ? std::vector<std::string>{} : glob_dir(fs, "lib/" + step.file, conda);
        if (!files.empty()) {
          hit = files.front();
          via = "conda: $CONDA_PREFIX/lib";
        }
      }
      if (!hit.empty()) {
        std::size_t before = steps.size();
        p.load_path(hit, steps, "preload");
        if (steps.size() > before && steps[before].reason == "path")
          steps[before].reason = (step.kind == "wheel" ? "site-packages: " : "cuda-pathfinder: ") + via;
      } else if (step.kind == "pathfinder" && !step.name.empty()) {
        std::size_t before = steps.size();
        p.dlopen(step.name, -1, steps);
        if (steps.size() > before && steps[before].path.empty()) {
          auto home = ctx.getenv_or("CUDA_HOME").empty() ? ctx.getenv_or("CUDA_PATH") : ctx.getenv_or("CUDA_HOME");
          if (!home.empty() && fs.exists(home + "/lib64/" + step.name)) {
            steps.resize(before);
            p.load_path(home + "/lib64/" + step.name, steps, "preload");
            steps[before].reason = "cuda-pathfinder: $CUDA_HOME/lib64";
          }
        }
      } else {
        continue;  // the framework skips a wheel that is not installed
      }
    } else if (step.kind == "dlopen") {
      int caller = -1;
      if (!step.from.empty()) {
        caller = find_object(p, step.from);
        if (caller < 0) continue;  // the calling library is not loaded: this load never happens
      }
      std::string name = step.name;
      if (!step.name_glob.empty()) {
        if (caller < 0) continue;
        auto dir = dir_name(p.objects()[size_t(caller)].path);
        for (auto& n : fs.list(dir))
          if (elf::glob_match(step.name_glob, n) && !contains(n, ".alt.")) {
            name = n;
            break;
          }
        if (name.empty()) continue;
        // NVRTC opens its builtins by the full path of its own directory, not by name.
        if (step.beside) name = path_join(dir, name);
      }
      p.dlopen(name, caller, steps);
    }
    append_steps(r, p, steps, step.when, "", s, k, c);
  }
  // GPU code of the framework's own files (not the NVIDIA libraries it loads).
  std::set<std::string> scanned;
  for (auto& o : p.objects()) {
    if (!o.path.starts_with(fw.site + "/") || contains(o.path, "/site-packages/nvidia/")) continue;
    if (!scanned.insert(o.realpath).second || !o.info.may_have_fatbin()) continue;
    c.kernels.push_back(read_fatbin(fs, o.path));
  }
  return c;
}

}  // namespace

Consumer resolve_file(const ProbeContext& ctx, const elf::Resolver& r, const Snapshot& s, const std::string& path,
                      bool fatbin) {
  auto& k = Knowledge::get();
  Consumer c;
  c.name = base_name(path);
  c.kind = "file";
  c.location = path;
  elf::Process p(r);
  std::vector<elf::Step> steps;
  p.load_path(path, steps, "load");
  append_steps(r, p, steps, "import", "", s, k, c);
  if (fatbin) {
    std::set<std::string> scanned;
    for (auto& o : p.objects())
      // The file asked about is searched whatever its sections; the libraries it loads when they carry fatbins
      // or the runtime's wrappers of them.
      if ((o.info.may_have_fatbin() || o.path == path) && scanned.insert(o.realpath).second) {
        auto code = read_fatbin(ctx.fs, o.path);
        if (o.info.may_have_fatbin() || !code.sections.empty()) c.kernels.push_back(std::move(code));
      }
  }
  return c;
}

// The directories where driver libraries and their look-alikes live, in the loader's order first.
static void scan_driver_dirs(const ProbeContext& ctx, const elf::LoaderConfig& cfg, Inventory& inv) {
  for (auto& d : cfg.ld_library_path) inv.scan_dir(d, "LD_LIBRARY_PATH");
  for (auto& d : elf::read_ld_so_conf(ctx.fs)) inv.scan_dir(d, "ld.so.conf");
  for (const char* d : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                        "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"})
    inv.scan_dir(d, "default");
  inv.scan_dir("/run/opengl-driver/lib", "nixos-driver");
  inv.scan_dir("/usr/lib/wsl/lib", "wsl");
  for (const char* d : {"/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/nvidia", "/usr/lib64/nvidia",
                        "/usr/lib/x86_64-linux-gnu/nvidia/current"})
    inv.scan_dir(d, "driver-dir");
}

static std::vector<std::string> toolkit_dirs(const ProbeContext& ctx) {
  std::vector<std::string> toolkits;
  auto add = [&](std::string d) {
    d = normalize_path(d);
    if (std::find(toolkits.begin(), toolkits.end(), d) == toolkits.end()) toolkits.push_back(std::move(d));
  };
  for (auto& name : ctx.fs.list("/usr/local"))
    if (name.starts_with("cuda")) add("/usr/local/" + name);
  add("/opt/cuda");
  for (const char* var : {"CUDA_HOME", "CUDA_PATH"})
    if (auto v = ctx.getenv_or(var); !v.empty()) add(v);
  return toolkits;
}

// i386 multiarch and biarch directories (ld.so.conf lists them on 64-bit systems with 32-bit support):
// the loader skips their libraries for a 64-bit program.
static bool is_32bit_library_dir(std::string_view d) {
  while (d.size() > 1 && d.back() == '/') d.remove_suffix(1);
  return d.find("/i386-linux-gnu") != std::string_view::npos || d.find("/i686-linux-gnu") != std::string_view::npos ||
         d.ends_with("/lib32") || d.find("/lib32/") != std::string_view::npos;
}

void probe_driver_libraries(const ProbeContext& ctx, Snapshot& s) {
  // `gpuenv run` pays for this on every start: no directory listings of the big system directories, no
  // ELF reads, no knowledge parse. libcuda.so.1 is the driver's ABI name; stub directories hold libcuda.so.
  auto& fs = ctx.fs;
  std::vector<std::pair<std::string, std::string>> dirs;  // directory, origin
  if (auto v = ctx.getenv_or("LD_LIBRARY_PATH"); !v.empty())
    for (auto& d : split(v, ':', false)) dirs.push_back({d, "LD_LIBRARY_PATH"});
  for (auto& d : elf::read_ld_so_conf(fs))
    if (!is_32bit_library_dir(d)) dirs.push_back({d, "ld.so.conf"});  // gpuenv and its programs are 64-bit
#if defined(__aarch64__)
  for (const char* d : {"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"})
#else
  for (const char* d : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"})
#endif
    dirs.push_back({d, "default"});
  dirs.push_back({"/run/opengl-driver/lib", "nixos-driver"});
  dirs.push_back({"/usr/lib/wsl/lib", "wsl"});
  for (const char* d : {"/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/nvidia", "/usr/lib64/nvidia",
                        "/usr/lib/x86_64-linux-gnu/nvidia/current"})
    dirs.push_back({d, "driver-dir"});
  for (auto& base : toolkit_dirs(ctx)) {
    dirs.push_back({base + "/lib64/stubs", "cuda-stubs"});
    dirs.push_back({base + "/compat", "cuda-compat"});
    for (auto& t : fs.list(base + "/targets")) dirs.push_back({base + "/targets/" + t + "/lib/stubs", "cuda-stubs"});
  }
  std::set<std::string> seen, looked;
  for (auto& [dir_in, origin] : dirs) {
    // Most of these directories do not exist on a given machine: one stat each, not one per name.
    std::string dir = normalize_path(dir_in);
    if (!looked.insert(dir).second || !fs.is_dir(dir)) continue;
    // libcuda only: activation places the driver's directory by it (NVML lives beside it).
    for (const char* name : {"libcuda.so.1", "libcuda.so"}) {
      std::string path = path_join(dir, name);
      if (fs.lstat(path).kind == FileKind::Missing) continue;
      auto real = fs.realpath(path);
      if (!real || !seen.insert(*real).second) continue;
      auto st = fs.stat(*real);
      if (st.kind != FileKind::Regular) continue;
      bool cuda = std::string_view(name).starts_with("libcuda");
      LibraryCopy c;
      c.name = cuda ? "cuda" : "nvidia-ml";
      c.path = path;
      c.realpath = *real;
      c.size = st.size;
      c.soname = cuda ? "libcuda.so.1" : "libnvidia-ml.so.1";
      c.stub = contains(*real, "/stubs/") || origin == "cuda-stubs";
      c.origin = c.stub ? "cuda-stubs" : origin;
      c.version = version_from_name(base_name(*real), c.soname);
      if (c.version == "1") c.version.clear();
      s.libraries.copies.push_back(std::move(c));
    }
  }
}

void probe_libraries(const ProbeContext& ctx, Snapshot& s) {
  auto& k = Knowledge::get();
  auto& fs = ctx.fs;
  auto sites = site_package_dirs(ctx, s);
  s.libraries.site_dirs = sites;
  auto cfg = loader_config(ctx, s);
  if (!cfg.cache_error.empty()) s.probe_errors.push_back(cfg.cache_error);
  s.libraries.ld_cache_format = cfg.cache ? cfg.cache->format : "";
  s.libraries.system_dirs = cfg.system_dirs;
  s.libraries.hwcaps = cfg.hwcaps;

  // 1. Inventory, in the loader's order first so that a file's origin is the way the loader meets it.
  Inventory inv(ctx, k, s);
  scan_driver_dirs(ctx, cfg, inv);
  for (auto& base : toolkit_dirs(ctx)) {
    inv.scan_dir(base + "/lib64/stubs", "cuda-stubs");
    inv.scan_dir(base + "/compat", "cuda-compat");
    for (auto& t : fs.list(base + "/targets")) {
      inv.scan_dir(base + "/targets/" + t + "/lib/stubs", "cuda-stubs");
      inv.scan_dir(base + "/targets/" + t + "/lib", "cuda-toolkit");
    }
    inv.scan_dir(base + "/lib64", "cuda-toolkit");
    inv.scan_dir(base + "/lib", "cuda-toolkit");
  }
  for (auto& site : sites)
    for (auto& pkg : fs.list(site + "/nvidia")) inv.scan_dir(site + "/nvidia/" + pkg + "/lib", "site-packages");
  if (auto conda = ctx.getenv_or("CONDA_PREFIX"); !conda.empty()) inv.scan_dir(conda + "/lib", "conda");

  // 2. What each framework loads, after the objects every process preloads.
  elf::Resolver r(fs, cfg);
  if (!cfg.preload.empty()) {
    elf::Process p(r);
    for (auto& st : p.preloads()) {
      Preload pl;
      auto colon = st.reason.find(": ");
      pl.source = st.reason.substr(0, colon);
      pl.entry = st.name;
      pl.path = st.path;
      if (!st.path.empty()) {
        pl.realpath = r.realpath(st.path).value_or(st.path);
        if (st.object >= 0) pl.soname = p.objects()[size_t(st.object)].info.soname;
        inv.add_file(st.path, pl.source);
      }
      if (auto* fam = k.library_family_for_file(base_name(st.path.empty() ? st.name : st.path))) pl.family = fam->name;
      s.libraries.preload.push_back(std::move(pl));
    }
  }
  for (auto& fw : find_frameworks(ctx, s, sites)) {
    auto* model = k.framework_model(fw.name);
    if (!model) continue;
    auto c = resolve_framework(ctx, r, s, k, fw, *model, sites);
    // Copies met only through a consumer (Nix store paths named in RUNPATHs, a toolkit elsewhere).
    for (auto& res : c.loads)
      if (!res.path.empty()) inv.add_file(res.path, res.path.starts_with("/nix/store/") ? "nix-store" : "runpath");
    for (auto& res : c.loads)
      if (res.version.empty())
        if (auto* cp = copy_for(s, res.realpath)) res.version = cp->version;
    s.libraries.consumers.push_back(std::move(c));
  }
}

}  // namespace gpuenv
