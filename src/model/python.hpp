#pragma once
// Python interpreters reachable on the machine, their sys.path as CPython
// would compute it, the distributions installed there, and the GPU
// frameworks among them (read from files, never imported).
#include <cstdint>
#include <string>
#include <vector>

namespace gpuenv {

struct PathEntry {
  std::string path;
  // Where the entry comes from: PYTHONPATH, stdlib, lib-dynload, site-packages,
  // dist-packages, user-site, pth (see pth_file), cwd, PYTHONHOME.
  std::string origin;
  std::string pth_file;  // the .pth file that added it, when origin == "pth"
  bool exists = false;
};

// The RECORD of an installed distribution compared with the files on disk (GPU distributions only: nvidia-*,
// the frameworks' own). docs/schema.md, distributions[].record.
struct RecordCheck {
  int entries = -1;                    // files RECORD lists with a size, all compared; -1: not checked
  std::vector<std::string> missing;    // listed but absent (paths as RECORD writes them), the first 20
  int missing_count = 0;
  std::vector<std::string> changed;    // "path: N bytes, RECORD says M" or "path: sha256 differs", the first 20
  int changed_count = 0;
  bool hashed = false;                 // sha256 compared too (doctor --deep)
  std::string error;                   // RECORD unreadable, too large, or not CSV
};

struct Distribution {
  std::string name;        // as in METADATA (Name:)
  std::string version;
  std::string location;    // the sys.path entry (site-packages) holding it
  std::string metadata;    // path of the .dist-info or .egg-info
  std::vector<std::string> requires_dist;
  std::string installer;   // pip, uv, conda, debian ("" if unknown)
  std::string shadowed_by; // an earlier sys.path entry holds the same distribution (its location), if any
  RecordCheck record;
};

struct Framework {
  std::string name;           // torch, tensorflow, jax, cupy
  std::string version;        // 2.11.0+cu130
  std::string location;       // package directory
  std::string distribution;   // owning distribution (torch, tensorflow-cpu, cupy-cuda13x, jaxlib + jax-cuda13-plugin)
  bool cuda_build = false;    // built with CUDA support
  std::string cuda_version;   // CUDA the build targets ("13.0"), "" for CPU builds
  std::string cudnn_version;  // cuDNN the build targets, when the framework records it
  std::string variant;        // local tag or flavour: cu130, cpu, cuda13 ...
  std::vector<std::string> required_wheels;  // nvidia-* distributions it requires (Requires-Dist)
  std::vector<std::string> arch_list;        // compute capabilities the build covers, when recorded (sm_90, compute_90)
  std::string shadowed_by;    // another copy earlier on sys.path wins, if any (its location)
};

// A top-level module or package that several sys.path entries provide: the first wins.
struct ShadowedModule {
  std::string name;                   // numpy, six (the import name)
  std::string wins;                   // the sys.path entry whose copy is imported
  std::vector<std::string> shadowed;  // later entries with a copy that is never imported
};

struct Interpreter {
  std::string path;           // as found (e.g. /usr/bin/python3, ~/.venv/bin/python)
  std::string realpath;       // after links and pyenv shims
  std::vector<std::string> found_as;  // how it was found: PATH:python3, VIRTUAL_ENV, ./.venv, conda, nix-store, system
  std::string version;        // 3.12.3, read from the installation
  std::string implementation = "cpython";
  std::string kind;           // venv, conda, pyenv, nix, system, other
  std::string prefix;         // sys.prefix
  std::string base_prefix;    // sys.base_prefix
  bool include_system_site_packages = false;
  std::vector<PathEntry> sys_path;
  std::vector<std::string> pth_imports;  // "import ..." lines in .pth files (reported, never run)
  std::vector<Distribution> distributions;
  std::vector<Framework> frameworks;
  std::vector<ShadowedModule> shadowed_modules;  // outside the standard library
};

struct PythonInfo {
  std::vector<Interpreter> interpreters;
  int active = -1;  // index of the interpreter `python` resolves to (VIRTUAL_ENV or PATH), -1 if none
  int declared = -1;        // index of the interpreter the project declares, -1 if none
  std::string declared_by;  // what declares it: the gpuenv.toml path, VIRTUAL_ENV, nix-shell
  std::string pip;              // the first pip (else pip3) on PATH, "" if none
  std::string pip_interpreter;  // the interpreter its shebang names ("" if unreadable)
};

}  // namespace gpuenv
