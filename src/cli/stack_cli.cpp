#include "cli/stack_cli.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>

#include "cli/cli.hpp"
#include "env/locate.hpp"
#include "model/json.hpp"
#include "probe/snapshot.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"

namespace gpuenv {

Stack probe_stack(const StackArgs& a) {
  Stack st;
  if (!a.no_spec) st.spec = spec_for_command(a.act);
  if (!a.from.empty()) {
    auto doc = parse_doctor_json(read_input_file(a.from));
    if (!doc) throw UsageError((a.from == "-" ? std::string("stdin") : a.from) + ": " + doc.error());
    st.snap = std::move(doc->snapshot);
    st.interpreter = st.snap.python.active;
    return st;
  }
  Fs probe_root(a.act.root);
  if (!probe_root.is_dir("/")) throw UsageError("--root " + a.act.root + " is not a directory");
  SnapshotOptions o;
  o.root = a.act.root;
  o.env = current_environment();
  if (!st.spec.path.empty()) {
    // The stack as `gpuenv run` gives it.
    auto p = prepare_activation(st.spec, o.env, a.act.root);
    if (!p.result.errors.empty()) throw UsageError(p.result.errors.front());
    o.env = p.result.env;
  }
  o.driver.timeout_s = a.timeout;
  auto env_or = [&](const char* var, const char* def) {
    auto it = o.env.find(var);
    return it != o.env.end() && !it->second.empty() ? it->second : std::string(def);
  };
  o.driver.libcuda = env_or("GPUENV_LIBCUDA", "libcuda.so.1");
  o.driver.libnvml = env_or("GPUENV_LIBNVML", "libnvidia-ml.so.1");
  o.driver.enabled = !a.no_driver && (a.act.root == "/" || o.env.count("GPUENV_LIBCUDA"));
  o.driver.trusted_only = env_or("GPUENV_TRUSTED_DRIVER", "") == "1";
  st.snap = take_snapshot(o);
  ProbeContext ctx{Fs(a.act.root), o.env};
  if (st.spec.declares_python()) {
    auto d = locate_declared_interpreter(ctx, st.spec, st.snap);
    if (d.index < 0) throw UsageError(d.error);
    st.interpreter = d.index;
  } else {
    st.interpreter = st.snap.python.active;
  }
  return st;
}

namespace {
// "gpuenv: hashing libraries: 12 done, 1.8 GB" on stderr, once hashing has taken a second, when stderr is a
// terminal; the line is cleared when hashing ends.
class HashProgress {
 public:
  HashProgress() : tty_(::isatty(2) != 0), start_(std::chrono::steady_clock::now()) {}
  ~HashProgress() {
    if (shown_) std::fputs("\r\033[K", stderr);
  }
  void done(std::uint64_t bytes) {
    files_.fetch_add(1);
    bytes_.fetch_add(bytes);
    if (!tty_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - start_ < std::chrono::seconds(1)) return;
    std::lock_guard<std::mutex> g(mu_);
    if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    shown_ = true;
    std::fprintf(stderr, "\r\033[Kgpuenv: hashing libraries: %zu done, %.1f GB", files_.load(), double(bytes_.load()) / 1e9);
    std::fflush(stderr);
  }

 private:
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_;
  std::atomic<std::size_t> files_{0};
  std::atomic<std::uint64_t> bytes_{0};
  std::mutex mu_;
  bool shown_ = false;
};
}  // namespace

Lock lock_of(const Stack& st, const StackArgs& a) {
  FileHasher hasher;
  HashProgress progress;
  if (a.from.empty()) {
    auto root = a.act.root;
    hasher = [root, &progress](const std::string& logical) {
      Fs fs(root);
      auto host = fs.host_path(logical);
      auto r = sha256_file(host);
      progress.done(fs.stat(logical).size);
      return r ? *r : std::string();
    };
  }
  return lock_from_snapshot(st.snap, st.interpreter, hasher);
}

std::string default_lock_path(const Spec& spec) {
  if (!spec.dir.empty()) return spec.dir + "/" + kLockFileName;
  char buf[4096];
  if (!::getcwd(buf, sizeof buf)) return kLockFileName;
  return std::string(buf) + "/" + kLockFileName;
}

Lock read_lock_or_snapshot(const std::string& path) {
  auto text = read_input_file(path);
  auto t = trim(text);
  if (t.starts_with("{")) {
    auto doc = parse_doctor_json(text);
    if (!doc) throw UsageError(path + ": " + doc.error());
    return lock_from_snapshot(doc->snapshot, -1, nullptr);
  }
  auto l = parse_lock(text, path);
  if (!l) throw UsageError(l.error());
  return std::move(l).value();
}

void add_stack_options(CLI::App* cmd, StackArgs& a) {
  cmd->add_option("--spec", a.act.spec, "Use this spec instead of looking for gpuenv.toml");
  cmd->add_option("--from", a.from, "Use a saved snapshot (gpuenv doctor --json) instead of probing this machine");
  cmd->add_option("--timeout", a.timeout, "Seconds to wait for the driver probe (default 5)");
  cmd->add_flag("--no-driver", a.no_driver, "Do not load the user-space driver (no GPU models or CUDA version)");
  cmd->add_option("--root", a.act.root, "Read files under DIR instead of / (fixture trees)")->group("");
}

}  // namespace gpuenv
