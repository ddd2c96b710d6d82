#pragma once
// The stack pipelines: `lock` (probe -> fingerprint -> gpuenv.lock), `verify` (this machine against a lock),
// `diff` (two locks or saved snapshots) and `init` (gpuenv.toml from a healthy environment). With a gpuenv.toml
// the stack is probed in the environment `gpuenv run` gives. Nothing here prints; progress goes to the caller's ProgressLine.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lock/lock.hpp"
#include "model/finding.hpp"
#include "model/reports.hpp"
#include "model/snapshot.hpp"
#include "model/spec.hpp"
#include "util/progress.hpp"

namespace gpuenv {

struct StackInputs {
  std::string spec;        // --spec FILE; "" = walk up from the current directory
  std::string root = "/";  // --root (fixture trees)
  std::string from;        // a saved snapshot (doctor --json) instead of probing
  double timeout = 5.0;
  bool no_driver = false;
  bool no_spec = false;    // ignore any gpuenv.toml (init)
  // Where progress goes (a driver that keeps us waiting; "gpuenv: hashing libraries: 12 done, 1.8 GB" once hashing
  // has taken a second); none when null.
  ProgressLine* progress = nullptr;
};

struct Stack {
  Spec spec;
  Snapshot snap;
  int interpreter = -1;  // the declared interpreter (else the active one), index into snap.python.interpreters
};

// Probes the machine (full doctor probes, in the spec's activated environment), or reads --from.
Stack probe_stack(const StackInputs& in);
// The lock of a stack, hashing files unless it came from a saved snapshot.
Lock lock_of(const Stack& st, const StackInputs& in);
// gpuenv.lock beside the spec, else in the current directory.
std::string default_lock_path(const Spec& spec);
// A lock file, or a saved snapshot (JSON) turned into a lock without hashes.
Lock read_lock_or_snapshot(const std::string& path);

// gpuenv lock: the lock written to `output` ("" = default_lock_path; "-": not written, the command prints it).
struct LockOutcome {
  enum class Result { Stdout, UpToDate, Written };
  Result result = Result::Written;
  std::string path;
  std::string text;
  Lock lock;
};
LockOutcome write_stack_lock(const StackInputs& in, const std::string& output);

// gpuenv verify: this machine against the lock at `lock_path` ("" = default_lock_path).
VerifyReport verify_stack(const StackInputs& in, const std::string& lock_path);
// gpuenv diff A B.
DiffReport diff_stacks(const std::string& a, const std::string& b);
// verify and diff: whether the changes are problems (exit 1); with allow_compatible, only changes not judged fine.
bool changes_are_problems(const std::vector<LockChange>& changes, bool allow_compatible);

// gpuenv init: gpuenv.toml in `dir` from the environment as it is.
struct InitInputs {
  StackInputs stack;
  std::string dir;     // where gpuenv.toml goes; "" = the current directory
  std::string python;  // --python: the interpreter to declare
  bool force = false;
};
struct InitOutcome {
  std::string path;
  bool written = false;
  // Not written: doctor found errors (without --force): the snapshot and findings to show.
  Snapshot snap;
  std::vector<Finding> findings;
  bool with_findings = false;  // written with the open findings as comments
};
InitOutcome init_project(const InitInputs& in);

}  // namespace gpuenv
