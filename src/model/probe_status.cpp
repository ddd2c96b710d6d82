#include "model/probe_status.hpp"

#include <array>
#include <utility>

namespace gpuenv {

namespace {

constexpr std::array<std::pair<ProbeStatus, std::string_view>, 8> kStatus{{
    {ProbeStatus::Ok, "ok"},
    {ProbeStatus::NotFound, "not_found"},
    {ProbeStatus::MissingSymbols, "missing_symbols"},
    {ProbeStatus::InitFailed, "init_failed"},
    {ProbeStatus::Crashed, "crashed"},
    {ProbeStatus::Timeout, "timeout"},
    {ProbeStatus::Skipped, "skipped"},
    {ProbeStatus::Error, "error"},
}};

struct TopologyNames {
  GpuTopology t;
  std::string_view name, short_name;
};
constexpr std::array<TopologyNames, 7> kTopology{{
    {GpuTopology::SameBoard, "same board", "same board"},
    {GpuTopology::SingleSwitch, "one PCIe switch", "PCIe switch"},
    {GpuTopology::MultipleSwitches, "several PCIe switches", "PCIe switches"},
    {GpuTopology::HostBridge, "PCIe host bridge", "host bridge"},
    {GpuTopology::NumaNode, "same NUMA node, across host bridges", "NUMA node"},
    {GpuTopology::AcrossNuma, "across NUMA nodes", "across NUMA nodes"},
    {GpuTopology::Unknown, "unknown", "topology unknown"},
}};

const TopologyNames& names(GpuTopology t) {
  for (auto& n : kTopology)
    if (n.t == t) return n;
  return kTopology.back();
}

}  // namespace

std::string_view to_string(ProbeStatus s) {
  for (auto& [v, name] : kStatus)
    if (v == s) return name;
  return "error";
}

std::optional<ProbeStatus> probe_status_from_string(std::string_view s) {
  for (auto& [v, name] : kStatus)
    if (name == s) return v;
  return std::nullopt;
}

std::string_view topology_name(GpuTopology t) { return names(t).name; }
std::string_view topology_short_name(GpuTopology t) { return names(t).short_name; }

}  // namespace gpuenv
