#pragma once
// What changed between two fingerprints (a lock and this machine, or two
// snapshots/locks), each change with its impact on the stack.
#include <string>
#include <vector>

#include "lock/lock.hpp"

namespace gpuenv {

enum class Impact { Fine, Risky, Breaks };
const char* impact_name(Impact i);  // fine, risky, breaks

struct LockChange {
  std::string subject;  // "driver", "cuDNN (libcudnn.so) for torch", "python", "torch", "GPU 0"
  std::string before, after;
  Impact impact = Impact::Risky;
  std::string reason;  // "still runs CUDA 13.0", "torch needs libcudnn.so.9"
};

// Changes from `before` to `after`, most severe first, then in stack order
// (GPUs, driver, interpreter, frameworks, wheels, libraries).
std::vector<LockChange> diff_locks(const Lock& before, const Lock& after);

// Plain text, one change per line (+ reason); `color` for a terminal.
std::string render_changes(const std::vector<LockChange>& changes, bool color);

}  // namespace gpuenv
