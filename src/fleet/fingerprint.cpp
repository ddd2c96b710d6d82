#include "fleet/fingerprint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

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

StackFingerprint stack_fingerprint(const Snapshot& s) {
  std::map<std::string, std::string> c;
  if (auto d = driver_version(s); !d.empty()) c["driver"] = d;
  if (!s.kernel.flavour.empty()) c["driver.flavour"] = s.kernel.flavour;
  if (int api = cuda_driver_api(s); api > 0) c["cuda.driver-api"] = cuda_version_string(api);

  std::map<std::string, std::set<std::string>> libs;
  for (auto& l : s.libraries.copies) {
    if (l.stub || l.name.empty()) continue;
    libs[l.name].insert(!l.version.empty() ? l.version : !l.soname.empty() ? l.soname : base_name(l.path));
  }
  for (auto& [name, versions] : libs) c["lib." + name] = join({versions.begin(), versions.end()}, ", ");

  auto& in = s.python.interpreters;
  if (s.python.active >= 0 && size_t(s.python.active) < in.size() && !in[size_t(s.python.active)].version.empty())
    c["python"] = in[size_t(s.python.active)].version;
  std::map<std::string, std::set<std::string>> fws;
  for (auto& i : in)
    for (auto& f : i.frameworks) {
      std::string v = f.version.empty() ? "unknown" : f.version;
      if (f.cuda_build && !f.cuda_version.empty()) v += " [CUDA " + f.cuda_version + "]";
      else if (!f.cuda_build) v += " [CPU]";
      fws[f.name].insert(v);
    }
  for (auto& [name, versions] : fws) c["framework." + name] = join({versions.begin(), versions.end()}, ", ");

  StackFingerprint fp;
  fp.components.assign(c.begin(), c.end());
  std::string canon;
  for (auto& [k, v] : fp.components) canon += k + "=" + v + "\n";
  fp.digest = fnv1a64_hex(canon);
  return fp;
}

}  // namespace gpuenv
