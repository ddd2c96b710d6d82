#include "fleet/fingerprint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "model/readiness.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

const std::string* StackFingerprint::get(const std::string& key) const {
  auto it = std::lower_bound(components.begin(), components.end(), key,
                             [](const auto& c, const std::string& k) { return c.first < k; });
  return it != components.end() && it->first == key ? &it->second : nullptr;
}

std::string fnv1a64_hex(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return fmt::format("{:016x}", h);
}

namespace {

// Sorted, unique values joined with ", " (few values: a sorted vector beats a set).
std::string joined(std::vector<std::string_view>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += values[i];
  }
  return out;
}

}  // namespace

StackFingerprint stack_fingerprint(const Snapshot& s) {
  // Built without maps: fleet reports compute this for every node file.
  StackFingerprint fp;
  auto& c = fp.components;
  if (auto d = driver_version(s); !d.empty()) c.emplace_back("driver", d);
  if (!s.kernel.flavour.empty()) c.emplace_back("driver.flavour", s.kernel.flavour);
  if (int api = cuda_driver_api(s); api > 0) c.emplace_back("cuda.driver-api", cuda_version_string(api));

  // Library families: (family, version-or-name) pairs, grouped by family.
  std::vector<std::pair<std::string_view, std::string_view>> libs;
  libs.reserve(s.libraries.copies.size());
  std::vector<std::string> basenames;  // owns names made up for copies with neither version nor soname
  basenames.reserve(s.libraries.copies.size());
  for (auto& l : s.libraries.copies) {
    if (l.stub || l.name.empty()) continue;
    std::string_view v = l.version;
    if (v.empty()) v = l.soname;
    if (v.empty()) v = basenames.emplace_back(base_name(l.path));
    libs.emplace_back(l.name, v);
  }
  std::sort(libs.begin(), libs.end());
  std::vector<std::string_view> values;
  for (size_t i = 0; i < libs.size();) {
    size_t j = i;
    values.clear();
    while (j < libs.size() && libs[j].first == libs[i].first) values.push_back(libs[j++].second);
    c.emplace_back("lib." + std::string(libs[i].first), joined(values));
    i = j;
  }

  auto& in = s.python.interpreters;
  if (s.python.active >= 0 && size_t(s.python.active) < in.size() && !in[size_t(s.python.active)].version.empty())
    c.emplace_back("python", in[size_t(s.python.active)].version);
  std::vector<std::pair<std::string_view, std::string>> fws;
  for (auto& i : in)
    for (auto& f : i.frameworks) {
      std::string v = f.version.empty() ? "unknown" : f.version;
      if (f.cuda_build && !f.cuda_version.empty()) v += " [CUDA " + f.cuda_version + "]";
      else if (!f.cuda_build) v += " [CPU]";
      fws.emplace_back(f.name, std::move(v));
    }
  std::sort(fws.begin(), fws.end());
  for (size_t i = 0; i < fws.size();) {
    size_t j = i;
    values.clear();
    while (j < fws.size() && fws[j].first == fws[i].first) values.push_back(fws[j++].second);
    c.emplace_back("framework." + std::string(fws[i].first), joined(values));
    i = j;
  }

  std::sort(c.begin(), c.end());
  std::string canon;
  for (auto& [k, v] : c) {
    canon += k;
    canon += '=';
    canon += v;
    canon += '\n';
  }
  fp.digest = fnv1a64_hex(canon);
  return fp;
}

}  // namespace gpuenv
