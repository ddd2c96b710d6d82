#pragma once
// Reading what a command is given: a file or stdin, and the options of the driver probe.
#include <string>

#include "probe/snapshot.hpp"

namespace gpuenv {

// Reads a whole file, or stdin for "-". Throws UsageError naming the file.
std::string read_input_file(const std::string& path);

// The current directory. Throws UsageError when it cannot be read.
std::string current_dir();

// How the driver is probed, from the command's flags and the environment (GPUENV_LIBCUDA, GPUENV_LIBNVML).
struct DriverInputs {
  double timeout = 5.0;
  std::string libcuda, libnvml;  // --libcuda / --libnvml; "" = the variable, else the soname
  bool no_driver = false;
};

// The options of a full snapshot of `root` in environment `env`; the one place that decides whether the live
// driver is probed (under --root only when a library was named explicitly).
SnapshotOptions snapshot_options(const std::string& root, Environment env, const DriverInputs& d);

}  // namespace gpuenv
