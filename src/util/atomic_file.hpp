#pragma once
#include <string>

#include "util/result.hpp"

namespace gpuenv {
// Writes to a temporary file in the same directory, fsyncs it and renames it
// over the target: readers see the old file or the new one, never half of it. A file that exists keeps
// its mode (`mode` is for a new file). Temporaries left by a write that was killed are removed by the next.
Result<bool> write_file_atomic(const std::string& path, const std::string& content, unsigned mode = 0644);
}  // namespace gpuenv
