// The static Python probe, discovery: the interpreters reachable from this
// shell (PATH, pyenv shims, VIRTUAL_ENV, ./.venv, conda, the system's, pip's),
// the one the project's spec declares, then sys.path, distributions and
// frameworks of each. The spec is an input (ProbeContext::spec): gpuenv.toml is
// never read here.
#include <algorithm>
#include <set>

#include "model/python_paths.hpp"
#include "probe/probes.hpp"
#include "probe/python_internal.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

bool python_exe_name(std::string_view n) {
  if (!n.starts_with("python")) return false;
  auto rest = n.substr(6);
  if (rest.empty() || rest == "2" || rest == "3") return true;
  if (rest.size() < 3 || (rest[0] != '2' && rest[0] != '3') || rest[1] != '.') return false;
  return python_probe::all_of_chars(rest.substr(2), "0123456789");
}

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
        if (auto shim = resolve_shim(ctx, p); !shim.manager.empty()) {
          if (shim.target.empty()) continue;  // the manager would say "command not found"
          auto real = fs.realpath(shim.target).value_or(shim.target);
          idx = add(shim.target, "PATH:" + n + " (" + shim.manager + " shim " + p + ")", real);
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

  // Virtual environments in the usual places, so that a framework installed where the shell's python does not
  // reach can be named with its path (python.framework-unreachable): /opt/X/{.venv,venv,.}, ~/{.venv,venv},
  // ~/X/{.venv,venv}, ~/.virtualenvs/X, ~/venvs/X, ~/.local/share/virtualenvs/X. A directory counts when it
  // has pyvenv.cfg and bin/python; at most kMaxListed entries of each directory listed are looked at.
  void usual_venvs() {
    constexpr size_t kMaxListed = 256;
    auto& fs = ctx.fs;
    std::vector<std::string> roots;
    auto each = [&](const std::string& dir, auto&& fn) {
      auto names = fs.list(dir);
      if (names.size() > kMaxListed) names.resize(kMaxListed);
      for (auto& n : names)
        if (!n.starts_with('.')) fn(dir + "/" + n);
    };
    each("/opt", [&](const std::string& d) {
      for (const char* sub : {"/.venv", "/venv", ""}) roots.push_back(d + sub);
    });
    auto home = ctx.getenv_or("HOME");
    if (home.starts_with('/') && home != "/") {
      for (const char* sub : {"/.venv", "/venv"}) roots.push_back(home + sub);
      each(home, [&](const std::string& d) {
        for (const char* sub : {"/.venv", "/venv"}) roots.push_back(d + sub);
      });
      for (const char* dir : {"/.virtualenvs", "/venvs", "/.local/share/virtualenvs"})
        each(home + dir, [&](const std::string& d) { roots.push_back(d); });
    }
    for (auto& r : roots)
      if (fs.exists(r + "/pyvenv.cfg") && fs.stat(r + "/bin/python").kind == FileKind::Regular)
        add(normalize_path(r + "/bin/python"), "venv-scan");
  }
};

}  // namespace

DeclaredInterpreter locate_declared_interpreter(const ProbeContext& ctx, const Spec& spec, PythonInfo& info) {
  DeclaredInterpreter d;
  auto& fs = ctx.fs;
  std::string path_value = ctx.getenv("PATH") ? *ctx.getenv("PATH") : "";
  std::string where = spec.path.empty() ? std::string("the spec") : spec.path;
  // A version manager's shim stands for what the manager would run (or for nothing): never for itself.
  std::vector<std::string> shim_notes;
  auto through_shim = [&](const std::string& p) {
    auto shim = resolve_shim(ctx, p);
    if (shim.manager.empty()) return p;
    shim_notes.push_back(shim.describe());
    return shim.target;
  };
  auto notes = [&] { return shim_notes.empty() ? std::string() : "; " + join(shim_notes, "; "); };
  if (ctx.declared_interpreter) {
    Interpreter py = *ctx.declared_interpreter;  // located by the caller; how it is found here is recorded anew
    py.found_as.clear();
    d.index = add_interpreter(info, py, "spec");
    // Found on the activated PATH already, maybe through a shim in front of it: it is the one the spec names.
    info.interpreters[size_t(d.index)].path = py.path;
  } else if (!spec.interpreter.empty()) {
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
    if (d.error.empty()) {
      p = through_shim(p);
      if (p.empty())
        d.error = "python.interpreter = \"" + spec.interpreter + "\" in " + where + ": " + shim_notes.back() +
                  "; name an installed interpreter, or select one in the version manager";
    }
    if (d.error.empty()) d.index = add_interpreter(info, inspect_interpreter(fs, p), "spec");
  } else if (!spec.python_version.empty()) {
    std::vector<std::string> candidates;
    if (auto* ve = ctx.getenv("VIRTUAL_ENV"); ve && !ve->empty()) candidates.push_back(*ve + "/bin/python");
    for (auto name : {"python" + python_minor_version(spec.python_version), std::string("python3"), std::string("python")}) {
      auto p = find_on_path(fs, name, path_value);
      if (!p.empty()) candidates.push_back(p);
    }
    for (auto& c : candidates) {
      if (!fs.exists(c)) continue;
      auto p = through_shim(c);
      if (p.empty()) continue;
      auto py = inspect_interpreter(fs, p);
      if (py.version == spec.python_version || py.version.starts_with(spec.python_version + ".")) {
        d.index = add_interpreter(info, std::move(py), "spec");
        break;
      }
    }
    if (d.index < 0)
      d.error = "python.version = \"" + spec.python_version + "\" in " + where + ": no Python " + spec.python_version +
                " found (looked at $VIRTUAL_ENV and for python" + python_minor_version(spec.python_version) +
                ", python3, python on PATH" + notes() + "); name it with python.interpreter";
  }
  if (d.index >= 0) {
    auto& py = info.interpreters[size_t(d.index)];
    auto here = fs.realpath(dir_name(py.path) + "/python");
    d.python_in_bin_dir = here && !py.realpath.empty() && *here == py.realpath;
  }

  // Other environments that PYTHONPATH or VIRTUAL_ENV point into.
  std::set<std::string> seen;
  if (d.index >= 0) {
    auto& py = info.interpreters[size_t(d.index)];
    seen = {py.prefix, py.base_prefix};
  }
  if (auto* ve = ctx.getenv("VIRTUAL_ENV"); ve && !ve->empty() && !seen.count(normalize_path(*ve))) {
    seen.insert(normalize_path(*ve));
    if (fs.exists(*ve + "/pyvenv.cfg")) add_interpreter(info, inspect_interpreter(fs, *ve + "/bin/python"), "VIRTUAL_ENV");
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
          add_interpreter(info, std::move(py), "PYTHONPATH");
          break;
        }
      }
    }
  }
  return d;
}

void probe_python(const ProbeContext& ctx, Snapshot& s, DeclaredInterpreter* declared) {
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
  disc.usual_venvs();

  // The declared interpreter: the spec's (located here, once per snapshot), else VIRTUAL_ENV.
  if (ctx.spec && ctx.spec->declares_python()) {
    auto d = locate_declared_interpreter(ctx, *ctx.spec, info);
    if (d.index >= 0) {
      info.declared = d.index;
      info.declared_by = ctx.spec->path;
    } else if (!d.error.empty()) {
      s.probe_errors.push_back(d.error);
    }
    if (declared) *declared = std::move(d);
  } else if (!ctx.spec && !ctx.spec_error.empty()) {
    s.probe_errors.push_back(ctx.spec_error);
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
    if (auto shim = resolve_shim(ctx, info.pip); !shim.manager.empty()) {
      if (!shim.target.empty()) info.pip_interpreter = shebang_interpreter(ctx, shim.target);
    } else {
      info.pip_interpreter = shebang_interpreter(ctx, info.pip);
    }
    if (!info.pip_interpreter.empty() && fs.stat(info.pip_interpreter).kind == FileKind::Regular)
      disc.add(info.pip_interpreter, "pip");
  }

  SiteScanCache cache;
  std::map<std::string, RecordCheck> records;
  for (auto& py : info.interpreters) {
    compute_sys_path(ctx, py, &cache);
    scan_distributions(ctx, py, cache);
    check_records(ctx, py, records);
  }
}

}  // namespace gpuenv
