// The static Python probe, sys.path: what CPython's getpath and site modules
// would compute for an interpreter in this environment, .pth files included.
#include <unistd.h>

#include <cctype>
#include <climits>
#include <set>

#include "model/python_paths.hpp"
#include "probe/python_internal.hpp"
#include "util/strings.hpp"

namespace gpuenv {

using python_probe::is_version;

// ---------------------------------------------------------------------------
// sys.path.

const std::vector<std::string>& SiteScanCache::names(const Fs& fs, const std::string& dir) {
  Dir& d = dirs[dir];
  if (!d.listed) {
    d.names = fs.list(dir);
    d.listed = true;
  }
  return d.names;
}

namespace {

// The directory relative entries resolve against: CPython's os.path.abspath uses the process's real working
// directory (getcwd), not $PWD, which a shell may leave stale. Under --root the real one means nothing, so PWD.
std::string working_directory(const ProbeContext& ctx) {
  if (ctx.fs.is_live()) {
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf)) return buf;
  }
  auto pwd = ctx.getenv_or("PWD");
  return pwd.starts_with('/') ? pwd : "/";
}

}  // namespace

void compute_sys_path(const ProbeContext& ctx, Interpreter& py, SiteScanCache* cache) {
  auto& fs = ctx.fs;
  py.sys_path.clear();
  py.pth_imports.clear();
  auto minor = python_minor_version(py.version);
  auto parts = split(minor, '.');
  if (parts.size() != 2 || !is_version(minor)) return;
  const bool py2 = parts[0] == "2";
  const std::string nodot = parts[0] + parts[1];
  const std::string cwd = working_directory(ctx);
  std::set<std::string> known;

  auto push = [&](const std::string& p_in, const std::string& origin, const std::string& pth = "") {
    auto p = normalize_path(p_in.starts_with('/') ? p_in : path_join(cwd, p_in));
    if (!known.insert(p).second) return false;
    PathEntry e;
    e.path = p;
    e.origin = origin;
    e.pth_file = pth;
    e.exists = fs.exists(p);
    py.sys_path.push_back(std::move(e));
    return true;
  };
  auto add_site_dir = [&](const std::string& dir, const std::string& origin) {
    if (!fs.is_dir(dir)) return;
    push(dir, origin);  // already known: its .pth files still count
    std::vector<std::string> own;
    if (!cache) own = fs.list(dir);
    for (auto& name : cache ? cache->names(fs, dir) : own) {
      if (!name.ends_with(".pth")) continue;
      if (name.starts_with('.') && !py2 && parse_int(parts[1]).value_or(0) >= 13) continue;  // hidden, skipped since 3.13
      auto file = dir + "/" + name;
      auto text = fs.read_opt(file, 1 << 20);
      if (!text) continue;
      std::string_view body = *text;
      if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
      for (auto& raw : split_lines(body)) {
        std::string_view line = raw;
        if (line.starts_with('#') || trim(line).empty()) continue;
        if (line.starts_with("import ") || line.starts_with("import\t")) {
          py.pth_imports.push_back(file + ": " + std::string(line));
          continue;
        }
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
        auto p = normalize_path(std::string(line).starts_with('/') ? std::string(line) : dir + "/" + std::string(line));
        if (known.count(p) || !fs.exists(p)) continue;
        push(p, "pth", file);
      }
    }
  };

  // 1. PYTHONPATH, first.
  if (auto* pp = ctx.getenv("PYTHONPATH"); pp && !pp->empty())
    for (auto& e : split(*pp, ':', true)) push(e.empty() ? cwd : e, "PYTHONPATH");

  // 2. The standard library: from PYTHONHOME when set, else the (base) prefix.
  std::string home = ctx.getenv_or("PYTHONHOME");
  std::string base = py.kind == "venv" ? py.base_prefix : py.prefix;
  std::string exec_base = base;
  std::string std_origin = "stdlib", dyn_origin = "lib-dynload";
  if (!home.empty()) {
    auto hp = split(home, ':', true);
    base = hp[0];
    exec_base = hp.size() > 1 && !hp[1].empty() ? hp[1] : hp[0];
    std_origin = dyn_origin = "PYTHONHOME";
  }
  // sys.platlibdir: lib64 where the standard library lives there (Fedora, openSUSE), else lib.
  std::string lib = "lib";
  if (!base.empty()) {
    // CPython's landmark for the standard library is os.py.
    if (!fs.exists(base + "/lib/python" + minor + "/os.py") && fs.exists(base + "/lib64/python" + minor + "/os.py"))
      lib = "lib64";
    push(base + "/" + lib + "/python" + nodot + ".zip", std_origin);
    push(base + "/" + lib + "/python" + minor, std_origin);
    if (py2)
      for (const char* sub : {"plat-linux2", "lib-tk", "lib-old"})
        push(base + "/" + lib + "/python" + minor + "/" + sub, std_origin);
    push(exec_base + "/" + lib + "/python" + minor + "/lib-dynload", dyn_origin);
  }

  // 3. site (site.py's main): in a venv, the venv's own site-packages first (site.venv() adds them before
  // anything else); then the user site; then site-packages (or Debian's dist-packages) of the other prefixes.
  const bool in_venv = py.kind == "venv";
  std::string site_prefix = in_venv ? py.prefix : (!home.empty() ? base : py.prefix);
  // Debian and Ubuntu patch the site.py of their /usr/lib/python3.X to use dist-packages: it applies
  // whenever that standard library is the one loaded (PYTHONHOME=/usr included, a venv of /usr/bin/python3 too).
  const bool debian = !py2 && base == "/usr" &&
                      (fs.exists("/etc/debian_version") || fs.is_dir("/usr/lib/python3/dist-packages"));
  auto add_prefix = [&](const std::string& p) {
    if (debian) {
      if (in_venv) add_site_dir(p + "/lib/python" + minor + "/site-packages", "site-packages");
      add_site_dir(p + "/local/lib/python" + minor + "/dist-packages", "dist-packages");
      add_site_dir(p + "/lib/python3/dist-packages", "dist-packages");
      add_site_dir(p + "/lib/python" + minor + "/dist-packages", "dist-packages");
    } else {
      if (lib == "lib64") add_site_dir(p + "/lib64/python" + minor + "/site-packages", "site-packages");
      add_site_dir(p + "/lib/python" + minor + "/site-packages", "site-packages");
      if (py2) add_site_dir(p + "/lib/site-python", "site-packages");
    }
  };
  std::set<std::string> seen_prefix;
  if (in_venv && !site_prefix.empty()) {
    seen_prefix.insert(site_prefix);
    add_prefix(site_prefix);
  }
  bool user_site = ctx.getenv_or("PYTHONNOUSERSITE").empty() && !(in_venv && !py.include_system_site_packages);
  if (user_site) {
    std::string user_base = ctx.getenv_or("PYTHONUSERBASE");
    if (user_base.empty() && !ctx.getenv_or("HOME").empty()) user_base = ctx.getenv_or("HOME") + "/.local";
    if (!user_base.empty()) add_site_dir(user_base + "/lib/python" + minor + "/site-packages", "user-site");
  }
  std::vector<std::string> prefixes{site_prefix};
  if (in_venv && py.include_system_site_packages && !py.base_prefix.empty()) prefixes.push_back(py.base_prefix);
  for (auto& p : prefixes)
    if (!p.empty() && seen_prefix.insert(p).second) add_prefix(p);
  // Nix's interpreters add NIX_PYTHONPATH through their sitecustomize.
  if (py.kind == "nix")
    if (auto* np = ctx.getenv("NIX_PYTHONPATH"))
      for (auto& e : split(*np, ':', false)) add_site_dir(e, "NIX_PYTHONPATH");
}

}  // namespace gpuenv
