#pragma once
// Runs every probe and returns the Snapshot. The driver probe starts first
// (it is the slowest, bounded by cuInit) and the file probes run meanwhile.
#include <functional>
#include <string>

#include "model/snapshot.hpp"
#include "probe/context.hpp"
#include "probe/driver_probe.hpp"

namespace gpuenv {

struct SnapshotOptions {
  std::string root = "/";
  Environment env;                 // the environment to inspect (normally the process's)
  DriverProbeOptions driver;
  // Called once when the driver probe keeps us waiting for more than a second.
  std::function<void(const std::string&)> on_slow;
};

Snapshot take_snapshot(const SnapshotOptions& opts);
std::string utc_now_iso8601();

}  // namespace gpuenv
