#pragma once
// gpuenv.lock: the fingerprint of a working GPU stack (docs/run-and-lock.md).
// Built from a Snapshot, written as stable, human-readable TOML with a
// checksum line, and read back with clear errors for newer schemas and for
// truncated or edited files.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/snapshot.hpp"
#include "util/result.hpp"

namespace gpuenv {

inline constexpr int kLockSchema = 1;
inline constexpr const char* kLockFileName = "gpuenv.lock";

struct LockedGpu {
  int index = 0;
  std::string name;
  std::string compute_capability;  // "9.0"
};

struct LockedInterpreter {
  std::string path, realpath, version, kind, prefix;
};

struct LockedFramework {
  std::string name, version, distribution;
  std::string accelerator;  // cuda or cpu
  std::string cuda;         // CUDA the build targets ("13.0")
  std::string cudnn;        // cuDNN the build targets, when recorded
  std::string location;
};

struct LockedPackage {
  std::string name, version;
};

struct LockedLibrary {
  std::string key;       // soname without its version: libcudnn.so, libcublasLt.so, libcuda.so
  std::string family;    // cudnn, cublas, cuda, ...
  std::string soname;    // libcudnn.so.9
  std::string path;      // where the loader finds it
  std::string realpath;
  std::string version;
  std::uint64_t size = 0;
  std::string sha256;    // "" when the file could not be read (or the lock came from a saved snapshot)
  std::string origin;    // LD_LIBRARY_PATH, wheel, ld.so.conf, default, nixos-driver, ...
  std::vector<std::string> used_by;  // "driver", or the frameworks that load it (torch, jax)
};

struct Lock {
  int schema = kLockSchema;
  std::string arch;
  std::string kernel_module;    // 580.159.04
  std::string libcuda;          // version of the libcuda that loads
  std::string cuda_driver_api;  // "13.0": the newest CUDA the driver runs
  std::vector<LockedGpu> gpus;
  std::optional<LockedInterpreter> python;
  std::vector<LockedFramework> frameworks;
  std::vector<LockedPackage> wheels;  // nvidia-* distributions
  std::vector<LockedLibrary> libraries;
};

// Host path of a logical file -> "sha256" hex ("" when unreadable). Null: no hashing. Called from several
// threads at once (one file each).
using FileHasher = std::function<std::string(const std::string& logical_path)>;

// The CUDA libraries the stack loads: the driver's (libcuda matching the kernel module, and its NVML), and
// what the loader resolves for each framework of the interpreter (snapshot `libraries.consumers[].loads`),
// one per soname stem (the first framework's copy when two load different ones), used_by the frameworks
// that load it.
std::vector<LockedLibrary> loaded_libraries(const Snapshot& s, const Interpreter* py);

// interpreter: index into s.python.interpreters (-1: s.python.active).
Lock lock_from_snapshot(const Snapshot& s, int interpreter, const FileHasher& hash);

std::string render_lock(const Lock& lock);
// Errors name the file (and line:column for syntax errors); never a partial lock.
Result<Lock> parse_lock(std::string_view text, const std::string& path);

// "libcudnn.so.9.19.0" -> "libcudnn.so", "libcudnn.so.9"
std::string soname_stem(std::string_view name);
std::string soname_from_file(std::string_view file_name);

}  // namespace gpuenv
