#include "app/activation.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>

#include "app/inputs.hpp"
#include "checks/check.hpp"
#include "env/spec.hpp"
#include "knowledge/knowledge.hpp"
#include "probe/snapshot.hpp"
#include "util/errors.hpp"
#include "util/strings.hpp"

namespace gpuenv {

Spec spec_for_command(const std::string& spec_flag) {
  Fs fs;
  std::string path = spec_flag;
  if (path.empty()) {
    auto found = find_spec(current_dir(), fs);
    if (!found) return Spec{};
    path = *found;
  } else if (!path.starts_with('/')) {
    path = normalize_path(current_dir() + "/" + path);
  }
  auto s = load_spec(path, fs);
  if (!s) throw UsageError(s.error());
  return std::move(s).value();
}

ProjectEnvironment activate_project(const ActivationArgs& a) {
  ProjectEnvironment pe;
  pe.spec = spec_for_command(a.spec);
  pe.prepared = prepare_activation(pe.spec, current_environment(), a.root);
  // Every error is said, each on its own line: the command prints "gpuenv: error: " before the message.
  if (auto& errors = pe.prepared.result.errors; !errors.empty()) throw UsageError(join(errors, "\ngpuenv: error: "));
  ensure_shims(pe.prepared.result);
  return pe;
}

EnvReport env_report(const ActivationArgs& a, const std::string& shell) {
  auto pe = activate_project(a);
  EnvReport r;
  r.spec_path = pe.spec.path;
  r.verbose = a.verbose;
  r.shell = shell;
  if (r.shell.empty()) {
    auto it = pe.activation().env.find("SHELL");
    r.shell = it != pe.activation().env.end() && base_name(it->second) == "fish" ? "fish" : "bash";
  }
  r.activation = std::move(pe.prepared.result);
  return r;
}

namespace {

// --check: the fast (file-only) doctor checks in the activated environment; the refusal when they find errors.
std::optional<LaunchPlan::Refusal> check_environment(const Spec& spec, const Activation& act, const ActivationArgs& a) {
  // Every file probe, no driver probe (cuInit alone costs ~200 ms).
  DriverInputs files_only;
  files_only.no_driver = true;
  auto o = snapshot_options(a.root, act.env, files_only);
  o.spec = spec.path.empty() ? nullptr : &spec;  // the command's spec (--spec), not one found from $PWD
  LaunchPlan::Refusal r;
  r.snap = take_snapshot(o);
  CheckFilter filter;
  bool wants_gpu = spec.frameworks.empty() ||
                   std::any_of(spec.frameworks.begin(), spec.frameworks.end(), [](auto& f) { return f.accelerator != "cpu"; });
  if (!wants_gpu) filter.skip = {"gpu.", "driver."};
  r.findings = run_checks(r.snap, Knowledge::get(), filter);
  if (summarize(r.findings).errors == 0) return std::nullopt;
  return r;
}

LaunchPlan plan(const ActivationArgs& a, ProjectEnvironment pe, std::vector<std::string> argv) {
  LaunchPlan lp;
  lp.spec = std::move(pe.spec);
  lp.argv = std::move(argv);
  if (a.check) lp.refused = check_environment(lp.spec, pe.activation(), a);
  lp.program = resolve_command(lp.argv[0], pe.activation().env);
  lp.activation = std::move(pe.prepared.result);
  return lp;
}

}  // namespace

LaunchPlan plan_run(const ActivationArgs& a, const std::vector<std::string>& argv) {
  if (argv.empty()) throw UsageError("run needs a command: gpuenv run -- python train.py");
  auto pe = activate_project(a);
  add_host_driver_for_nix(argv[0], pe.prepared, a.root);  // a Nix-built program on another distribution
  return plan(a, std::move(pe), argv);
}

LaunchPlan plan_shell(const ActivationArgs& a) {
  auto pe = activate_project(a);
  auto& env = pe.activation().env;
  auto it = env.find("SHELL");
  std::string sh = it != env.end() && !it->second.empty() ? it->second : "/bin/sh";
  return plan(a, std::move(pe), {sh});
}

void ensure_shims(const Activation& act) {
  if (act.shim_dir.empty()) return;
  struct stat st{};
  bool complete = ::stat(act.shim_dir.c_str(), &st) == 0;
  for (auto& [name, target] : act.shim_links) {
    char buf[4096];
    auto n = ::readlink((act.shim_dir + "/" + name).c_str(), buf, sizeof buf - 1);
    if (n < 0 || std::string(buf, size_t(n)) != target) complete = false;
  }
  if (complete) return;
  // Build it beside and rename into place, so a concurrent run never sees half of it.
  std::string parent = dir_name(act.shim_dir);
  std::string cur;
  for (auto& part : split(parent, '/', false)) {
    cur += "/" + part;
    ::mkdir(cur.c_str(), 0755);
  }
  std::string tmp = act.shim_dir + ".tmp.XXXXXX";
  if (!::mkdtemp(tmp.data())) throw UsageError("cannot create " + tmp + ": " + std::strerror(errno));
  for (auto& [name, target] : act.shim_links)
    if (::symlink(target.c_str(), (tmp + "/" + name).c_str()) != 0)
      throw UsageError("cannot create a link in " + tmp + ": " + std::strerror(errno));
  ::chmod(tmp.c_str(), 0755);
  if (::rename(tmp.c_str(), act.shim_dir.c_str()) != 0) {
    // Another run won the race, or an old incomplete directory is in the way.
    std::string old = act.shim_dir + ".old." + std::to_string(::getpid());
    if (::rename(act.shim_dir.c_str(), old.c_str()) == 0) {
      for (auto& [name, target] : act.shim_links) ::unlink((old + "/" + name).c_str());
      ::rmdir(old.c_str());
      ::rename(tmp.c_str(), act.shim_dir.c_str());
    }
    for (auto& [name, target] : act.shim_links) ::unlink((tmp + "/" + name).c_str());
    ::rmdir(tmp.c_str());
  }
}

std::string resolve_command(const std::string& name, const Environment& env) {
  if (name.find('/') != std::string::npos) return name;
  auto it = env.find("PATH");
  std::string path = it == env.end() ? std::string("/usr/local/bin:/usr/bin:/bin") : it->second;
  for (auto& dir : split(path, ':', true)) {
    std::string p = (dir.empty() ? std::string(".") : dir) + "/" + name;
    struct stat st{};
    if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

void prepend_to_list_variable(Activation& act, const std::string& name, const std::string& dir, const std::string& why) {
  auto it = act.env.find(name);
  std::optional<std::string> before = it == act.env.end() ? std::nullopt : std::optional(it->second);
  std::string after = !before || before->empty() ? dir : dir + ":" + *before;
  act.env[name] = after;
  auto c = std::find_if(act.changes.begin(), act.changes.end(), [&](auto& ch) { return ch.name == name; });
  if (c == act.changes.end()) {
    VarChange ch;
    ch.name = name;
    ch.before = before;  // unchanged by the activation until now: the value it started from
    c = act.changes.insert(std::lower_bound(act.changes.begin(), act.changes.end(), name,
                                            [](auto& x, const std::string& n) { return x.name < n; }),
                           std::move(ch));
  }
  c->after = after;
  c->why.push_back(why);
  c->added.insert(c->added.begin(), dir);
}

bool add_host_driver_for_nix(const std::string& command, PreparedActivation& p, const std::string& root) {
  Fs fs(root);
  if (fs.exists("/etc/NIXOS")) return false;  // NixOS: /run/opengl-driver/lib is in every Nix program's RUNPATH
  std::string prog = resolve_command(command, p.result.env);
  if (prog.empty()) return false;
  char buf[PATH_MAX];
  if (!::realpath(prog.c_str(), buf)) return false;
  if (!fs.logical_path(buf).starts_with("/nix/store/")) return false;
  auto* drv = driver_library_copy(p.snap);
  if (!drv || (drv->origin != "ld.so.conf" && drv->origin != "default")) return false;  // already on the path
  std::string dir = dir_name(drv->path);
  std::vector<std::pair<std::string, std::string>> links;
  for (auto& name : fs.list(dir))
    if (name.starts_with("libcuda.so") || name.starts_with("libnvidia-") || name.starts_with("libcudadebugger.so"))
      links.emplace_back(name, fs.host_path(path_join(dir, name)));
  if (links.empty()) return false;
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : fs.host_path(dir)) h = (h ^ c) * 1099511628211ull;
  auto shims = shim_root(p.result.env);  // .../gpuenv/shims
  if (shims.empty()) return false;       // no writable cache directory: the loader is left as it is
  std::string link_dir = fmt::format("{}/driver/{:016x}", dir_name(shims), h);
  Activation links_only;
  links_only.shim_dir = link_dir;
  links_only.shim_links = links;
  ensure_shims(links_only);
  prepend_to_list_variable(p.result, "LD_LIBRARY_PATH", link_dir,
                           "links to the host driver's libraries in " + dir + ", which the Nix-built " + prog +
                               " cannot find (Nix's loader ignores /etc/ld.so.cache)");
  return true;
}

}  // namespace gpuenv
