#pragma once
// One function per source of facts. Each fills its part of the Snapshot and
// records unreadable inputs in snapshot.probe_errors instead of failing.
#include "model/snapshot.hpp"
#include "probe/context.hpp"

namespace gpuenv {

void probe_host(const ProbeContext& ctx, Snapshot& s);
void probe_pci(const ProbeContext& ctx, Snapshot& s);
void probe_kernel_driver(const ProbeContext& ctx, Snapshot& s);
void probe_env(const ProbeContext& ctx, Snapshot& s);
// CUDA library inventory, loader resolution per framework, GPU code (libraries.cpp).
void probe_libraries(const ProbeContext& ctx, Snapshot& s);
// Only libcuda (the driver's copies, the toolkit stubs, cuda-compat copies): what activation needs, cheaply.
void probe_driver_libraries(const ProbeContext& ctx, Snapshot& s);
// Python interpreters, sys.path, distributions and frameworks (issue 4). The interpreter ctx.spec declares is
// located once, here; `declared`, when given, receives the outcome (python_discovery.cpp).
struct DeclaredInterpreter;
void probe_python(const ProbeContext& ctx, Snapshot& s, DeclaredInterpreter* declared = nullptr);
// Nix build outputs of the project in $PWD and driver wrappers on PATH (src/probe/nix.cpp).
void probe_nix(const ProbeContext& ctx, Snapshot& s);
// CUDA toolkits: CUDA_HOME/CUDA_PATH, the nvcc on PATH, /usr/local/cuda* (toolkit.cpp).
void probe_toolkit(const ProbeContext& ctx, Snapshot& s);

// Is this environment variable one the snapshot records? (allow-list)
bool env_var_recorded(const std::string& name);

}  // namespace gpuenv
