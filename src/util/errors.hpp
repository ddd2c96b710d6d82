#pragma once
// The one error a pipeline throws for bad input (a bad option value, an unreadable or malformed input file):
// the command prints "gpuenv: error: ..." and exits 2. Everything else is reported, never thrown.
#include <stdexcept>

namespace gpuenv {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace gpuenv
