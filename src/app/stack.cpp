#include "app/stack.hpp"

#include <unistd.h>

#include <cstdio>
#include <fmt/format.h>

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
#include "util/progress.hpp"
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
  if (in.progress) o.on_slow = in.progress->sayer();
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

Lock lock_of(const Stack& st, const StackInputs& in) {
  FileHasher hasher;
  if (in.from.empty()) {
    auto root = in.root;
    hasher = [root, progress = in.progress](const std::string& logical) {
      Fs fs(root);
      auto host = fs.host_path(logical);
      auto r = sha256_file(host);
      if (progress) progress->count(fs.stat(logical).size, "hashing libraries");
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
