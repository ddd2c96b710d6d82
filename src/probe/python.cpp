// The static Python probe (issue 4): interpreters reachable from this shell,
// their sys.path as CPython computes it, the distributions on it and the GPU
// frameworks among them. Read from files only; no interpreter is ever run.
#include "probe/python.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <optional>
#include <set>

#include "env/pythonpath.hpp"
#include "env/spec.hpp"
#include "env/locate.hpp"
#include "probe/probes.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

bool all_of_chars(std::string_view s, std::string_view set) {
  return !s.empty() && s.find_first_not_of(set) == std::string_view::npos;
}

bool is_version(std::string_view v) { return all_of_chars(v, "0123456789.") && v.find('.') != std::string_view::npos; }

std::string full_version_in_nix_name(const std::string& prefix) {
  auto name = base_name(prefix);
  auto dash = name.find('-');
  if (dash == std::string::npos) return "";
  name = name.substr(dash + 1);
  for (const char* impl : {"python3-", "python2-", "pypy3-"}) {
    if (!name.starts_with(impl)) continue;
    auto rest = name.substr(std::string(impl).size());
    size_t end = 0;
    while (end < rest.size() && (rest[end] == '.' || (rest[end] >= '0' && rest[end] <= '9'))) ++end;
    return rest.substr(0, end);
  }
  return "";
}

// "3.11" from a lib/ directory holding exactly one pythonX.Y (python2.7, python3.11).
std::string version_from_lib_dir(const Fs& fs, const std::string& prefix) {
  std::string found;
  for (auto& n : fs.list(prefix + "/lib")) {
    if (!n.starts_with("python2.") && !n.starts_with("python3.")) continue;
    auto v = n.substr(6);
    if (!is_version(v)) continue;
    if (!found.empty() && found != v) return "";  // ambiguous
    found = v;
  }
  return found;
}

// libpython3.11.so.1.0 -> 3.11
std::string version_from_libpython(const Fs& fs, const std::string& prefix) {
  for (auto& n : fs.list(prefix + "/lib")) {
    if (!n.starts_with("libpython")) continue;
    auto rest = n.substr(9);
    auto end = rest.find(".so");
    if (end == std::string::npos) end = rest.find(".a");
    if (end == std::string::npos) continue;
    auto v = rest.substr(0, end);
    while (!v.empty() && !std::isdigit(static_cast<unsigned char>(v.back()))) v.pop_back();  // 3.7m
    if (is_version(v)) return v;
  }
  return "";
}

// include/python3.11/patchlevel.h: #define PY_VERSION "3.11.2"
std::string version_from_patchlevel(const Fs& fs, const std::string& prefix, const std::string& minor) {
  auto text = fs.read_opt(prefix + "/include/python" + minor + "/patchlevel.h", 1 << 16);
  if (!text) return "";
  auto pos = text->find("#define PY_VERSION");
  if (pos == std::string::npos) return "";
  auto q1 = text->find('"', pos);
  auto q2 = q1 == std::string::npos ? q1 : text->find('"', q1 + 1);
  if (q2 == std::string::npos) return "";
  auto v = text->substr(q1 + 1, q2 - q1 - 1);
  return v.starts_with(minor) ? v : "";
}

bool same_interpreter(const Interpreter& a, const Interpreter& b) {
  if (a.path == b.path) return true;
  return !a.realpath.empty() && a.realpath == b.realpath && a.prefix == b.prefix;
}

bool python_exe_name(std::string_view n) {
  if (!n.starts_with("python")) return false;
  auto rest = n.substr(6);
  if (rest.empty() || rest == "2" || rest == "3") return true;
  if (rest.size() < 3 || (rest[0] != '2' && rest[0] != '3') || rest[1] != '.') return false;
  return all_of_chars(rest.substr(2), "0123456789");
}

}  // namespace

// ---------------------------------------------------------------------------
// One interpreter, from its files.

Interpreter inspect_interpreter(const Fs& fs, const std::string& path, const std::string& real_in) {
  Interpreter py;
  py.path = normalize_path(path);
  py.realpath = real_in.empty() ? fs.realpath(py.path).value_or("") : normalize_path(real_in);
  const std::string& real = py.realpath.empty() ? py.path : py.realpath;
  if (auto b = base_name(real); b.starts_with("pypy")) py.implementation = "pypy";
  // A venv: pyvenv.cfg beside the executable or one directory up (CPython looks in both).
  std::string root = dir_name(dir_name(py.path));
  auto cfg = fs.read_opt(root + "/pyvenv.cfg", 1 << 16);
  if (!cfg) {
    cfg = fs.read_opt(dir_name(py.path) + "/pyvenv.cfg", 1 << 16);
    if (cfg) root = dir_name(py.path);
  }
  if (cfg) {
    py.kind = "venv";
    py.prefix = root;
    for (auto& [k, v] : parse_key_values(*cfg, '=')) {
      auto key = std::string(trim(k));
      auto val = std::string(trim(v));
      if (key == "home") py.base_prefix = dir_name(normalize_path(val));
      else if (key == "version_info" || (key == "version" && py.version.empty())) py.version = val;
      else if (key == "include-system-site-packages") py.include_system_site_packages = to_lower(val) == "true";
    }
  } else {
    auto nix = nix_interpreter_prefix(real);
    if (!nix.empty()) {
      py.kind = "nix";
      py.prefix = nix;
      py.version = full_version_in_nix_name(nix);
    } else {
      py.prefix = dir_name(dir_name(real));
      if (fs.exists(py.prefix + "/conda-meta")) py.kind = "conda";
      else if (contains(real, "/.pyenv/versions/")) py.kind = "pyenv";
      else if (py.prefix == "/usr" || py.prefix == "/usr/local") py.kind = "system";
      else py.kind = "other";
      if (py.kind == "pyenv" && is_version(base_name(py.prefix))) py.version = base_name(py.prefix);
    }
    py.base_prefix = py.prefix;
  }
  // uv writes version_info = 3.12.1; some tools write 3.12.1.final.0.
  if (!py.version.empty()) {
    auto parts = split(py.version, '.');
    if (parts.size() > 3) py.version = parts[0] + "." + parts[1] + "." + parts[2];
  }
  if (!is_version(py.version)) {
    std::string v;
    auto b = base_name(real);
    if (b.starts_with("python3.") || b.starts_with("python2.")) v = b.substr(6);
    if (!is_version(v)) v = version_from_lib_dir(fs, py.prefix);
    if (v.empty() && py.kind == "venv" && !py.base_prefix.empty()) v = version_from_lib_dir(fs, py.base_prefix);
    if (v.empty()) v = version_from_libpython(fs, py.prefix);
    py.version = v;
  }
  // Only "3.11" so far: the headers, when installed, give the full version.
  if (is_version(py.version) && split(py.version, '.').size() == 2) {
    auto full = version_from_patchlevel(fs, py.kind == "venv" ? py.base_prefix : py.prefix, py.version);
    if (!full.empty()) py.version = full;
  }
  return py;
}

int add_interpreter(PythonInfo& info, Interpreter py, const std::string& found_as) {
  for (size_t i = 0; i < info.interpreters.size(); ++i) {
    auto& o = info.interpreters[i];
    if (same_interpreter(o, py)) {
      if (std::find(o.found_as.begin(), o.found_as.end(), found_as) == o.found_as.end()) o.found_as.push_back(found_as);
      return int(i);
    }
  }
  py.found_as.push_back(found_as);
  info.interpreters.push_back(std::move(py));
  return int(info.interpreters.size() - 1);
}

// ---------------------------------------------------------------------------
// pyenv shims and shebangs.

bool is_pyenv_shim(const Fs& fs, const std::string& path) {
  if (!contains(path, "/shims/")) return false;
  auto head = fs.read_opt(path, 512);
  return head && head->starts_with("#!") && contains(*head, "pyenv");
}

std::string resolve_pyenv_shim(const ProbeContext& ctx, const std::string& path) {
  auto& fs = ctx.fs;
  auto name = base_name(path);
  std::string root = ctx.getenv_or("PYENV_ROOT");
  if (root.empty()) root = dir_name(dir_name(path));  // <root>/shims/python
  std::string versions = ctx.getenv_or("PYENV_VERSION");
  if (versions.empty()) {
    // .python-version from the current directory up.
    std::string pwd = ctx.getenv_or("PWD");
    std::string dir = pwd.starts_with('/') ? normalize_path(pwd) : std::string();
    while (dir.starts_with('/') && versions.empty()) {
      if (auto t = fs.read_opt(path_join(dir, ".python-version"), 1 << 12)) versions = *t;
      if (dir == "/") break;
      dir = dir_name(dir);
    }
  }
  if (versions.empty())
    if (auto t = fs.read_opt(root + "/version", 1 << 12)) versions = *t;
  if (versions.empty()) versions = "system";
  // One version per line or separated by ':' / blanks; the first one providing the command wins.
  std::string flat = replace_all(replace_all(versions, "\n", ":"), " ", ":");
  for (auto& v : split(flat, ':', false)) {
    auto ver = std::string(trim(v));
    if (ver.empty() || ver.starts_with('#')) continue;
    if (ver == "system") {
      // The first `name` on PATH that is not one of pyenv's shims.
      for (auto& d : split(ctx.getenv_or("PATH"), ':', false)) {
        if (normalize_path(d) == normalize_path(dir_name(path)) || contains(d, "/shims")) continue;
        auto p = d + "/" + name;
        auto st = fs.stat(p);
        if (st.kind == FileKind::Regular && (st.mode & 0111)) return p;
      }
      continue;
    }
    auto p = root + "/versions/" + ver + "/bin/" + name;
    if (fs.stat(p).kind == FileKind::Regular) return p;
  }
  return "";
}

std::string shebang_interpreter(const ProbeContext& ctx, const std::string& script) {
  auto head = ctx.fs.read_opt(script, 1024);
  if (!head || !head->starts_with("#!")) return "";
  auto lines = split_lines(*head);
  auto first = std::string(trim(std::string_view(lines[0]).substr(2)));
  auto words = split(first, ' ', false);
  if (words.empty()) return "";
  if (words[0] == "/bin/sh" && lines.size() > 1 && lines[1].starts_with("'''exec' ")) {
    // pip's form for paths too long for a shebang: '''exec' "/long/path/python" "$0" "$@"
    auto rest = std::string(trim(std::string_view(lines[1]).substr(9)));
    if (rest.starts_with('"')) {
      auto end = rest.find('"', 1);
      return end == std::string::npos ? "" : rest.substr(1, end - 1);
    }
    return split(rest, ' ', false).empty() ? "" : split(rest, ' ', false)[0];
  }
  if (base_name(words[0]) == "env" && words.size() > 1) {
    size_t i = 1;
    while (i < words.size() && words[i].starts_with('-')) ++i;
    if (i == words.size()) return "";
    return find_on_path(ctx.fs, words[i], ctx.getenv_or("PATH"));
  }
  return words[0];
}

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

void compute_sys_path(const ProbeContext& ctx, Interpreter& py, SiteScanCache* cache) {
  auto& fs = ctx.fs;
  py.sys_path.clear();
  py.pth_imports.clear();
  auto minor = python_minor_version(py.version);
  auto parts = split(minor, '.');
  if (parts.size() != 2 || !is_version(minor)) return;
  const bool py2 = parts[0] == "2";
  const std::string nodot = parts[0] + parts[1];
  const std::string cwd = ctx.getenv_or("PWD").empty() ? "/" : ctx.getenv_or("PWD");
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

  // 3. site: the user site, then site-packages (or Debian's dist-packages) per prefix.
  const bool in_venv = py.kind == "venv";
  std::string site_prefix = in_venv ? py.prefix : (!home.empty() ? base : py.prefix);
  bool user_site = ctx.getenv_or("PYTHONNOUSERSITE").empty() && !(in_venv && !py.include_system_site_packages);
  if (user_site) {
    std::string user_base = ctx.getenv_or("PYTHONUSERBASE");
    if (user_base.empty() && !ctx.getenv_or("HOME").empty()) user_base = ctx.getenv_or("HOME") + "/.local";
    if (!user_base.empty()) add_site_dir(user_base + "/lib/python" + minor + "/site-packages", "user-site");
  }
  std::vector<std::string> prefixes{site_prefix};
  if (in_venv && py.include_system_site_packages && !py.base_prefix.empty()) prefixes.push_back(py.base_prefix);
  // Debian and Ubuntu patch their /usr/bin/python3 to use dist-packages.
  const std::string real_base = in_venv ? py.base_prefix : py.prefix;
  const bool debian = !py2 && real_base == "/usr" && home.empty() &&
                      (fs.exists("/etc/debian_version") || fs.is_dir("/usr/lib/python3/dist-packages"));
  std::set<std::string> seen_prefix;
  for (auto& p : prefixes) {
    if (p.empty() || !seen_prefix.insert(p).second) continue;
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
  }
  // Nix's interpreters add NIX_PYTHONPATH through their sitecustomize.
  if (py.kind == "nix")
    if (auto* np = ctx.getenv("NIX_PYTHONPATH"))
      for (auto& e : split(*np, ':', false)) add_site_dir(e, "NIX_PYTHONPATH");
}

// ---------------------------------------------------------------------------
// Distributions.

std::string normalize_dist_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool sep = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      sep = true;
      continue;
    }
    if (sep && !out.empty()) out += '-';
    sep = false;
    out += char(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::pair<std::string, std::string> split_metadata_dir_name(std::string_view name) {
  for (std::string_view ext : {".dist-info", ".egg-info"})
    if (name.ends_with(ext)) name.remove_suffix(ext.size());
  // name-version[-pyX.Y]: the version starts after the first '-' followed by a digit.
  for (size_t i = 0; i + 1 < name.size(); ++i)
    if (name[i] == '-' && std::isdigit(static_cast<unsigned char>(name[i + 1]))) {
      auto ver = name.substr(i + 1);
      if (auto py = ver.find("-py"); py != std::string_view::npos) ver = ver.substr(0, py);
      return {std::string(name.substr(0, i)), std::string(ver)};
    }
  return {std::string(name), ""};
}

void parse_metadata_headers(std::string_view text, Distribution& d) {
  size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the headers: the description follows
    if (line[0] == ' ' || line[0] == '\t') continue;  // continuation of a long header
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto key = line.substr(0, colon);
    auto val = trim(line.substr(colon + 1));
    if (key == "Name") d.name = std::string(val);
    else if (key == "Version") d.version = std::string(val);
    else if (key == "Requires-Dist") d.requires_dist.emplace_back(val);
  }
}

namespace {

// Headers only: read a first block, more only when it holds no blank line.
std::optional<std::string> read_headers(const Fs& fs, const std::string& path) {
  auto text = fs.read_opt(path, 16 << 10);
  if (text && text->size() == (16u << 10) && text->find("\n\n") == std::string::npos)
    text = fs.read_opt(path, 1 << 20);
  return text;
}

}  // namespace

namespace {

// Reads `rel` under an open directory (openat: no lookup of the whole path per
// file). Stops at EOF, at `cap`, or, for METADATA headers, at the first blank line.
std::optional<std::string> read_at(int dfd, const std::string& rel, size_t cap, bool headers) {
  int fd = ::openat(dfd, rel.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[8192];
  while (out.size() < cap) {
    size_t want = std::min(sizeof buf, cap - out.size());
    ssize_t n = ::read(fd, buf, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    size_t from = out.size() > 2 ? out.size() - 2 : 0;
    out.append(buf, size_t(n));
    if (headers && out.find("\n\n", from) != std::string::npos) break;
    if (size_t(n) < want) break;  // a short read of a regular file: its end
  }
  ::close(fd);
  return out;
}

// The frameworks, their plugins and NVIDIA's wheels (directory names as on disk: torch-2.11.0.dist-info).
bool gpu_relevant_dist(const std::string& dir_name) {
  auto n = to_lower(dir_name);
  for (const char* p : {"torch", "tensorflow", "tf_", "tf-", "jax", "cupy", "nvidia", "triton", "tensorrt", "cuda"})
    if (n.starts_with(p)) return true;
  return false;
}

}  // namespace

const SiteScanCache::Dir& SiteScanCache::scan(const Fs& fs, const std::string& dir) {
  Dir& d = dirs[dir];
  if (d.scanned) return d;
  names(fs, dir);
  d.scanned = true;
  const bool debian_dir = contains(dir, "/dist-packages");
  // On the live machine, files are opened relative to the directory; under --root through Fs.
  int dfd = fs.is_live() ? ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  auto read = [&](const std::string& rel, size_t cap, bool headers) -> std::optional<std::string> {
    if (dfd >= 0) {
      auto t = read_at(dfd, rel, headers ? 16u << 10 : cap, headers);
      if (headers && t && t->size() == (16u << 10) && t->find("\n\n") == std::string::npos)
        t = read_at(dfd, rel, 1 << 20, true);
      return t;
    }
    return headers ? read_headers(fs, dir + "/" + rel) : fs.read_opt(dir + "/" + rel, cap);
  };
  for (auto& n : d.names) {
    bool dist_info = n.ends_with(".dist-info");
    if (!dist_info && !n.ends_with(".egg-info")) continue;
    Distribution dist;
    dist.location = dir;
    dist.metadata = dir + "/" + n;
    std::optional<std::string> text;
    if (dist_info) {
      text = read(n + "/METADATA", 0, true);
      // INSTALLER only where it matters (a second open per distribution otherwise doubles the scan).
      if (gpu_relevant_dist(n))
        if (auto inst = read(n + "/INSTALLER", 256, false)) dist.installer = std::string(trim(*inst));
    } else {
      text = read(n + "/PKG-INFO", 0, true);
      if (!text) text = read(n, 0, true);  // a single-file .egg-info
    }
    if (text) parse_metadata_headers(*text, dist);
    auto [name, version] = split_metadata_dir_name(n);
    if (dist.name.empty()) dist.name = name;
    if (dist.version.empty()) dist.version = version;
    if (dist.installer.empty() && debian_dir && dir.starts_with("/usr/lib/python")) dist.installer = "debian";
    d.dists.push_back(std::move(dist));
  }
  if (dfd >= 0) ::close(dfd);
  return d;
}

namespace {

bool has_name(const SiteScanCache::Dir& d, const std::string& n) {
  return std::binary_search(d.names.begin(), d.names.end(), n);
}

// The value assigned to `key` in a Python file: "key = 'v'", "key: Optional[str] = 'v'",
// "'key': 'v'" inside a dict. Quotes removed; "None" stays "None"; lists as written.
std::string py_assignment(std::string_view text, std::string_view key) {
  for (size_t pos = text.find(key); pos != std::string_view::npos; pos = text.find(key, pos + 1)) {
    bool quoted = pos > 0 && (text[pos - 1] == '\'' || text[pos - 1] == '"');
    bool line_start = pos == 0 || text[pos - 1] == '\n';
    if (!quoted && !line_start) continue;
    size_t i = pos + key.size();
    if (quoted) {
      if (i >= text.size() || text[i] != text[pos - 1]) continue;
      ++i;
      while (i < text.size() && text[i] == ' ') ++i;
      if (i >= text.size() || text[i] != ':') continue;
      ++i;
    } else {
      while (i < text.size() && text[i] == ' ') ++i;
      if (i < text.size() && text[i] == ':') {  // an annotation
        auto eq = text.find('=', i);
        auto nl = text.find('\n', i);
        if (eq == std::string_view::npos || (nl != std::string_view::npos && nl < eq)) continue;
        i = eq;
      }
      if (i >= text.size() || text[i] != '=') continue;
      ++i;
    }
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) return "";
    char c = text[i];
    if (c == '\'' || c == '"') {
      auto end = text.find(c, i + 1);
      if (end == std::string_view::npos) return "";
      return std::string(text.substr(i + 1, end - i - 1));
    }
    if (c == '[') {
      auto end = text.find(']', i);
      return end == std::string_view::npos ? "" : std::string(text.substr(i, end - i + 1));
    }
    size_t end = i;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_' || text[end] == '.')) ++end;
    return std::string(text.substr(i, end - i));
  }
  return "";
}

std::vector<std::string> py_string_list(const std::string& list) {
  std::vector<std::string> out;
  for (size_t i = 0; i < list.size(); ++i) {
    char c = list[i];
    if (c != '\'' && c != '"') continue;
    auto end = list.find(c, i + 1);
    if (end == std::string::npos) break;
    out.push_back(list.substr(i + 1, end - i - 1));
    i = end;
  }
  return out;
}

std::string local_tag(const std::string& version) {
  auto plus = version.find('+');
  return plus == std::string::npos ? "" : version.substr(plus + 1);
}

// "nvidia-cudnn-cu13==9.13.0.50" from "nvidia-cudnn-cu13==9.13.0.50; platform_system == 'Linux'".
std::string requirement_without_marker(const std::string& r) {
  return std::string(trim(std::string_view(r).substr(0, r.find(';'))));
}

std::string requirement_name(const std::string& r) {
  size_t end = 0;
  while (end < r.size() && (std::isalnum(static_cast<unsigned char>(r[end])) || r[end] == '-' || r[end] == '_' || r[end] == '.')) ++end;
  return normalize_dist_name(r.substr(0, end));
}

const Distribution* find_dist(const std::vector<Distribution>& dists, const std::string& location,
                              std::initializer_list<std::string_view> names) {
  for (auto n : names)
    for (auto& d : dists)
      if (d.location == location && normalize_dist_name(d.name) == n) return &d;
  return nullptr;
}

// The winning copy of a distribution anywhere on sys.path.
const Distribution* winning_dist(const Interpreter& py, std::string_view name) {
  for (auto& d : py.distributions)
    if (d.shadowed_by.empty() && normalize_dist_name(d.name) == name) return &d;
  return nullptr;
}

void nvidia_requirements(const Distribution* d, Framework& fw) {
  if (!d) return;
  for (auto& r : d->requires_dist)
    if (requirement_name(r).starts_with("nvidia-")) fw.required_wheels.push_back(requirement_without_marker(r));
}

Framework read_torch(const Fs& fs, const Interpreter& py, const std::string& site) {
  Framework fw;
  fw.name = "torch";
  fw.location = site + "/torch";
  auto text = fs.read_opt(fw.location + "/version.py", 1 << 16).value_or("");
  fw.version = py_assignment(text, "__version__");
  auto cuda = py_assignment(text, "cuda");
  auto hip = py_assignment(text, "hip");
  auto* d = find_dist(py.distributions, site, {"torch"});
  if (d) {
    fw.distribution = d->name;
    if (fw.version.empty()) fw.version = d->version;
  }
  auto tag = local_tag(fw.version);
  if (!cuda.empty() && cuda != "None") {
    fw.cuda_build = true;
    fw.cuda_version = cuda;
    fw.variant = tag.empty() ? "cu" + replace_all(cuda, ".", "") : tag;
  } else if (!hip.empty() && hip != "None") {
    fw.variant = tag.empty() ? "rocm" : tag;
  } else {
    fw.variant = "cpu";
  }
  nvidia_requirements(d, fw);
  return fw;
}

Framework read_tensorflow(const Fs& fs, const Interpreter& py, const std::string& site) {
  Framework fw;
  fw.name = "tensorflow";
  fw.location = site + "/tensorflow";
  auto text = fs.read_opt(fw.location + "/python/platform/build_info.py", 1 << 16).value_or("");
  auto is_cuda = py_assignment(text, "is_cuda_build");
  auto is_rocm = py_assignment(text, "is_rocm_build");
  fw.cuda_build = is_cuda == "True";
  fw.cuda_version = py_assignment(text, "cuda_version");
  if (fw.cuda_version.empty()) fw.cuda_version = py_assignment(text, "cuda_version_number");
  fw.cudnn_version = py_assignment(text, "cudnn_version");
  if (fw.cudnn_version.empty()) fw.cudnn_version = py_assignment(text, "cudnn_version_number");
  if (!fw.cuda_build) fw.cuda_version = fw.cudnn_version = "";
  fw.arch_list = py_string_list(py_assignment(text, "cuda_compute_capabilities"));
  auto* d = find_dist(py.distributions, site,
                      {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly", "tensorflow-intel",
                       "tensorflow-rocm", "tensorflow-aarch64", "intel-tensorflow"});
  if (d) {
    fw.distribution = d->name;
    fw.version = d->version;
  }
  nvidia_requirements(d, fw);
  bool extra_installed = !fw.required_wheels.empty() &&
                         std::all_of(fw.required_wheels.begin(), fw.required_wheels.end(),
                                     [&](auto& r) { return winning_dist(py, requirement_name(r)) != nullptr; });
  if (is_rocm == "True") fw.variant = "rocm";
  else if (!fw.cuda_build || (d && normalize_dist_name(d->name) == "tensorflow-cpu")) fw.variant = "cpu";
  else fw.variant = extra_installed ? "and-cuda" : "cuda";
  return fw;
}

Framework read_jax(const Fs& fs, const Interpreter& py, const std::string& site) {
  Framework fw;
  fw.name = "jax";
  fw.location = site + "/jax";
  auto* d = find_dist(py.distributions, site, {"jax"});
  if (d) fw.version = d->version;
  if (fw.version.empty()) fw.version = py_assignment(fs.read_opt(fw.location + "/version.py", 1 << 16).value_or(""), "_version");
  std::vector<std::string> parts{d ? d->name : "jax"};
  if (auto* jl = winning_dist(py, "jaxlib")) {
    parts.push_back(jl->name);
    // Old jaxlib wheels carried CUDA themselves: 0.4.20+cuda12.cudnn89.
    auto tag = local_tag(jl->version);
    if (tag.starts_with("cuda")) {
      fw.cuda_build = true;
      fw.variant = tag;
      auto dot = tag.find('.');
      fw.cuda_version = tag.substr(4, dot == std::string::npos ? std::string::npos : dot - 4);
      if (auto c = tag.find("cudnn"); c != std::string::npos && tag.size() > c + 6)
        fw.cudnn_version = tag.substr(c + 5, 1) + "." + tag.substr(c + 6);
    }
  }
  for (const char* major : {"13", "12", "11"}) {
    auto* plugin = winning_dist(py, std::string("jax-cuda") + major + "-plugin");
    auto* pjrt = winning_dist(py, std::string("jax-cuda") + major + "-pjrt");
    if (!plugin && !pjrt) continue;
    if (plugin) parts.push_back(plugin->name);
    if (pjrt) parts.push_back(pjrt->name);
    if (!fw.cuda_build) {
      fw.cuda_build = true;
      fw.cuda_version = major;
      fw.variant = std::string("cuda") + major;
    }
    nvidia_requirements(plugin, fw);
    nvidia_requirements(pjrt, fw);
  }
  if (fw.variant.empty()) fw.variant = "cpu";
  fw.distribution = join(parts, " + ");
  return fw;
}

Framework read_cupy(const Fs& fs, const Interpreter&, const std::string& site, const SiteScanCache::Dir& dir) {
  Framework fw;
  fw.name = "cupy";
  fw.location = site + "/cupy";
  const Distribution* d = nullptr;
  for (auto& x : dir.dists)
    if (normalize_dist_name(x.name).starts_with("cupy")) d = &x;
  if (d) {
    fw.distribution = d->name;
    fw.version = d->version;
    auto n = normalize_dist_name(d->name);
    if (n.starts_with("cupy-cuda")) {
      auto v = n.substr(9);  // 12x, 13x, 114, 102
      fw.cuda_build = true;
      fw.variant = "cuda" + v;
      if (v.ends_with('x')) fw.cuda_version = v.substr(0, v.size() - 1);
      else if (v.size() >= 3) fw.cuda_version = v.substr(0, v.size() - 1) + "." + v.substr(v.size() - 1);
    } else if (n.starts_with("cupy-rocm")) {
      fw.variant = "rocm";
    } else {
      fw.cuda_build = true;
      fw.variant = "source";  // built against the local toolkit at install time
    }
    nvidia_requirements(d, fw);
  }
  if (fw.version.empty())
    fw.version = py_assignment(fs.read_opt(fw.location + "/_version.py", 1 << 12).value_or(""), "__version__");
  return fw;
}

}  // namespace

void scan_distributions(const ProbeContext& ctx, Interpreter& py, SiteScanCache& cache) {
  auto& fs = ctx.fs;
  py.distributions.clear();
  py.frameworks.clear();
  py.shadowed_modules.clear();
  std::vector<std::pair<std::string, const SiteScanCache::Dir*>> dirs;
  for (auto& e : py.sys_path) {
    if (!e.exists || e.origin == "stdlib" || e.origin == "lib-dynload" || e.origin == "PYTHONHOME") continue;
    if (e.path.ends_with(".zip") || e.path.ends_with(".egg") || e.path.ends_with(".whl")) continue;
    dirs.emplace_back(e.path, &cache.scan(fs, e.path));
  }
  std::map<std::string, std::string> first;  // normalized name -> location
  for (auto& [path, d] : dirs)
    for (auto& dist : d->dists) {
      auto n = normalize_dist_name(dist.name);
      py.distributions.push_back(dist);
      auto [it, fresh] = first.emplace(n, path);
      if (!fresh && it->second != path) py.distributions.back().shadowed_by = it->second;
    }
  // Top-level modules provided by several entries, from the listings already made:
  // packages (names without a dot), modules (x.py), extension modules (x.cpython-312-x86_64-linux-gnu.so, x.so).
  std::map<std::string, std::vector<std::pair<std::string, bool>>> providers;  // name -> (entry, is a file module)
  std::vector<std::string> order;
  for (auto& [path, d] : dirs)
    for (auto& n : d->names) {
      std::string mod;
      bool file = true;
      if (n.ends_with(".py")) mod = n.substr(0, n.size() - 3);
      else if (n.ends_with(".so")) mod = n.substr(0, n.find('.'));
      else if (n.find('.') == std::string::npos) mod = n, file = false;
      if (mod.empty() || mod == "__pycache__" || mod.find('-') != std::string::npos ||
          std::isdigit(static_cast<unsigned char>(mod[0])))
        continue;
      auto& v = providers[mod];
      if (v.empty()) order.push_back(mod);
      if (v.empty() || v.back().first != path) v.emplace_back(path, file);
    }
  for (auto& mod : order) {
    auto& v = providers[mod];
    if (v.size() < 2) continue;
    // The first module or regular package (with __init__.py) wins; directories without one are
    // namespace portions (PEP 420), merged only when no regular package exists anywhere.
    ShadowedModule sm;
    sm.name = mod;
    for (auto& [path, file] : v) {
      bool regular = file || fs.exists(path + "/" + mod + "/__init__.py");
      if (sm.wins.empty() && regular) sm.wins = path;
      else sm.shadowed.push_back(path);
    }
    if (!sm.wins.empty() && !sm.shadowed.empty()) py.shadowed_modules.push_back(std::move(sm));
  }

  std::map<std::string, std::string> winner;  // framework -> location
  for (auto& [path, d] : dirs) {
    std::vector<Framework> found;
    if (has_name(*d, "torch") && (fs.exists(path + "/torch/version.py") || fs.exists(path + "/torch/__init__.py")))
      found.push_back(read_torch(fs, py, path));
    if (has_name(*d, "tensorflow") && (fs.exists(path + "/tensorflow/__init__.py") ||
                                       fs.exists(path + "/tensorflow/python/platform/build_info.py")))
      found.push_back(read_tensorflow(fs, py, path));
    if (has_name(*d, "jax") && fs.exists(path + "/jax/__init__.py")) found.push_back(read_jax(fs, py, path));
    if (has_name(*d, "cupy") && fs.exists(path + "/cupy/__init__.py")) found.push_back(read_cupy(fs, py, path, *d));
    for (auto& fw : found) {
      auto [it, fresh] = winner.emplace(fw.name, fw.location);
      if (!fresh) fw.shadowed_by = it->second;
      py.frameworks.push_back(std::move(fw));
    }
  }
}

// ---------------------------------------------------------------------------
// Discovery.

namespace {

struct Discovery {
  const ProbeContext& ctx;
  PythonInfo& info;
  std::set<std::string> paths_seen;

  int add(const std::string& path, const std::string& found_as, const std::string& real = "") {
    auto norm = normalize_path(path);
    for (size_t i = 0; i < info.interpreters.size(); ++i)
      if (info.interpreters[i].path == norm) return add_interpreter(info, info.interpreters[i], found_as);
    return add_interpreter(info, inspect_interpreter(ctx.fs, norm, real), found_as);
  }

  // Every python, python3, python3.X in each PATH directory; returns the index `python` runs.
  int scan_path() {
    auto& fs = ctx.fs;
    int active = -1, active3 = -1;
    std::set<std::string> dirs_seen;
    for (auto& dir : split(ctx.getenv_or("PATH"), ':', false)) {
      auto d = normalize_path(dir);
      if (!d.starts_with('/') || !dirs_seen.insert(d).second) continue;
      std::vector<std::string> names;
      for (auto& n : fs.list(d, false))
        if (python_exe_name(n)) names.push_back(n);
      std::sort(names.begin(), names.end());
      for (auto& n : names) {
        auto p = d + "/" + n;
        auto st = fs.stat(p);
        if (st.kind != FileKind::Regular || !(st.mode & 0111)) continue;
        int idx;
        if (is_pyenv_shim(fs, p)) {
          auto target = resolve_pyenv_shim(ctx, p);
          if (target.empty()) continue;  // pyenv would say "command not found"
          auto real = fs.realpath(target).value_or(target);
          idx = add(target, "PATH:" + n + " (pyenv shim " + p + ")", real);
        } else {
          idx = add(p, "PATH:" + n);
        }
        if (n == "python" && active < 0) active = idx;
        if (n == "python3" && active3 < 0) active3 = idx;
      }
    }
    return active >= 0 ? active : active3;
  }

  void conda() {
    auto& fs = ctx.fs;
    std::vector<std::string> roots;
    std::vector<std::string> envs;
    if (auto p = ctx.getenv_or("CONDA_PREFIX"); !p.empty()) envs.push_back(p);
    if (auto exe = ctx.getenv_or("CONDA_EXE"); !exe.empty()) roots.push_back(dir_name(dir_name(exe)));
    auto home = ctx.getenv_or("HOME");
    if (!home.empty()) {
      if (auto t = fs.read_opt(home + "/.conda/environments.txt", 1 << 20))
        for (auto& l : split_lines(*t))
          if (auto v = std::string(trim(l)); v.starts_with('/')) envs.push_back(v);
      for (const char* r : {"/miniconda3", "/anaconda3", "/miniforge3", "/mambaforge"}) roots.push_back(home + r);
    }
    roots.push_back("/opt/conda");
    for (auto& r : roots) {
      if (!fs.exists(r + "/conda-meta")) continue;
      envs.push_back(r);
      for (auto& e : fs.list(r + "/envs")) envs.push_back(r + "/envs/" + e);
    }
    std::set<std::string> seen;
    for (auto& e : envs) {
      auto n = normalize_path(e);
      if (!seen.insert(n).second) continue;
      if (fs.stat(n + "/bin/python").kind == FileKind::Regular) add(n + "/bin/python", "conda");
    }
  }
};

}  // namespace

void probe_python(const ProbeContext& ctx, Snapshot& s) {
  auto& fs = ctx.fs;
  auto& info = s.python;
  Discovery disc{ctx, info, {}};
  info.active = disc.scan_path();
  if (auto ve = ctx.getenv_or("VIRTUAL_ENV"); !ve.empty()) {
    auto p = normalize_path(ve) + "/bin/python";
    if (fs.exists(p)) {
      int idx = disc.add(p, "VIRTUAL_ENV");
      if (info.active < 0) info.active = idx;
    }
  }
  if (auto pwd = ctx.getenv_or("PWD"); pwd.starts_with('/'))
    if (fs.exists(pwd + "/.venv/bin/python")) disc.add(normalize_path(pwd + "/.venv/bin/python"), "./.venv");
  disc.conda();
  for (const char* sys : {"/usr/bin/python3", "/usr/local/bin/python3", "/usr/bin/python"})
    if (fs.stat(sys).kind == FileKind::Regular) disc.add(sys, "system");

  // The declared interpreter: gpuenv.toml, else VIRTUAL_ENV.
  if (auto pwd = ctx.getenv_or("PWD"); pwd.starts_with('/')) {
    if (auto spec_path = find_spec(pwd, fs)) {
      auto spec = load_spec(*spec_path, fs);
      if (spec && spec->declares_python()) {
        Snapshot tmp;
        tmp.python = std::move(info);
        auto d = locate_declared_interpreter(ctx, *spec, tmp);
        info = std::move(tmp.python);
        if (d.index >= 0) {
          info.declared = d.index;
          info.declared_by = *spec_path;
        } else if (!d.error.empty()) {
          s.probe_errors.push_back(d.error);
        }
      } else if (!spec) {
        s.probe_errors.push_back(spec.error());
      }
    }
  }
  if (info.declared < 0)
    if (auto ve = ctx.getenv_or("VIRTUAL_ENV"); !ve.empty())
      for (size_t i = 0; i < info.interpreters.size(); ++i)
        if (info.interpreters[i].prefix == normalize_path(ve)) {
          info.declared = int(i);
          info.declared_by = "VIRTUAL_ENV";
          break;
        }

  // pip on PATH, and whose it is.
  info.pip = find_on_path(fs, "pip", ctx.getenv_or("PATH"));
  if (info.pip.empty()) info.pip = find_on_path(fs, "pip3", ctx.getenv_or("PATH"));
  if (!info.pip.empty()) {
    if (is_pyenv_shim(fs, info.pip)) {
      auto t = resolve_pyenv_shim(ctx, info.pip);
      if (!t.empty()) info.pip_interpreter = shebang_interpreter(ctx, t);
    } else {
      info.pip_interpreter = shebang_interpreter(ctx, info.pip);
    }
    if (!info.pip_interpreter.empty() && fs.stat(info.pip_interpreter).kind == FileKind::Regular)
      disc.add(info.pip_interpreter, "pip");
  }

  SiteScanCache cache;
  for (auto& py : info.interpreters) {
    compute_sys_path(ctx, py, &cache);
    scan_distributions(ctx, py, cache);
  }
}

}  // namespace gpuenv
