#pragma once
// What a project declares about the environment it runs in: gpuenv.toml, parsed
// (docs/run-and-lock.md). Plain values; the TOML reading is src/env/spec.hpp.
// Probes receive it as an input (ProbeContext::spec) and never read the file.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gpuenv {

inline constexpr const char* kSpecFileName = "gpuenv.toml";

struct SpecFramework {
  std::string name;         // torch, tensorflow, jax, cupy
  std::string accelerator;  // cuda, cpu, rocm ("" = not stated)
  std::string version;      // optional version prefix ("2.11")
};

struct Spec {
  std::string path;  // the file (absolute), "" for the empty spec used without a file
  std::string dir;   // its directory: relative paths in the spec are relative to it

  // [python]
  std::string interpreter;  // as written: a path (relative to dir) or a command name on PATH
  std::string python_version;  // "3.11": the interpreter must be this version
  bool no_user_site = false;   // PYTHONNOUSERSITE=1

  std::vector<SpecFramework> frameworks;  // [frameworks]

  // [gpus]
  std::optional<std::string> visible_gpus;  // CUDA_VISIBLE_DEVICES value; nullopt = leave as is

  // [libraries]
  std::vector<std::string> library_dirs;  // extra LD_LIBRARY_PATH directories (absolute after parsing)

  // [env]
  std::vector<std::pair<std::string, std::string>> env_set;  // in file order
  std::vector<std::string> env_unset;

  bool declares_python() const { return !interpreter.empty() || !python_version.empty(); }
};

// A spec as a command found it: the parsed file, or why the file found could not be read (neither when there
// is none).
struct FoundSpec {
  std::optional<Spec> spec;
  std::string error;
};

}  // namespace gpuenv
