#pragma once
// What changed between two fingerprints (a lock and this machine, or two
// snapshots/locks), each change with its impact on the stack.
#include <string>
#include <vector>

#include "lock/lock.hpp"
#include "model/reports.hpp"

namespace gpuenv {

// Impact and LockChange: model/reports.hpp. Rendered by report/formats.hpp (render_changes).

// Changes from `before` to `after`, most severe first, then in stack order
// (GPUs, driver, interpreter, frameworks, wheels, libraries).
std::vector<LockChange> diff_locks(const Lock& before, const Lock& after);

}  // namespace gpuenv
