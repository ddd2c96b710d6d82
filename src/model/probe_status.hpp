#pragma once
// Closed vocabularies of the driver probes (Snapshot::cuda/nvml): the outcome of a probe and how two GPUs
// reach each other. The JSON keeps the strings and numbers docs/schema.md lists.
#include <optional>
#include <string_view>

namespace gpuenv {

// Outcome of the libcuda or NVML probe, in the snapshot as these strings:
enum class ProbeStatus {
  Ok,              // ok: the library loaded, initialised and listed its GPUs
  NotFound,        // not_found: dlopen failed
  MissingSymbols,  // missing_symbols: loaded, but an entry point is missing
  InitFailed,      // init_failed: cuInit / nvmlInit returned an error
  Crashed,         // crashed: the probe process died (signal) or exited early
  Timeout,         // timeout: the probe process did not finish in time
  Skipped,         // skipped: not probed
  Error,           // error: the probe process could not be started
};
std::string_view to_string(ProbeStatus s);
std::optional<ProbeStatus> probe_status_from_string(std::string_view s);

// nvmlDeviceGetTopologyCommonAncestor's level for a pair of GPUs; in the snapshot as the number. The probe
// keeps the number NVML gave, so a level unknown here reads as GpuTopology(n) and is named "unknown".
enum class GpuTopology : int {
  Unknown = -1,
  SameBoard = 0,         // NVML_TOPOLOGY_INTERNAL
  SingleSwitch = 10,     // NVML_TOPOLOGY_SINGLE: one PCIe switch
  MultipleSwitches = 20, // NVML_TOPOLOGY_MULTIPLE: several PCIe switches
  HostBridge = 30,       // NVML_TOPOLOGY_HOSTBRIDGE
  NumaNode = 40,         // NVML_TOPOLOGY_NODE: same NUMA node, across host bridges
  AcrossNuma = 50,       // NVML_TOPOLOGY_SYSTEM: across NUMA nodes (SMP link)
};
// One phrase for findings ("one PCIe switch") and a short one for the details table ("PCIe switch").
std::string_view topology_name(GpuTopology t);
std::string_view topology_short_name(GpuTopology t);

}  // namespace gpuenv
