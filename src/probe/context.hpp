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
};

}  // namespace gpuenv
