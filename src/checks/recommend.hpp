#pragma once
// "Which build runs here?" A pure function of the driver, the GPUs, the framework, the Python version and
// the kind of environment, answered from src/knowledge/frameworks.toml (and cuda.toml for the driver):
// the exact install command. Every framework.* fix that says "install a different build" uses it.
#include <string>
#include <vector>

#include "knowledge/knowledge.hpp"
#include "model/gpu_target.hpp"
#include "model/snapshot.hpp"

namespace gpuenv {

struct BuildQuery {
  std::string framework;          // torch, tensorflow, jax, cupy
  std::string driver;             // kernel driver version ("580.95.05"), "" when unknown
  int driver_cuda = 0;            // the driver's CUDA (cuDriverGetVersion, 13000), 0 when unknown
  std::vector<std::string> ccs;   // compute capabilities of the GPUs ("9.0"); empty: no GPU
  std::string python;             // "3.12" ("" when unknown: any)
  std::string env_kind = "pip";   // pip (a venv or plain pip), uv, conda, nix, system
  std::string python_cmd = "python";  // the interpreter pip runs under
  std::string arch = "x86_64";    // CPU architecture
  std::string prefer_release;     // try this release first (the installed one: "2.5"), then the newest
  // Distributions to remove first (the installed build: pip keeps "torch 2.5.1+cpu" as satisfying
  // torch==2.5.*, and two CuPy packages or JAX plugins must not coexist). pip and uv only.
  std::vector<std::string> uninstall;
};

struct BuildAdvice {
  bool found = false;        // a build fits (a GPU build when there are GPUs, else the CPU build)
  bool gpu = false;          // the advice is a CUDA build
  std::string release;       // "2.9" (torch, tensorflow), "" where the installer picks the newest (jax, cupy)
  std::string variant;       // cu128, cpu, cuda13, cupy-cuda12x
  std::string cuda;          // the CUDA of the build ("12.8")
  bool minor_compat = false; // runs through CUDA minor-version compatibility (driver older than the toolkit's)
  std::string command;       // the exact command; may hold two lines (a comment line first)
  std::string reason;        // one line: why this build (or why none)
};

BuildAdvice recommend_build(const Knowledge& k, const BuildQuery& q);

// `pip install ARGS` in the query's environment (the interpreter's own pip, uv pip, or a new venv).
std::string pip_install_command(const BuildQuery& q, const std::string& args);

// The query for this machine: driver and GPUs from the snapshot (GPUs the drivers did not see named from
// k's PCI device table), Python and environment kind from the interpreter (may be null).
BuildQuery build_query(const Snapshot& s, const Knowledge& k, const Interpreter* py, const std::string& framework);

// The compute capabilities of the machine's GPUs ("9.0"), from CUDA, NVML, else the PCI device table.
std::vector<std::string> gpu_compute_capabilities(const Snapshot& s, const Knowledge& k);

// Does a list of targets (any spelling of model/gpu_target.hpp) cover a GPU of capability cc ("9.0")?
// None when cc is not a compute capability.
TargetCoverage arch_coverage(const std::vector<std::string>& targets, const std::string& cc);

}  // namespace gpuenv
