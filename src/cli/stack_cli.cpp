#include "cli/stack_cli.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>

#include "cli/cli.hpp"
#include "env/locate.hpp"
#include "app/inputs.hpp"
#include "model/json.hpp"
#include "probe/snapshot.hpp"
#include "util/hash.hpp"
#include "util/progress.hpp"
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
  Environment env = current_environment();
  if (!st.spec.path.empty()) {
    // The stack as `gpuenv run` gives it.
    auto p = prepare_activation(st.spec, env, a.act.root);
    if (!p.result.errors.empty()) throw UsageError(p.result.errors.front());
    env = p.result.env;
  }
  DriverInputs d;
  d.timeout = a.timeout;
  d.no_driver = a.no_driver;
  SnapshotOptions o = snapshot_options(a.act.root, std::move(env), d);
  o.spec = st.spec.path.empty() ? nullptr : &st.spec;
  DeclaredInterpreter declared;  // located once, by the Python probe
  ProgressLine progress;
  o.on_slow = progress.sayer();
  st.snap = take_snapshot(o, &declared);
  if (st.spec.declares_python()) {
    if (declared.index < 0) throw UsageError(declared.error);
    st.interpreter = declared.index;
  } else {
    st.interpreter = st.snap.python.active;
  }
  return st;
}


Lock lock_of(const Stack& st, const StackArgs& a) {
  FileHasher hasher;
  ProgressLine progress;  // "gpuenv: hashing libraries: 12 done, 1.8 GB" on a terminal
  if (a.from.empty()) {
    auto root = a.act.root;
    hasher = [root, &progress](const std::string& logical) {
      Fs fs(root);
      auto host = fs.host_path(logical);
      auto r = sha256_file(host);
      progress.count(fs.stat(logical).size, "hashing libraries");
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
