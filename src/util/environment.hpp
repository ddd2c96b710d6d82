#pragma once
// A process environment as a value: probes inspect one, activation computes
// one, `run` hands one to execve. Tests build their own.
#include <map>
#include <string>

namespace gpuenv {

using Environment = std::map<std::string, std::string>;

// This process's environment (environ).
Environment current_environment();

}  // namespace gpuenv
