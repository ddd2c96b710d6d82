#pragma once
// gpuenv.toml: what a project declares about the environment it runs in
// (docs/run-and-lock.md). Found by walking up from the current directory.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/fs.hpp"
#include "util/result.hpp"

namespace gpuenv {

inline constexpr const char* kSpecFileName = "gpuenv.toml";
inline constexpr int kSpecSchema = 1;

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

// Parses the text of a spec; `path` names the file in errors ("gpuenv.toml:4:9: ...").
// Unknown keys and wrong types are errors, so a typo never goes unnoticed.
Result<Spec> parse_spec(std::string_view text, const std::string& path);

// Walks up from `start_dir` (absolute) to "/" and returns the first gpuenv.toml found.
std::optional<std::string> find_spec(const std::string& start_dir, const Fs& fs = Fs());

// Reads and parses a spec file.
Result<Spec> load_spec(const std::string& path, const Fs& fs = Fs());

}  // namespace gpuenv
