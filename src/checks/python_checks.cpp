// The Python layer: which interpreter runs, what its sys.path holds, and which
// copy of a package wins. Facts come from the static Python probe
// (src/probe/python_*.cpp); the PYTHONPATH verdicts reuse the rules `gpuenv run`
// repairs with (src/model/python_paths.hpp), so doctor and run never disagree.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "checks/check.hpp"
#include "checks/facts.hpp"
#include "model/python_paths.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

const Interpreter* at(const Snapshot& s, int i) {
  return i >= 0 && size_t(i) < s.python.interpreters.size() ? &s.python.interpreters[size_t(i)] : nullptr;
}

// The interpreter the project means: the declared one, else the one `python` runs.
const Interpreter* target(const Snapshot& s) {
  if (auto* d = at(s, s.python.declared)) return d;
  return at(s, s.python.active);
}

std::string describe(const Interpreter& py) {
  std::string d = py.path;
  if (!py.version.empty()) d += " (Python " + py.version + (py.kind.empty() ? "" : ", " + py.kind) + ")";
  return d;
}

std::string env_value(const Snapshot& s, const char* name) {
  auto* v = s.getenv(name);
  return v ? *v : std::string();
}

bool in_nix_shell(const Snapshot& s) { return s.getenv("IN_NIX_SHELL") != nullptr; }

// "<hash>-python3.11-tensorflow-2.17.0" -> "tensorflow" (and the Python version "3.11").
bool nix_python_package(const std::string& entry, std::string& pname, std::string& version) {
  constexpr std::string_view store = "/nix/store/";
  if (!entry.starts_with(store)) return false;
  auto object = entry.substr(store.size(), entry.find('/', store.size()) - store.size());
  auto dash = object.find('-');
  if (dash == std::string::npos) return false;
  auto name = object.substr(dash + 1);
  if (!name.starts_with("python") || name.size() < 10) return false;
  auto v = python_version_in_path("/nix/store/" + object);
  if (v.empty() || !name.starts_with("python" + v + "-")) return false;  // python3-3.11.9 is an interpreter
  auto rest = name.substr(6 + v.size() + 1);
  for (size_t i = rest.size(); i-- > 1;)
    if (rest[i - 1] == '-' && std::isdigit(static_cast<unsigned char>(rest[i]))) {
      rest = rest.substr(0, i - 1);
      break;
    }
  pname = rest;
  version = v;
  return !pname.empty();
}

std::string nix_python_attr(const std::string& version) {
  auto m = split(python_minor_version(version), '.');
  return m.size() == 2 ? "python" + m[0] + m[1] : "python3";
}

// ---------------------------------------------------------------------------

void pythonpath_foreign(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto* pp = s.getenv("PYTHONPATH");
  auto* self = target(s);
  if (!pp || pp->empty() || !self || self->version.empty()) return;
  PythonIdentity id;
  id.version = self->version;
  id.own_prefixes = {self->prefix, self->base_prefix, nix_interpreter_prefix(self->realpath)};
  std::vector<std::string> others;
  for (auto& o : s.python.interpreters)
    if (&o != self && o.prefix != self->prefix && o.prefix != self->base_prefix) others.push_back(o.prefix);
  auto repair = repair_pythonpath(*pp, id, others);
  std::vector<std::pair<std::string, std::string>> foreign;
  for (auto& r : repair.removed)
    if (r.second != "repeats an earlier entry") foreign.push_back(r);
  if (foreign.empty()) return;

  bool other_version = std::any_of(foreign.begin(), foreign.end(),
                                   [](auto& r) { return r.second.starts_with("Python "); });
  auto& f = e.emit("PYTHONPATH holds " + std::to_string(foreign.size()) + " entr" +
                       (foreign.size() == 1 ? "y" : "ies") + " of another Python version or interpreter",
                   other_version ? Severity::Error : Severity::Warning);
  f.subject = self->path;
  f.add("interpreter", describe(*self));
  f.add("PYTHONPATH entries", std::to_string(split(*pp, ':', false).size()));
  for (auto& [entry, why] : foreign) f.add("foreign entry", entry + " (" + why + ")");

  bool nix = in_nix_shell(s) || self->kind == "nix" ||
             std::all_of(foreign.begin(), foreign.end(), [](auto& r) { return r.first.starts_with("/nix/store/"); });
  if (nix) {
    // The shell's own packages, named as nixpkgs attributes, in PYTHONPATH order.
    std::vector<std::string> mine, strays;
    std::set<std::string> seen;
    auto minor = python_minor_version(self->version);
    for (auto& entry : split(*pp, ':', false)) {
      std::string pname, v;
      if (!nix_python_package(entry, pname, v) || !seen.insert(v + "/" + pname).second) continue;
      (v == minor ? mine : strays).push_back(v == minor ? pname : "python" + v + "-" + pname);
    }
    f.cause = "The nix-shell puts Python packages in buildInputs, so their setup hook exports every package's "
              "site-packages in PYTHONPATH, including packages built for another Python version or interpreter; "
              "every python started in the shell imports them first.";
    std::string list = mine.empty() ? "tensorflow" : join(mine, " ");
    f.fix = "In shell.nix, replace the Python packages in buildInputs by one interpreter that carries them "
            "(no PYTHONPATH needed):\n"
            "  buildInputs = [ (pkgs." + nix_python_attr(self->version) + ".withPackages (ps: with ps; [ " + list +
            " ])) ];\n";
    if (!strays.empty()) f.fix += "and drop the packages of other Python versions (" + join(strays, ", ") + ")";
    else f.fix += "and drop the other interpreter's packages";
    f.fix += "; then leave and re-enter nix-shell.\nFor one command meanwhile: gpuenv run -- python ...";
  } else {
    f.cause = "PYTHONPATH names site-packages of another Python version or another interpreter's prefix; they "
              "come before the interpreter's own site-packages, so its imports pick up packages built for a "
              "different Python (compiled extensions fail to load or load the wrong build).";
    f.fix = repair.kept.empty() ? "unset PYTHONPATH" : "export PYTHONPATH=" + shell_quote(join(repair.kept, ":"));
    f.fix += "\n(or start programs through gpuenv run -- python ..., which repairs PYTHONPATH the same way; "
             "remove the line that sets it from your shell profile for good)";
  }
}

void not_declared(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto* active = at(s, s.python.active);
  const Interpreter* declared = at(s, s.python.declared);
  std::string by = s.python.declared_by;
  std::string declared_version;
  if (!declared && in_nix_shell(s)) {
    // A nix-shell declares its Python through the packages it puts on PYTHONPATH: the version most of them are for.
    std::map<std::string, int> votes;
    for (auto& entry : split(env_value(s, "PYTHONPATH"), ':', false))
      if (entry.starts_with("/nix/store/"))
        if (auto v = python_version_in_path(entry); !v.empty()) ++votes[v];
    int best = 0;
    for (auto& [v, n] : votes)
      if (n > best) {
        best = n;
        declared_version = v;
      }
    if (declared_version.empty()) return;
    by = "nix-shell";
    if (active && python_minor_version(active->version) == declared_version && active->kind == "nix") return;
  } else {
    if (!declared) return;
    if (active && (active == declared || (active->realpath == declared->realpath && active->prefix == declared->prefix)))
      return;
    declared_version = python_minor_version(declared->version);
  }
  bool version_differs = !active || python_minor_version(active->version) != declared_version;
  // The GPU frameworks of the declared interpreter that `python` on PATH cannot import: `import torch` fails.
  std::vector<std::string> lost;
  if (declared && active)
    for (auto& fw : declared->frameworks)
      if (fw.cuda_build && std::none_of(active->frameworks.begin(), active->frameworks.end(),
                                        [&](auto& o) { return o.name == fw.name; }))
        lost.push_back(label(fw));
  auto& f = e.emit(active ? "`python` on PATH is not the declared interpreter" : "No `python` on PATH; the project declares one",
                   version_differs || !lost.empty() ? Severity::Error : Severity::Warning);
  f.subject = active ? active->path : "";
  f.add("python on PATH", active ? describe(*active) : "none");
  if (!lost.empty()) f.add("it cannot import", join(lost, ", ") + " (ModuleNotFoundError)");
  if (declared) f.add("declared", describe(*declared) + ", by " + by);
  else f.add("declared", "Python " + declared_version + ", by the nix-shell's packages on PYTHONPATH");
  if (by == "VIRTUAL_ENV") {
    f.cause = "VIRTUAL_ENV is set, but a directory before the venv's bin/ on PATH (or a stale shell hash) "
              "provides python, so the venv's packages are not the ones imported.";
    f.fix = "source " + declared->prefix + "/bin/activate && hash -r\n(or call " + declared->path + " directly)";
  } else if (by == "nix-shell") {
    f.cause = "The nix-shell's packages are built for Python " + declared_version +
              ", but another interpreter comes first on PATH (a second python in buildInputs or the user's profile).";
    f.fix = "In shell.nix: buildInputs = [ (pkgs." + nix_python_attr(declared_version) +
            ".withPackages (ps: with ps; [ ... ])) ]; with no other python in buildInputs; then re-enter nix-shell.";
  } else {
    f.cause = "The project's " + by + " declares an interpreter, but PATH resolves `python` to another one.";
    f.fix = "gpuenv run -- python ...   (pins PATH to the declared interpreter)\nor: export PATH=" +
            shell_quote(dir_name(declared->path)) + ":$PATH";
  }
}

void pip_mismatch(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto* py = target(s);
  if (!py || s.python.pip.empty() || s.python.pip_interpreter.empty()) return;
  auto shebang = normalize_path(s.python.pip_interpreter);
  if (shebang == py->path || (py->kind != "venv" && shebang == py->realpath)) return;
  // The probe adds pip's interpreter with found_as "pip": the same interpreter under another name
  // (python3 vs python3.11) is merged with it there (same real file and prefix).
  for (auto& o : s.python.interpreters)
    if (std::find(o.found_as.begin(), o.found_as.end(), "pip") != o.found_as.end()) {
      if (&o == py) return;
      break;
    }
  auto& f = e.emit("`pip` on PATH installs into another interpreter than `python`");
  f.subject = s.python.pip;
  f.add("pip", s.python.pip);
  f.add("pip's interpreter (shebang)", s.python.pip_interpreter);
  f.add(s.python.declared >= 0 ? "declared interpreter" : "python on PATH", describe(*py));
  f.cause = "The pip found first on PATH was installed for another Python, so `pip install` puts packages "
            "where `python` never looks.";
  f.fix = py->path + " -m pip install ...   (always install through the interpreter you run)\n"
          "and, if that Python has no pip: " + py->path + " -m ensurepip --upgrade; then hash -r";
}

void user_site_shadows(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto* py = target(s);
  if (!py) return;
  std::set<std::string> user_dirs;
  for (auto& p : py->sys_path)
    if (p.origin == "user-site") user_dirs.insert(p.path);
  if (user_dirs.empty()) return;
  std::vector<std::string> lines;
  std::set<std::string> names;
  for (auto& d : py->distributions) {
    if (d.shadowed_by.empty() || !user_dirs.count(d.shadowed_by)) continue;
    const Distribution* user = nullptr;
    for (auto& u : py->distributions)
      if (u.location == d.shadowed_by && to_lower(u.name) == to_lower(d.name)) user = &u;
    lines.push_back(d.name + " " + (user ? user->version : "?") + " in " + d.shadowed_by + " wins over " +
                    d.version + " in " + d.location);
    names.insert(d.name);
  }
  if (lines.empty()) return;
  auto& f = e.emit("The user site (~/.local) overrides " + std::to_string(lines.size()) + " package" +
                   (lines.size() == 1 ? "" : "s") + " of the environment");
  f.subject = py->path;
  f.add("interpreter", describe(*py));
  for (auto& l : lines) f.add("shadowed", l);
  f.cause = "Packages installed with `pip install --user` sit in the user site, which Python searches before the "
            "environment's site-packages, so they win over the environment's own versions.";
  std::vector<std::string> n(names.begin(), names.end());
  f.fix = "export PYTHONNOUSERSITE=1   (or [python] no_user_site = true in gpuenv.toml)\n"
          "or remove the user copies: " + py->path + " -m pip uninstall " + join(n, " ") +
          "   (removes the copy that wins, the user one)";
}

void framework_shadowed(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto* py = target(s);
  if (!py) return;
  for (auto& fw : py->frameworks) {
    if (!fw.shadowed_by.empty()) continue;  // a winner: look for its losers
    std::vector<const Framework*> losers;
    for (auto& o : py->frameworks)
      if (o.name == fw.name && o.shadowed_by == fw.location) losers.push_back(&o);
    if (losers.empty()) continue;
    auto build = [](const Framework& x) {
      std::string b = x.version.empty() ? "unknown version" : x.version;
      b += x.cuda_build ? " (CUDA " + x.cuda_version + ")" : " (" + (x.variant.empty() ? std::string("cpu") : x.variant) + ")";
      return b;
    };
    bool worse = !fw.cuda_build && std::any_of(losers.begin(), losers.end(), [](auto* l) { return l->cuda_build; });
    auto site = dir_name(fw.location);
    auto origin = origin_of(*py, site);
    auto& f = e.emit("Two copies of " + fw.name + " on sys.path; " + build(fw) + " wins",
                     worse ? Severity::Error : Severity::Warning);
    f.subject = fw.location;
    f.add("interpreter", describe(*py));
    f.add("wins", fw.location + ": " + build(fw) + (origin.empty() ? "" : ", from " + origin));
    for (auto* l : losers) {
      auto lo = origin_of(*py, dir_name(l->location));
      f.add("shadowed", l->location + ": " + build(*l) + (lo.empty() ? "" : ", from " + lo));
    }
    std::string why = origin == "PYTHONPATH"   ? "its directory is on PYTHONPATH, which comes before site-packages"
                      : origin == "user-site"  ? "it is in the user site, which comes before site-packages"
                      : origin.starts_with("pth:") ? "a .pth file (" + origin.substr(4) + ") adds its directory earlier"
                                                   : "its directory comes earlier on sys.path";
    f.cause = "import " + fw.name + " takes the first copy on sys.path: " + why + ".";
    if (origin == "PYTHONPATH") {
      f.fix = path_list_without(s, "PYTHONPATH", {site});
    } else if (origin == "user-site") {
      f.fix = "export PYTHONNOUSERSITE=1, or remove the user copy: " + py->path + " -m pip uninstall " + fw.name;
    } else if (origin.starts_with("pth:")) {
      f.fix = "remove the line naming " + site + " from " + origin.substr(4);
    } else {
      f.fix = "remove the copy you do not want: " + py->path + " -m pip uninstall " +
              (fw.distribution.empty() ? fw.name : split(fw.distribution, ' ', false)[0]) +
              "   (removes the winning copy; repeat if both should go, then reinstall the right build)";
    }
  }
}

// VIRTUAL_ENV or CONDA_PREFIX names an environment with no bin/python: the probe adds the interpreter of each
// one that has it, so a variable no interpreter's prefix matches is left over from a deleted or moved one.
void env_var_stale(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  for (const char* var : {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
    auto* v = s.getenv(var);
    if (!v || !v->starts_with('/')) continue;
    auto prefix = normalize_path(*v);
    bool known = std::any_of(s.python.interpreters.begin(), s.python.interpreters.end(),
                             [&](auto& py) { return py.prefix == prefix; });
    if (known) continue;
    bool venv = std::string_view(var) == "VIRTUAL_ENV";
    auto& f = e.emit(std::string(var) + "=" + prefix + " names no Python environment (no " + prefix + "/bin/python)");
    f.subject = prefix;
    f.add(var, prefix);
    auto* active = at(s, s.python.active);
    f.add("python on PATH", active ? describe(*active) : "none");
    f.cause = std::string("The ") + (venv ? "virtual environment" : "conda environment") + " was deleted, moved or "
              "never finished, but the shell still carries the variable from its activation; tools that read it "
              "(prompts, IDEs, gpuenv run, pip's checks) point at nothing, and `python` is whatever PATH finds.";
    f.fix = venv ? "deactivate   # or: unset VIRTUAL_ENV, and remove " + prefix + "/bin from PATH\n"
                   "then recreate it: python3 -m venv " + prefix + " (and reinstall its packages)"
                 : "conda deactivate   # or: unset CONDA_PREFIX, and remove " + prefix + "/bin from PATH\n"
                   "then: conda env list   (the environments that exist)";
  }
}

// A GPU framework (a CUDA build) is installed in an interpreter that neither `python` nor `python3` on PATH
// runs: name where it is and how to reach it.
void framework_unreachable(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  const std::string names[2] = {"python", "python3"};
  const Interpreter* by_name[2] = {nullptr, nullptr};
  for (auto& py : s.python.interpreters)
    for (int k = 0; k < 2; ++k)
      if (!by_name[k])
        for (auto& how : py.found_as)
          if (how == "PATH:" + names[k] || how.starts_with("PATH:" + names[k] + " ")) by_name[k] = &py;
  auto reaches = [](const Interpreter* py, const std::string& fw) {
    return std::any_of(py->frameworks.begin(), py->frameworks.end(), [&](auto& f) { return f.name == fw; });
  };
  std::map<std::string, std::pair<const Interpreter*, const Framework*>> found;
  for (auto& py : s.python.interpreters)
    for (auto& fw : py.frameworks)
      if (fw.cuda_build && fw.shadowed_by.empty() && !found.count(fw.name)) found[fw.name] = {&py, &fw};
  for (auto& [name, where] : found) {
    auto [home, fw] = where;
    std::vector<std::string> lacking, having;
    for (int k = 0; k < 2; ++k) {
      if (!by_name[k]) continue;
      (reaches(by_name[k], name) ? having : lacking).push_back("`" + names[k] + "` (" + by_name[k]->path + ")");
    }
    if (by_name[0] == nullptr && by_name[1] == nullptr) lacking.push_back("no `python` or `python3` on PATH");
    if (lacking.empty()) continue;
    // The declared interpreter (gpuenv.toml, VIRTUAL_ENV) that PATH does not run: python.not-declared says so.
    if (auto* d = at(s, s.python.declared); d && d->prefix == home->prefix) continue;
    if (!having.empty() && by_name[1] && reaches(by_name[1], name)) home = by_name[1];
    else if (!having.empty() && by_name[0]) home = by_name[0];
    bool none_on_path = !by_name[0] && !by_name[1];
    auto& f = e.emit(label(*fw) + " is in " + home->prefix +
                         (none_on_path ? std::string(", and there is no `python` or `python3` on PATH")
                                       : ", which " + join(lacking, " and ") + " on PATH " +
                                             (lacking.size() > 1 ? "do" : "does") + " not reach"),
                     Severity::Warning);
    f.subject = home->path;
    f.add("framework", label(*fw) + " (CUDA " + fw->cuda_version + ") in " + dir_name(fw->location));
    f.add("its interpreter", describe(*home));
    for (auto& l : lacking) f.add("without " + name, l);
    for (auto& h : having) f.add("with " + name, h);
    f.cause = "`import " + name + "` fails (ModuleNotFoundError) or finds another build in the interpreter the shell "
              "runs: the framework was installed into " + home->prefix + ", which is not activated (its bin/ is not "
              "first on PATH).";
    if (!having.empty())
      f.fix = "run " + having[0].substr(1, having[0].find('`', 1) - 1) + " instead, or make both names that interpreter: "
              "put " + dir_name(home->path) + " first on PATH";
    else if (home->kind == "venv")
      f.fix = "source " + home->prefix + "/bin/activate   # python, python3 and pip are then that environment's\n"
              "or run it directly: " + home->prefix + "/bin/python your_script.py";
    else if (home->kind == "conda")
      f.fix = "conda activate " + home->prefix + "\nor run it directly: " + home->path + " your_script.py";
    else
      f.fix = "export PATH=" + shell_quote(dir_name(home->path)) + ":$PATH   # or run " + home->path + " directly";
  }
}

}  // namespace

void add_python_checks(std::vector<CheckDef>& out) {
  out.push_back({"python.pythonpath-foreign", Severity::Error,
                 "PYTHONPATH carries site-packages of another Python version or another interpreter's prefix",
                 pythonpath_foreign});
  out.push_back({"python.not-declared", Severity::Error,
                 "`python` on PATH is not the interpreter the project declares (gpuenv.toml, VIRTUAL_ENV, nix-shell)",
                 not_declared});
  out.push_back({"python.pip-mismatch", Severity::Warning, "`pip` on PATH belongs to another interpreter than `python`",
                 pip_mismatch});
  out.push_back({"python.user-site-shadows", Severity::Warning,
                 "the user site (~/.local) provides packages the environment also has, and wins", user_site_shadows});
  out.push_back({"python.env-var-stale", Severity::Warning,
                 "VIRTUAL_ENV or CONDA_PREFIX names an environment that does not exist (no bin/python)", env_var_stale});
  out.push_back({"python.framework-unreachable", Severity::Warning,
                 "a GPU framework is installed only in an interpreter that `python`/`python3` on PATH does not run",
                 framework_unreachable});
  out.push_back({"framework.shadowed", Severity::Warning, "two copies of a framework on sys.path; which one wins and why",
                 framework_shadowed});
  out.push_back({"python.wheel-incomplete", Severity::Error,
                 "Files an installed GPU distribution's RECORD lists are missing or of another size (sha256 with --deep)",
                 wheel_incomplete});
}

}  // namespace gpuenv
