#pragma once
// What `lock`, `verify`, `diff` and `init` share: the snapshot of the stack
// (in the project's activated environment when there is a spec) and reading
// locks or saved snapshots.
#include <CLI/CLI.hpp>
#include <string>

#include "cli/activation_cli.hpp"
#include "lock/lock.hpp"
#include "model/snapshot.hpp"

namespace gpuenv {

struct StackArgs {
  ActivationArgs act;      // --spec, --root
  std::string from;        // a saved snapshot (doctor --json) instead of probing
  double timeout = 5.0;
  bool no_driver = false;
  bool no_spec = false;    // ignore any gpuenv.toml (init)
};

struct Stack {
  Spec spec;
  Snapshot snap;
  int interpreter = -1;
};

// Probes the machine (full doctor probes, in the spec's activated environment).
Stack probe_stack(const StackArgs& a);
// The lock of a stack, hashing files unless it came from a saved snapshot.
Lock lock_of(const Stack& st, const StackArgs& a);
// gpuenv.lock beside the spec, else in the current directory.
std::string default_lock_path(const Spec& spec);
// A lock file, or a saved snapshot (JSON) turned into a lock without hashes.
Lock read_lock_or_snapshot(const std::string& path);
void add_stack_options(CLI::App* cmd, StackArgs& a);

}  // namespace gpuenv
