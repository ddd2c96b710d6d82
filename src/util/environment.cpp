#include "util/environment.hpp"

#include <string_view>

extern char** environ;

namespace gpuenv {

Environment current_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto pos = kv.find('=');
    if (pos == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, pos)), std::string(kv.substr(pos + 1)));
  }
  return env;
}

}  // namespace gpuenv
