#include "app/stack.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <mutex>

#include "app/activation.hpp"
#include "app/inputs.hpp"
#include "checks/check.hpp"
#include "env/init.hpp"
#include "env/spec.hpp"
#include "env/locate.hpp"
#include "knowledge/knowledge.hpp"
#include "lock/diff.hpp"
#include "model/json.hpp"
#include "probe/snapshot.hpp"
#include "util/atomic_file.hpp"
#include "util/errors.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"

namespace gpuenv {

Stack probe_stack(const StackInputs& in) {
  Stack st;
  if (!in.no_spec) st.spec = spec_for_command(in.spec);
  if (!in.from.empty()) {
    auto doc = parse_doctor_json(read_input_file(in.from));
    if (!doc) throw UsageError((in.from == "-" ? std::string("stdin") : in.from) + ": " + doc.error());
    st.snap = std::move(doc->snapshot);
    st.interpreter = st.snap.python.active;
    return st;
  }
  Fs probe_root(in.root);
  if (!probe_root.is_dir("/")) throw UsageError("--root " + in.root + " is not a directory");
  Environment env = current_environment();
  PreparedActivation p;
  if (!st.spec.path.empty()) {
    // The stack as `gpuenv run` gives it.
    p = prepare_activation(st.spec, env, in.root);
    if (!p.result.errors.empty()) throw UsageError(p.result.errors.front());
    env = p.result.env;
  }
  DriverInputs d;
  d.timeout = in.timeout;
  d.no_driver = in.no_driver;
  SnapshotOptions o = snapshot_options(in.root, std::move(env), d);
  o.spec = st.spec.path.empty() ? nullptr : &st.spec;
  // The declared interpreter is located once, by the activation, in the environment before it: the activated PATH
  // may begin with a shim directory, where looking again would find the shim instead.
  if (p.declared.index >= 0) o.declared_interpreter = &p.snap.python.interpreters[size_t(p.declared.index)];
  DeclaredInterpreter declared;
  st.snap = take_snapshot(o, &declared);
  if (st.spec.declares_python()) {
    if (declared.index < 0) throw UsageError(declared.error);
    st.interpreter = declared.index;
  } else {
    st.interpreter = st.snap.python.active;
  }
  return st;
}

namespace {
// "gpuenv: hashing libraries: 12 done, 1.8 GB", once hashing has taken a second, at most every 100 ms; the line
// is cleared when hashing ends.
class HashProgress {
 public:
  explicit HashProgress(std::function<void(const std::string&)> sink)
      : sink_(std::move(sink)), start_(std::chrono::steady_clock::now()) {}
  ~HashProgress() {
    if (shown_) sink_("\r\033[K");
  }
  void done(std::uint64_t bytes) {
    files_.fetch_add(1);
    bytes_.fetch_add(bytes);
    if (!sink_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - start_ < std::chrono::seconds(1)) return;
    std::lock_guard<std::mutex> g(mu_);
    if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    shown_ = true;
    sink_(fmt::format("\r\033[Kgpuenv: hashing libraries: {} done, {:.1f} GB", files_.load(), double(bytes_.load()) / 1e9));
  }

 private:
  std::function<void(const std::string&)> sink_;
  std::chrono::steady_clock::time_point start_, last_;
  std::atomic<std::size_t> files_{0};
  std::atomic<std::uint64_t> bytes_{0};
  std::mutex mu_;
  bool shown_ = false;
};
}  // namespace

Lock lock_of(const Stack& st, const StackInputs& in) {
  FileHasher hasher;
  HashProgress progress(in.on_progress);
  if (in.from.empty()) {
    auto root = in.root;
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
  try {
    return current_dir() + "/" + kLockFileName;
  } catch (const UsageError&) {
    return kLockFileName;
  }
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

LockOutcome write_stack_lock(const StackInputs& in, const std::string& output) {
  LockOutcome out;
  auto st = probe_stack(in);
  out.lock = lock_of(st, in);
  out.text = render_lock(out.lock);
  out.path = output.empty() ? default_lock_path(st.spec) : output;
  if (out.path == "-") {
    out.result = LockOutcome::Result::Stdout;
    return out;
  }
  Fs fs;
  if (auto old = fs.read_opt(out.path, 64u << 20); old && *old == out.text) {
    out.result = LockOutcome::Result::UpToDate;
    return out;
  }
  auto r = write_file_atomic(out.path, out.text);
  if (!r) throw UsageError(r.error() + " (the previous lock, if any, is unchanged)");
  out.result = LockOutcome::Result::Written;
  return out;
}

VerifyReport verify_stack(const StackInputs& in, const std::string& lock_path) {
  auto st = probe_stack(in);
  std::string path = lock_path.empty() ? default_lock_path(st.spec) : lock_path;
  Fs fs;
  if (!fs.exists(path)) throw UsageError("no lock at " + path + ": run `gpuenv lock` first");
  auto locked = read_lock_or_snapshot(path);
  auto now = lock_of(st, in);
  return VerifyReport{path, diff_locks(locked, now)};
}

DiffReport diff_stacks(const std::string& a, const std::string& b) {
  auto la = read_lock_or_snapshot(a);
  auto lb = read_lock_or_snapshot(b);
  return DiffReport{a, b, diff_locks(la, lb)};
}

bool changes_are_problems(const std::vector<LockChange>& changes, bool allow_compatible) {
  if (changes.empty()) return false;
  if (allow_compatible)
    for (auto& c : changes)
      if (c.impact != Impact::Fine) return true;
  return !allow_compatible;
}

InitOutcome init_project(const InitInputs& in) {
  InitOutcome out;
  std::string dir = in.dir;
  if (dir.empty()) {
    char buf[4096];
    if (!::getcwd(buf, sizeof buf)) throw UsageError("cannot read the current directory");
    dir = buf;
  }
  out.path = dir + "/" + kSpecFileName;
  Fs fs;
  if (fs.exists(out.path) && !in.force) throw UsageError(out.path + " exists; remove it or pass --force to replace it");
  StackInputs si = in.stack;
  si.no_spec = true;  // the environment as it is: an older spec is not applied
  Stack st = probe_stack(si);
  // The interpreter to declare: --python, else the active one, else $VIRTUAL_ENV or python3 on PATH.
  Environment env = current_environment();
  ProbeContext ctx{Fs(si.root), env};
  Spec probe_spec;
  probe_spec.dir = dir;
  if (!in.python.empty()) probe_spec.interpreter = in.python;
  int idx = -1;
  if (!in.python.empty()) {
    auto d = locate_declared_interpreter(ctx, probe_spec, st.snap.python);
    if (d.index < 0) throw UsageError(d.error);
    idx = d.index;
  } else if (st.snap.python.active >= 0) {
    idx = st.snap.python.active;
  } else {
    std::string p;
    if (auto* ve = ctx.getenv("VIRTUAL_ENV"); ve && !ve->empty() && ctx.fs.exists(*ve + "/bin/python")) p = *ve + "/bin/python";
    if (p.empty()) p = find_on_path(ctx.fs, "python3", ctx.getenv("PATH") ? *ctx.getenv("PATH") : "");
    if (!p.empty()) {
      probe_spec.interpreter = p;
      idx = locate_declared_interpreter(ctx, probe_spec, st.snap.python).index;
    }
  }
  const Interpreter* py = idx >= 0 ? &st.snap.python.interpreters[size_t(idx)] : nullptr;

  auto findings = run_checks(st.snap, Knowledge::get());
  if (summarize(findings).errors > 0 && !in.force) {
    out.snap = std::move(st.snap);
    out.findings = std::move(findings);
    return out;
  }
  std::vector<Finding> open;
  if (in.force)
    for (auto& f : findings)
      if (f.severity != Severity::Info) open.push_back(f);
  auto text = render_initial_spec(st.snap, py, dir, open);
  auto r = write_file_atomic(out.path, text);
  if (!r) throw UsageError(r.error());
  out.written = true;
  out.with_findings = !open.empty();
  return out;
}

}  // namespace gpuenv
