#pragma once
// The activation pipeline of `run`, `env` and `shell`: the spec (--spec, else walking up from the current
// directory), the light probe and activate() (env/), the shim directory, the Nix host-driver rule, the --check
// gate, and which program `run`/`shell` replace themselves with. The commands render and execve; nothing here
// prints.
#include <optional>
#include <string>
#include <vector>

#include "env/locate.hpp"
#include "model/activation.hpp"
#include "model/finding.hpp"
#include "model/reports.hpp"
#include "model/snapshot.hpp"
#include "model/spec.hpp"

namespace gpuenv {

struct ActivationArgs {
  std::string spec;      // --spec FILE; "" = walk up from the current directory
  int verbose = 0;
  bool check = false;
  std::string root = "/";  // --root (tests)
};

// The spec named by `spec_flag`, or found by walking up from the current directory; the empty spec (driver fixes
// only) when there is none. Throws UsageError with file:line:column.
Spec spec_for_command(const std::string& spec_flag);

// The project's environment: its spec and the activation of the current environment (light probe included).
struct ProjectEnvironment {
  Spec spec;
  PreparedActivation prepared;
  const Activation& activation() const { return prepared.result; }
};
// Finds the spec, activates, and creates the shim directory when the activation needs one. Throws UsageError
// when the environment cannot be built (each error on its own "gpuenv: error:" line).
ProjectEnvironment activate_project(const ActivationArgs& a);

// gpuenv env: the changes for `shell` ("" = fish when $SHELL is fish, else bash).
EnvReport env_report(const ActivationArgs& a, const std::string& shell);

// What `run` or `shell` will execve, decided here.
struct LaunchPlan {
  Spec spec;
  Activation activation;     // with the Nix host-driver rule's change, when it applied
  std::vector<std::string> argv;
  std::string program;       // argv[0] found on the new PATH; "" when not found (exit 127)
  // --check found errors (then nothing runs): the fast checks' snapshot and findings.
  struct Refusal {
    Snapshot snap;
    std::vector<Finding> findings;
  };
  std::optional<Refusal> refused;
};
LaunchPlan plan_run(const ActivationArgs& a, const std::vector<std::string>& argv);
// $SHELL of the activated environment, else /bin/sh.
LaunchPlan plan_shell(const ActivationArgs& a);

// --- the pieces, for tests ---

// Creates the shim directory (links to the interpreter) if missing.
void ensure_shims(const Activation& act);

// The program `name` would run as, searched in the PATH of `env` ("" if none).
std::string resolve_command(const std::string& name, const Environment& env);

// Puts `dir` first on the list variable `name` (LD_LIBRARY_PATH) of act.env and records it in act.changes
// (merged with the variable's existing change, else a new one in name order).
void prepend_to_list_variable(Activation& act, const std::string& name, const std::string& dir, const std::string& why);

// gpuenv run of a Nix-built program (its real path is in /nix/store) on a host that is not NixOS: Nix's loader
// ignores /etc/ld.so.cache, so the host driver's libraries (libcuda*, libnvidia-*) are linked into a directory of
// their own ($XDG_CACHE_HOME/gpuenv/driver/<hash>) that goes first on LD_LIBRARY_PATH, a change recorded in
// p.result.changes. Nothing else of the system library directory is exposed. Returns false (and changes nothing)
// when it does not apply.
bool add_host_driver_for_nix(const std::string& command, PreparedActivation& p, const std::string& root);

}  // namespace gpuenv
