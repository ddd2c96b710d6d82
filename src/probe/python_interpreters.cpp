// The static Python probe (issue 4), one interpreter: what an installation says
// about itself (pyvenv.cfg, store path names, lib/ and include/ directories),
// shebangs (version-manager shims: python_shims.cpp). Read from files only; no interpreter is ever run.
#include <algorithm>
#include <cctype>

#include "model/python_paths.hpp"
#include "probe/python_internal.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace python_probe {

bool all_of_chars(std::string_view s, std::string_view set) {
  return !s.empty() && s.find_first_not_of(set) == std::string_view::npos;
}

bool is_version(std::string_view v) { return all_of_chars(v, "0123456789.") && v.find('.') != std::string_view::npos; }

}  // namespace python_probe

using python_probe::is_version;

namespace {

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
    // site.py's venv(): keys are case-insensitive, and a file without include-system-site-packages includes them.
    py.include_system_site_packages = true;
    for (auto& [k, v] : parse_key_values(*cfg, '=')) {
      auto key = to_lower(trim(k));
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
    // uv's managed Pythons: ~/.local/share/uv/python/cpython-3.12.7-linux-x86_64-gnu
    auto dir = base_name(py.prefix);
    if (full.empty() && dir.starts_with("cpython-" + py.version + ".")) {
      auto uv = dir.substr(8, dir.find('-', 8) - 8);
      if (is_version(uv)) full = uv;
    }
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
// Shebangs.

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

std::string find_on_path(const Fs& fs, const std::string& name, const std::string& path_value) {
  for (auto& dir : split(path_value, ':', false)) {
    std::string p = dir + "/" + name;
    auto st = fs.stat(p);
    if (st.kind == FileKind::Regular && (st.mode & 0111)) return p;
  }
  return "";
}

}  // namespace gpuenv
