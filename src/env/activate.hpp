#pragma once
// Activation: the environment a project's commands run in, computed from the
// Snapshot (interpreters, driver library copies, kernel module), the Spec and
// the current environment. Pure: no I/O here, so every rule is unit-tested;
// `gpuenv run/env/shell` print or exec the result (src/cli/).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/snapshot.hpp"
#include "model/spec.hpp"
#include "util/environment.hpp"

namespace gpuenv {

struct VarChange {
  std::string name;
  std::optional<std::string> before, after;  // nullopt: unset
  std::vector<std::string> why;              // one line per reason, in the order they were applied
  std::vector<std::pair<std::string, std::string>> removed;  // list entries dropped, with the reason
  std::vector<std::string> added;                            // list entries added
};

struct Activation {
  Environment env;                  // the complete new environment
  std::vector<VarChange> changes;   // sorted by variable name
  std::vector<std::string> errors;  // why the environment cannot be built (nothing runs)
  std::vector<std::string> notes;   // worth saying with -v
  std::string interpreter;          // the declared interpreter's path, "" when none is declared
  // A directory of links (python, python3, python3.X -> interpreter) put first
  // on PATH when the interpreter's own directory cannot be (a system bin dir).
  std::string shim_dir;
  std::vector<std::pair<std::string, std::string>> shim_links;  // link name, target
  const VarChange* change(const std::string& name) const;
};

struct ActivationInput {
  const Snapshot& snap;
  const Spec& spec;
  const Environment& env;
  // The declared interpreter: index into snap.python.interpreters, -1 when the
  // spec declares none or it was not found (then `interpreter_error` says why).
  int interpreter = -1;
  std::string interpreter_error;
  bool python_in_bin_dir = false;  // <dir of interpreter>/python is the interpreter itself
  std::string shim_root;           // parent of shim directories ($XDG_CACHE_HOME/gpuenv/shims)
  std::string shim_root_error;     // why there is none ("" when shim_root is set): no cache directory is writable
};

Activation activate(const ActivationInput& in);

// The copy of libcuda that matches the kernel module (or the best one when the
// module version is unknown), "" when none. Shared with `lock`.
const LibraryCopy* driver_library_copy(const Snapshot& s);

// Variables the activation may touch (for `env` and the docs).
inline constexpr const char* kActivationVariables[] = {
    "PATH", "PYTHONPATH", "PYTHONHOME", "PYTHONNOUSERSITE", "VIRTUAL_ENV", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES",
    "GPUENV_ACTIVE"};

}  // namespace gpuenv
