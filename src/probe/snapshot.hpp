#pragma once
// Runs every probe and returns the Snapshot. The driver probe starts first
// (it is the slowest, bounded by cuInit) and the file probes run meanwhile.
#include <functional>
#include <string>

#include "model/snapshot.hpp"
#include "probe/context.hpp"
#include "probe/driver_probe.hpp"
#include "probe/python.hpp"

namespace gpuenv {

struct SnapshotOptions {
  std::string root = "/";
  Environment env;                 // the environment to inspect (normally the process's)
  // The project's gpuenv.toml, found and parsed by the caller (nullptr: none, or spec_error says why it could
  // not be read). The Python probe locates the interpreter it declares.
  const Spec* spec = nullptr;
  std::string spec_error;
  // The spec's interpreter as the caller located it (ProbeContext::declared_interpreter); nullptr: located here.
  const Interpreter* declared_interpreter = nullptr;
  // Or: how the caller finds and reads it (doctor: walking up from $PWD under --root). Called once, after the
  // driver probe has started, so reading the spec costs nothing of the run (cuInit is its floor).
  std::function<FoundSpec()> find_spec;
  DriverProbeOptions driver;
  bool hash_files = false;         // doctor --deep: RECORD hashes of the GPU wheels are compared too
  // Called once when the driver probe keeps us waiting for more than a second.
  std::function<void(const std::string&)> on_slow;
};

// `declared`, when given, receives where the spec's interpreter was found in the snapshot (or why not).
Snapshot take_snapshot(const SnapshotOptions& opts, DeclaredInterpreter* declared = nullptr);
std::string utc_now_iso8601();

}  // namespace gpuenv
