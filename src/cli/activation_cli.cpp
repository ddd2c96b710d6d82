#include "cli/activation_cli.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>

#include "app/inputs.hpp"
#include "checks/check.hpp"
#include "cli/cli.hpp"
#include "probe/snapshot.hpp"
#include "report/report.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

namespace gpuenv {

static std::string current_dir() {
  char buf[4096];
  if (!::getcwd(buf, sizeof buf)) throw UsageError(std::string("cannot read the current directory: ") + std::strerror(errno));
  return buf;
}

Spec spec_for_command(const ActivationArgs& a) {
  Fs fs;
  std::string path = a.spec;
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

PreparedActivation activate_for_command(const Spec& spec, const ActivationArgs& a) {
  auto p = prepare_activation(spec, current_environment(), a.root);
  if (!p.result.errors.empty()) {
    for (size_t i = 0; i + 1 < p.result.errors.size(); ++i) std::fprintf(stderr, "gpuenv: error: %s\n", p.result.errors[i].c_str());
    throw UsageError(p.result.errors.back());
  }
  ensure_shims(p.result);
  return p;
}

std::string describe_changes(const Spec& spec, const Activation& act, int verbose, const std::string& pre) {
  std::string out;
  out += pre + "gpuenv: " + (spec.path.empty() ? std::string("no gpuenv.toml: driver library fixes only") : "activating " + spec.path) + "\n";
  if (!act.interpreter.empty()) out += pre + "  python: " + act.interpreter + "\n";
  if (act.changes.empty()) out += pre + "  nothing to change\n";
  size_t w = 0;
  for (auto& c : act.changes) w = std::max(w, c.name.size());
  for (auto& c : act.changes) {
    std::string what = c.after ? (c.before ? "" : "set ") : "unset ";
    std::string why = join(c.why, "; ");
    out += pre + fmt::format("  {:<{}}  {}{}\n", c.name, w, what, why);
    for (auto& [e, reason] : c.removed)
      out += pre + fmt::format("  {:<{}}    - {}{}\n", "", w, e.empty() ? "(empty entry)" : e, verbose > 0 ? "  (" + reason + ")" : "");
    for (auto& e : c.added) out += pre + fmt::format("  {:<{}}    + {}\n", "", w, e);
    if (verbose > 1 && c.after) out += pre + fmt::format("  {:<{}}    = {}\n", "", w, *c.after);
  }
  return out;
}

bool check_environment(const Spec& spec, const Activation& act, const ActivationArgs& a) {
  // The fast checks: every file probe, no driver probe (cuInit alone costs ~200 ms).
  DriverInputs files_only;
  files_only.no_driver = true;
  auto o = snapshot_options(a.root, act.env, files_only);
  o.spec = spec.path.empty() ? nullptr : &spec;  // the command's spec (--spec), not one found from $PWD
  auto snap = take_snapshot(o);
  CheckFilter filter;
  bool wants_gpu = spec.frameworks.empty() ||
                   std::any_of(spec.frameworks.begin(), spec.frameworks.end(), [](auto& f) { return f.accelerator != "cpu"; });
  if (!wants_gpu) filter.skip = {"gpu.", "driver."};
  auto findings = run_checks(snap, Knowledge::get(), filter);
  auto sum = summarize(findings);
  if (sum.errors == 0) return true;
  TextOptions t;
  t.style.color = should_color(2);
  auto text = render_text(snap, findings, t);
  std::fwrite(text.data(), 1, text.size(), stderr);
  return false;
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

int exec_with_environment(const std::vector<std::string>& argv, const Environment& env) {
  std::string prog = resolve_command(argv[0], env);
  if (prog.empty()) {
    std::fprintf(stderr, "gpuenv: %s: command not found\n", argv[0].c_str());
    return 127;
  }
  std::vector<std::string> envs;
  envs.reserve(env.size());
  for (auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (auto& x : argv) cargv.push_back(const_cast<char*>(x.c_str()));
  cargv.push_back(nullptr);
  for (auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execve(prog.c_str(), cargv.data(), cenv.data());
  int e = errno;
  if (e == ENOEXEC) {
    // A script without #!: run it with /bin/sh, as execvp does.
    std::vector<char*> sh{const_cast<char*>("/bin/sh"), const_cast<char*>(prog.c_str())};
    for (size_t i = 1; i < argv.size(); ++i) sh.push_back(cargv[i]);
    sh.push_back(nullptr);
    ::execve("/bin/sh", sh.data(), cenv.data());
  }
  std::fprintf(stderr, "gpuenv: cannot run %s: %s\n", prog.c_str(), std::strerror(e));
  return e == ENOENT ? 127 : 126;
}

bool add_host_driver_for_nix(const std::string& command, PreparedActivation& p, const ActivationArgs& a) {
  Fs fs(a.root);
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
  auto root = shim_root(p.result.env);  // .../gpuenv/shims
  if (root.empty()) return false;       // no writable cache directory: the loader is left as it is
  std::string link_dir = fmt::format("{}/driver/{:016x}", dir_name(root), h);
  Activation links_only;
  links_only.shim_dir = link_dir;
  links_only.shim_links = links;
  ensure_shims(links_only);
  auto& env = p.result.env;
  auto it = env.find("LD_LIBRARY_PATH");
  std::string old = it == env.end() ? "" : it->second;
  env["LD_LIBRARY_PATH"] = old.empty() ? link_dir : link_dir + ":" + old;
  if (a.verbose > 0)
    std::fprintf(stderr, "  LD_LIBRARY_PATH  put %s first: links to the host driver's libraries in %s, which the "
                         "Nix-built %s cannot find (Nix's loader ignores /etc/ld.so.cache)\n",
                 link_dir.c_str(), dir.c_str(), prog.c_str());
  return true;
}

}  // namespace gpuenv
