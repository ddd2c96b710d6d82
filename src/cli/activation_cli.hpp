#pragma once
// What `run`, `env` and `shell` share: finding the spec, activating, telling
// what changed (-v), the --check gate and the links of a shim directory.
#include <string>
#include <vector>

#include "env/locate.hpp"
#include "env/spec.hpp"

namespace gpuenv {

struct ActivationArgs {
  std::string spec;      // --spec FILE; "" = walk up from the current directory
  int verbose = 0;
  bool check = false;
  std::string root = "/";  // --root (tests)
};

// The spec named by --spec, or found by walking up; the empty spec (driver
// fixes only) when there is none. Throws UsageError with file:line:column.
Spec spec_for_command(const ActivationArgs& a);

// Activates; on errors prints them and throws UsageError. Creates the shim
// directory when the activation needs one.
PreparedActivation activate_for_command(const Spec& spec, const ActivationArgs& a);

// "  PATH  put ... first" lines, for -v (and `env -v` as comments).
std::string describe_changes(const Spec& spec, const Activation& act, int verbose, const std::string& line_prefix = "");

// --check: runs the fast (file-only) doctor checks in the activated
// environment. Returns true when the environment can work; otherwise prints
// the findings to stderr.
bool check_environment(const Spec& spec, const Activation& act, const ActivationArgs& a);

// Creates the shim directory (links to the interpreter) if missing.
void ensure_shims(const Activation& act);

// The program `name` would run as, searched in the PATH of `env` ("" if none).
std::string resolve_command(const std::string& name, const Environment& env);

// execve; returns only on failure with the exit code to use (126/127).
int exec_with_environment(const std::vector<std::string>& argv, const Environment& env);

// gpuenv run of a Nix-built program (its real path is in /nix/store) on a host that is not NixOS: Nix's loader
// ignores /etc/ld.so.cache, so the host driver's libraries (libcuda*, libnvidia-*) are linked into a directory of
// their own ($XDG_CACHE_HOME/gpuenv/driver/<hash>) that goes first on LD_LIBRARY_PATH. Nothing else of the
// system library directory is exposed. Returns false (and changes nothing) when it does not apply.
bool add_host_driver_for_nix(const std::string& command, PreparedActivation& p, const ActivationArgs& a);

}  // namespace gpuenv
