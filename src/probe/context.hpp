#pragma once
// What every probe receives: the root-prefixed file layer and the process
// environment (a copy, so tests can hand in their own).
#include <map>
#include <string>

#include "util/fs.hpp"

namespace gpuenv {

using Environment = std::map<std::string, std::string>;
Environment current_environment();

struct ProbeContext {
  Fs fs;
  Environment env;
  const std::string* getenv(const std::string& name) const {
    auto it = env.find(name);
    return it == env.end() ? nullptr : &it->second;
  }
  std::string getenv_or(const std::string& name, const std::string& fallback = "") const {
    auto* v = getenv(name);
    return v ? *v : fallback;
  }
};

}  // namespace gpuenv
