#pragma once
// SHA-256 of strings and files (Nettle: a small static library, so gpuenv's start stays cheap), as lowercase hex.
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace gpuenv {
std::string sha256_hex(std::string_view data);
// Streams the file (host path) through the hash; errors name the path.
Result<std::string> sha256_file(const std::string& path);
}  // namespace gpuenv
