#pragma once
// Small readers shared by the knowledge files' loaders (knowledge.cpp, messages.cpp, variables.cpp).
#include <string>
#include "util/tomlpp.hpp"
#include <vector>

namespace gpuenv {

// The strings of a TOML array (other elements skipped); empty when the node is not an array.
inline std::vector<std::string> toml_strings(const toml::node_view<const toml::node>& n) {
  std::vector<std::string> out;
  if (auto* a = n.as_array())
    for (auto& x : *a)
      if (auto v = x.value<std::string>()) out.push_back(*v);
  return out;
}

}  // namespace gpuenv
