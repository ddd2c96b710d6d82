#include "env/locate.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "util/strings.hpp"

#include "probe/probes.hpp"

namespace gpuenv {

void probe_for_activation(const ProbeContext& ctx, Snapshot& s) {
  if (auto mv = ctx.fs.read_line("/sys/module/nvidia/version")) {
    s.kernel.loaded = true;
    s.kernel.version = *mv;
  }
  probe_driver_libraries(ctx, s);
}

namespace {

// Why `dir` cannot hold gpuenv's files ("" when it can): it, or its nearest existing parent, must be a
// directory we may write.
std::string unusable(std::string dir) {
  struct stat st{};
  for (bool first = true;; first = false) {
    if (::stat(dir.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return dir + " is not a directory";
      if (::access(dir.c_str(), W_OK | X_OK) != 0) return dir + (first ? "" : " (to create a directory in)") +
                                                           " is not writable: " + std::strerror(errno);
      return "";
    }
    if (errno != ENOENT) return dir + ": " + std::strerror(errno);
    if (dir == "/" || dir.empty()) return "no parent directory exists";
    dir = dir_name(dir);
  }
}

}  // namespace

CacheDir cache_dir(const Environment& env) {
  auto get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
  std::vector<std::string> why;
  auto xdg = get("XDG_CACHE_HOME");
  if (xdg.starts_with('/')) {
    if (auto e = unusable(xdg + "/gpuenv"); e.empty()) return {xdg + "/gpuenv", ""};
    else why.push_back("$XDG_CACHE_HOME: " + e);
  }
  auto home = get("HOME");
  if (home.starts_with('/')) {
    if (auto e = unusable(home + "/.cache/gpuenv"); e.empty()) return {home + "/.cache/gpuenv", ""};
    else why.push_back("~/.cache: " + e);
  }
  auto tmp = get("TMPDIR");
  if (!tmp.starts_with('/')) tmp = "/tmp";
  auto mine = tmp + "/gpuenv-" + std::to_string(::geteuid());
  ::mkdir(mine.c_str(), 0700);
  struct stat st{};
  if (::lstat(mine.c_str(), &st) != 0) why.push_back("$TMPDIR: cannot create " + mine + ": " + std::strerror(errno));
  else if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 022))
    why.push_back("$TMPDIR: " + mine + " is not a directory of this user's alone");
  else if (auto e = unusable(mine); !e.empty()) why.push_back("$TMPDIR: " + e);
  else return {mine, ""};
  return {"", "no cache directory is writable (" + join(why, "; ") + "); set XDG_CACHE_HOME to a writable directory"};
}

std::string shim_root(const Environment& env) {
  auto c = cache_dir(env);
  return c.path.empty() ? "" : c.path + "/shims";
}

PreparedActivation prepare_activation(const Spec& spec, const Environment& env, const std::string& root) {
  PreparedActivation p;
  ProbeContext ctx{Fs(root), env};
  p.snap.root = root;
  probe_for_activation(ctx, p.snap);
  p.declared = locate_declared_interpreter(ctx, spec, p.snap.python);
  ActivationInput in{p.snap, spec, env};
  in.interpreter = p.declared.index;
  in.interpreter_error = p.declared.error;
  in.python_in_bin_dir = p.declared.python_in_bin_dir;
  auto cache = cache_dir(env);
  in.shim_root = cache.path.empty() ? "" : cache.path + "/shims";
  in.shim_root_error = cache.error;
  p.result = activate(in);
  return p;
}

}  // namespace gpuenv
