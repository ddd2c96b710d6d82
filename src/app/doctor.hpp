#pragma once
// The doctor pipeline: probes (or a saved document) -> Snapshot -> checks -> Findings. Shared by `doctor`,
// `slurm healthcheck` and the exporters; the commands only parse flags and render.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/inputs.hpp"
#include "checks/check.hpp"
#include "env/spec.hpp"
#include "model/finding.hpp"
#include "model/snapshot.hpp"
#include "model/reports.hpp"

namespace gpuenv {

struct DoctorInputs {
  std::string from;  // a saved doctor --json document, "-" for stdin; empty: probe this machine
  std::string root = "/";
  std::vector<std::string> only, skip;
  DriverInputs driver;
  bool deep = false;          // doctor --deep: import each framework for real (src/probe/deep.cpp)
  double deep_timeout = 20;   // seconds per framework
  // Where "the driver keeps us waiting" and --deep progress lines go (stderr on a terminal); none when empty.
  std::function<void(const std::string&)> on_progress;
  // The spec a command already found (nix --spec); unset: gpuenv.toml walking up from $PWD under --root.
  std::optional<FoundSpec> spec;
};


// Probes (or reads --from) and runs the checks. Throws UsageError for bad input.
// The report (model/reports.hpp) also says which checks ran and which --only/--skip left out.
DoctorReport run_doctor_pipeline(const DoctorInputs& in);

}  // namespace gpuenv
