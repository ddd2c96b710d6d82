#include "env/locate.hpp"

#include <unistd.h>

#include <algorithm>
#include <set>

#include "env/pythonpath.hpp"
#include "probe/probes.hpp"
#include "util/strings.hpp"

namespace gpuenv {

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

std::string version_from_lib_dir(const Fs& fs, const std::string& prefix) {
  std::string found;
  for (auto& n : fs.list(prefix + "/lib")) {
    if (!n.starts_with("python3.")) continue;
    auto v = n.substr(6);
    if (v.find_first_not_of("0123456789.") != std::string::npos) continue;
    if (!found.empty() && found != v) return "";  // ambiguous
    found = v;
  }
  return found;
}

}  // namespace

Interpreter inspect_interpreter(const Fs& fs, const std::string& path) {
  Interpreter py;
  py.path = normalize_path(path);
  py.realpath = fs.realpath(py.path).value_or("");
  std::string root = dir_name(dir_name(py.path));
  if (auto cfg = fs.read_opt(root + "/pyvenv.cfg", 1 << 16)) {
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
    std::string real = py.realpath.empty() ? py.path : py.realpath;
    auto nix = nix_interpreter_prefix(real);
    if (!nix.empty()) {
      py.kind = "nix";
      py.prefix = nix;
      py.version = full_version_in_nix_name(nix);
    } else {
      py.prefix = dir_name(dir_name(real));
      if (fs.exists(py.prefix + "/conda-meta")) py.kind = "conda";
      else if (contains(real, "/.pyenv/versions/")) py.kind = "pyenv";
      else py.kind = "system";
      if (py.kind == "pyenv") py.version = base_name(py.prefix);
    }
    py.base_prefix = py.prefix;
  }
  if (py.version.empty() || py.version.find_first_not_of("0123456789.") != std::string::npos) {
    std::string v;
    auto b = base_name(py.realpath.empty() ? py.path : py.realpath);
    if (b.starts_with("python3.")) v = b.substr(6);
    if (v.empty() || v.find_first_not_of("0123456789.") != std::string::npos) v = version_from_lib_dir(fs, py.prefix);
    if (v.empty() && py.kind == "venv" && !py.base_prefix.empty()) v = version_from_lib_dir(fs, py.base_prefix);
    py.version = v;
  }
  return py;
}

std::string find_on_path(const Fs& fs, const std::string& name, const std::string& path_value) {
  for (auto& dir : split(path_value, ':', false)) {
    std::string p = dir + "/" + name;
    auto st = fs.stat(p);
    if (st.kind == FileKind::Regular && (st.mode & 0111)) return p;
  }
  return "";
}

static bool same_interpreter(const Interpreter& a, const Interpreter& b) {
  if (a.path == b.path) return true;
  return !a.realpath.empty() && a.realpath == b.realpath && a.prefix == b.prefix;
}

static int add_interpreter(Snapshot& s, Interpreter py, const std::string& found_as) {
  for (size_t i = 0; i < s.python.interpreters.size(); ++i) {
    auto& o = s.python.interpreters[i];
    if (same_interpreter(o, py)) {
      if (std::find(o.found_as.begin(), o.found_as.end(), found_as) == o.found_as.end()) o.found_as.push_back(found_as);
      return int(i);
    }
  }
  py.found_as.push_back(found_as);
  s.python.interpreters.push_back(std::move(py));
  return int(s.python.interpreters.size() - 1);
}

DeclaredInterpreter locate_declared_interpreter(const ProbeContext& ctx, const Spec& spec, Snapshot& s) {
  DeclaredInterpreter d;
  auto& fs = ctx.fs;
  std::string path_value = ctx.getenv("PATH") ? *ctx.getenv("PATH") : "";
  std::string where = spec.path.empty() ? std::string("the spec") : spec.path;
  if (!spec.interpreter.empty()) {
    std::string p;
    if (spec.interpreter.find('/') != std::string::npos) {
      p = spec.interpreter.starts_with('/') ? spec.interpreter : spec.dir + "/" + spec.interpreter;
      p = normalize_path(p);
      auto st = fs.stat(p);
      if (st.kind != FileKind::Regular)
        d.error = "python.interpreter = \"" + spec.interpreter + "\" in " + where + ": " + p +
                  (st.kind == FileKind::Missing ? " does not exist" : " is not a file");
    } else {
      p = find_on_path(fs, spec.interpreter, path_value);
      if (p.empty())
        d.error = "python.interpreter = \"" + spec.interpreter + "\" in " + where + ": no " + spec.interpreter +
                  " on PATH";
    }
    if (d.error.empty()) d.index = add_interpreter(s, inspect_interpreter(fs, p), "spec");
  } else if (!spec.python_version.empty()) {
    std::vector<std::string> candidates;
    if (auto* ve = ctx.getenv("VIRTUAL_ENV"); ve && !ve->empty()) candidates.push_back(*ve + "/bin/python");
    for (auto name : {"python" + python_minor_version(spec.python_version), std::string("python3"), std::string("python")}) {
      auto p = find_on_path(fs, name, path_value);
      if (!p.empty()) candidates.push_back(p);
    }
    for (auto& c : candidates) {
      if (!fs.exists(c)) continue;
      auto py = inspect_interpreter(fs, c);
      if (py.version == spec.python_version || py.version.starts_with(spec.python_version + ".")) {
        d.index = add_interpreter(s, std::move(py), "spec");
        break;
      }
    }
    if (d.index < 0)
      d.error = "python.version = \"" + spec.python_version + "\" in " + where + ": no Python " + spec.python_version +
                " found (looked at $VIRTUAL_ENV and for python" + python_minor_version(spec.python_version) +
                ", python3, python on PATH); name it with python.interpreter";
  }
  if (d.index >= 0) {
    auto& py = s.python.interpreters[size_t(d.index)];
    auto here = fs.realpath(dir_name(py.path) + "/python");
    d.python_in_bin_dir = here && !py.realpath.empty() && *here == py.realpath;
  }

  // Other environments that PYTHONPATH or VIRTUAL_ENV point into.
  std::set<std::string> seen;
  if (d.index >= 0) {
    auto& py = s.python.interpreters[size_t(d.index)];
    seen = {py.prefix, py.base_prefix};
  }
  if (auto* ve = ctx.getenv("VIRTUAL_ENV"); ve && !ve->empty() && !seen.count(normalize_path(*ve))) {
    seen.insert(normalize_path(*ve));
    if (fs.exists(*ve + "/pyvenv.cfg")) add_interpreter(s, inspect_interpreter(fs, *ve + "/bin/python"), "VIRTUAL_ENV");
  }
  if (auto* pp = ctx.getenv("PYTHONPATH")) {
    for (auto& e : split(*pp, ':', false)) {
      auto prefix = python_prefix_in_path(normalize_path(e));
      if (prefix.empty() || prefix.starts_with("/nix/store/") || !seen.insert(prefix).second) continue;
      for (const char* exe : {"/bin/python3", "/bin/python"}) {
        if (fs.exists(prefix + "/pyvenv.cfg") || fs.exists(prefix + exe)) {
          auto py = inspect_interpreter(fs, prefix + exe);
          if (py.prefix != prefix) {  // a venv whose bin/python3 is missing
            py.prefix = prefix;
            py.base_prefix = prefix;
          }
          add_interpreter(s, std::move(py), "PYTHONPATH");
          break;
        }
      }
    }
  }
  return d;
}

void probe_for_activation(const ProbeContext& ctx, Snapshot& s) {
  if (auto mv = ctx.fs.read_line("/sys/module/nvidia/version")) {
    s.kernel.loaded = true;
    s.kernel.version = *mv;
  }
  probe_driver_libraries(ctx, s);
}

std::string shim_root(const Environment& env) {
  auto it = env.find("XDG_CACHE_HOME");
  if (it != env.end() && it->second.starts_with('/')) return it->second + "/gpuenv/shims";
  it = env.find("HOME");
  std::string home = it != env.end() && !it->second.empty() ? it->second : "/tmp";
  return home + "/.cache/gpuenv/shims";
}

PreparedActivation prepare_activation(const Spec& spec, const Environment& env, const std::string& root) {
  PreparedActivation p;
  ProbeContext ctx{Fs(root), env};
  p.snap.root = root;
  probe_for_activation(ctx, p.snap);
  p.declared = locate_declared_interpreter(ctx, spec, p.snap);
  ActivationInput in{p.snap, spec, env};
  in.interpreter = p.declared.index;
  in.interpreter_error = p.declared.error;
  in.python_in_bin_dir = p.declared.python_in_bin_dir;
  in.shim_root = shim_root(env);
  p.result = activate(in);
  return p;
}

}  // namespace gpuenv
