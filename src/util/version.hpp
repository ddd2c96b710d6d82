#pragma once
// Dotted version numbers ("580.159.04", "9.19.0", "13.0") and CUDA's integer
// encoding (1000*major + 10*minor).
#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gpuenv {

struct Version {
  std::vector<int> parts;
  static std::optional<Version> parse(std::string_view s);  // leading digits and dots; stops at the first other char
  int major() const { return parts.empty() ? 0 : parts[0]; }
  int minor() const { return parts.size() > 1 ? parts[1] : 0; }
  std::string str() const;
  bool empty() const { return parts.empty(); }
  // Compares numerically, missing trailing parts are 0.
  std::strong_ordering operator<=>(const Version& o) const;
  bool operator==(const Version& o) const { return (*this <=> o) == 0; }
};

// 13000 -> "13.0", 12040 -> "12.4"
std::string cuda_version_string(int encoded);
// "12.4" -> 12040
std::optional<int> cuda_version_int(std::string_view dotted);

// "2.11.0+cu130" -> "2.11", "13" -> "13.0"; the text itself when it holds no version.
std::string major_minor(const std::string& v);

}  // namespace gpuenv
