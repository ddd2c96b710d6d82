#pragma once
#include <string>

#include "util/result.hpp"

namespace gpuenv {
// Writes to a temporary file in the same directory, fsyncs it and renames it
// over the target: readers see the old file or the new one, never half of it.
Result<bool> write_file_atomic(const std::string& path, const std::string& content, unsigned mode = 0644);
}  // namespace gpuenv
