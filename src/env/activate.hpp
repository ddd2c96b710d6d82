#pragma once
// Activation: the environment a project's commands run in, computed from the
// Snapshot (interpreters, driver library copies, kernel module), the Spec and
// the current environment. Pure: no I/O here, so every rule is unit-tested;
// `gpuenv run/env/shell` apply it (src/app/activation.hpp).
// VarChange and Activation are model types (model/activation.hpp).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/activation.hpp"
#include "model/snapshot.hpp"
#include "model/spec.hpp"
#include "util/environment.hpp"

namespace gpuenv {

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
