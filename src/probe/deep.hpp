#pragma once
// `doctor --deep`: imports each framework the Python probe found with its own interpreter, in a child
// process (its own process group, killed as a group on timeout) that runs one tiny GPU operation and
// prints one JSON line. The child gets the user's environment unchanged, so CUDA_VISIBLE_DEVICES,
// PYTHONPATH and LD_LIBRARY_PATH act as they do for the user's programs.
#include <functional>
#include <string>

#include "model/snapshot.hpp"

namespace gpuenv {

struct DeepOptions {
  double timeout_s = 20;  // per framework: a cold TensorFlow import alone can take several seconds
  // Called with a progress line once the deep probe has taken more than a second (doctor: TTY only).
  std::function<void(const std::string&)> on_progress;
};

// The frameworks of snap.python (each interpreter environment and framework name once; shadowed
// copies are skipped, the import picks the winner), run one after another.
DeepProbe probe_deep(const Snapshot& snap, const DeepOptions& opts);

// One framework with one interpreter. `framework`: torch, tensorflow, jax, cupy.
DeepResult run_deep_one(const std::string& python, const std::string& framework, double timeout_s,
                        const std::function<void()>& on_slow = {});

// The Python script the child runs (for tests and docs).
const char* deep_script();

}  // namespace gpuenv
