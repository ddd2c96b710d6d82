#pragma once
// What every probe receives: the root-prefixed file layer, the process
// environment (a copy, so tests can hand in their own) and the project's spec,
// which the caller found and parsed (probes never read gpuenv.toml).
#include <string>

#include "model/python.hpp"
#include "model/spec.hpp"
#include "util/environment.hpp"
#include "util/fs.hpp"

namespace gpuenv {

struct ProbeContext {
  Fs fs;
  Environment env;
  const Spec* spec = nullptr;  // the project's gpuenv.toml; nullptr when there is none or it could not be read
  std::string spec_error;      // why the gpuenv.toml found could not be read or parsed ("" = no such problem)
  // The interpreter the spec declares, when the caller has located it already (lock/verify: before activation,
  // which may put a shim first on PATH): the Python probe takes it instead of looking again.
  const Interpreter* declared_interpreter = nullptr;
  bool hash_files = false;     // doctor --deep: compare the sha256 of installed files with their RECORD too
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
