#pragma once
// Pieces the Nix generators share (generate.cpp, system.cpp, release.cpp); not part of the nix layer's interface.
#include <string>
#include <string_view>
#include "util/tomlpp.hpp"
#include <vector>

#include "nix/generate.hpp"

namespace gpuenv::nix::detail {

const toml::table& nix_file(const Knowledge& k);
std::string str(const toml::table& t, std::string_view section, std::string_view key);
std::vector<std::string> strings(const toml::node_view<const toml::node> n);
std::string nix_string(std::string_view s);
std::string string_list(const std::vector<std::string>& v);

// The header: which file, which gpuenv, which facts, which release.
std::string header(const char* file, const char* command, const Spec& spec, const MachineFacts& m, const Options& o,
                   const Release& r);

struct Cache {
  std::string url, key, what;
};
std::vector<Cache> caches(const Knowledge& k);

// Compute capability a < b ("6.1" < "7.5").
bool cc_less(const std::string& a, const std::string& b);

void warn(const Options& o, std::string message);

}  // namespace gpuenv::nix::detail
