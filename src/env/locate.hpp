#pragma once
// The few facts activation needs, read through ProbeContext::fs (so --root
// fixture trees work) and nothing more: `gpuenv run` must stay fast, so this
// never starts the driver probe nor scans site-packages.
#include <string>

#include "env/activate.hpp"
#include "env/spec.hpp"
#include "model/snapshot.hpp"
#include "probe/context.hpp"
#include "probe/python.hpp"

namespace gpuenv {

// inspect_interpreter (what an installation says about itself) lives in probe/python.hpp.

// The first executable `name` in a PATH value, "" when none.
std::string find_on_path(const Fs& fs, const std::string& name, const std::string& path_value);

struct DeclaredInterpreter {
  int index = -1;          // into snap.python.interpreters
  std::string error;       // when the spec declares one and it is not there
  bool python_in_bin_dir = false;
};

// Adds the spec's interpreter (found_as "spec") and the environments that
// PYTHONPATH and VIRTUAL_ENV point into (found_as "PYTHONPATH", "VIRTUAL_ENV")
// to s.python.interpreters, unless already there.
DeclaredInterpreter locate_declared_interpreter(const ProbeContext& ctx, const Spec& spec, Snapshot& s);

// The kernel module version and the driver library copies (cheap: a few directory listings).
void probe_for_activation(const ProbeContext& ctx, Snapshot& s);

// Everything `run`, `env` and `shell` need: probe (light) + activate.
struct PreparedActivation {
  Snapshot snap;
  DeclaredInterpreter declared;
  Activation result;
};
PreparedActivation prepare_activation(const Spec& spec, const Environment& env, const std::string& root = "/");

// $XDG_CACHE_HOME/gpuenv/shims (or ~/.cache/gpuenv/shims).
std::string shim_root(const Environment& env);

}  // namespace gpuenv
