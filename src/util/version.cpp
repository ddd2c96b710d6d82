#include <algorithm>
#include "util/version.hpp"

#include <fmt/format.h>

namespace gpuenv {

std::optional<Version> Version::parse(std::string_view s) {
  Version v;
  size_t i = 0;
  while (i < s.size() && (s[i] == 'v' || s[i] == ' ')) ++i;
  while (i < s.size()) {
    if (s[i] < '0' || s[i] > '9') break;
    long n = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 9) n = n * 10 + (s[i++] - '0');
    v.parts.push_back(int(n));
    if (i < s.size() && s[i] == '.' && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') ++i;
    else break;
  }
  if (v.parts.empty()) return std::nullopt;
  return v;
}

std::string Version::str() const {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + std::to_string(parts[i]);
  return out;
}

std::strong_ordering Version::operator<=>(const Version& o) const {
  size_t n = std::max(parts.size(), o.parts.size());
  for (size_t i = 0; i < n; ++i) {
    int a = i < parts.size() ? parts[i] : 0;
    int b = i < o.parts.size() ? o.parts[i] : 0;
    if (a != b) return a <=> b;
  }
  return std::strong_ordering::equal;
}

std::string cuda_version_string(int encoded) {
  if (encoded <= 0) return "unknown";
  return fmt::format("{}.{}", encoded / 1000, (encoded % 1000) / 10);
}

std::optional<int> cuda_version_int(std::string_view dotted) {
  auto v = Version::parse(dotted);
  if (!v) return std::nullopt;
  return v->major() * 1000 + v->minor() * 10;
}

std::string major_minor(const std::string& v) {
  auto p = Version::parse(v);
  return p ? std::to_string(p->major()) + "." + std::to_string(p->minor()) : v;
}

}  // namespace gpuenv
