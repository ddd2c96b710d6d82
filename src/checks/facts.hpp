#pragma once
// Facts derived from a Snapshot that several checks share. Pure functions.
#include <string>
#include <vector>

#include "model/snapshot.hpp"

namespace gpuenv {

bool in_container(const Snapshot& s);
// An NVIDIA GPU is known to exist: on the PCI bus, in /proc/driver/nvidia, or (WSL) through /dev/dxg.
bool gpu_expected(const Snapshot& s);
const DeviceNode* device_node(const Snapshot& s, const std::string& path);
bool cuda_works(const Snapshot& s);  // cuInit succeeded with at least one device
// The entries of LD_LIBRARY_PATH, in order (empty entries dropped).
std::vector<std::string> ld_library_path(const Snapshot& s);
// LD_LIBRARY_PATH without the given directories, as an export line (or "unset LD_LIBRARY_PATH").
std::string ld_library_path_without(const Snapshot& s, const std::vector<std::string>& drop);
std::string signal_name(int sig);
// Number of GPUs the machine has, from NVML, /proc/driver/nvidia or PCI (0 if unknown).
int physical_gpu_count(const Snapshot& s);

}  // namespace gpuenv
