#include "env/locate.hpp"

#include <unistd.h>

#include <algorithm>
#include <set>

#include "env/pythonpath.hpp"
#include "probe/probes.hpp"
#include "probe/python.hpp"
#include "util/strings.hpp"

namespace gpuenv {

std::string find_on_path(const Fs& fs, const std::string& name, const std::string& path_value) {
  for (auto& dir : split(path_value, ':', false)) {
    std::string p = dir + "/" + name;
    auto st = fs.stat(p);
    if (st.kind == FileKind::Regular && (st.mode & 0111)) return p;
  }
  return "";
}

static int add_interpreter(Snapshot& s, Interpreter py, const std::string& found_as) {
  return add_interpreter(s.python, std::move(py), found_as);
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
      if (!fs.is_dir(prefix)) continue;  // one stat for an entry that leads nowhere
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
