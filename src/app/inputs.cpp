#include "app/inputs.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <iterator>

#include "util/errors.hpp"
#include "util/fs.hpp"

namespace gpuenv {

std::string read_input_file(const std::string& path) {
  if (path == "-") return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  Fs fs;
  auto r = fs.read(path);
  if (!r) throw UsageError("cannot read " + r.error());
  return std::move(r).value();
}

std::string current_dir() {
  char buf[4096];
  if (!::getcwd(buf, sizeof buf)) throw UsageError(std::string("cannot read the current directory: ") + std::strerror(errno));
  return buf;
}

SnapshotOptions snapshot_options(const std::string& root, Environment env, const DriverInputs& d) {
  SnapshotOptions o;
  o.root = root;
  o.env = std::move(env);
  o.driver.timeout_s = d.timeout;
  auto flag_or_env = [&](const std::string& flag, const char* var, const char* def) {
    if (!flag.empty()) return flag;
    auto it = o.env.find(var);
    return it != o.env.end() && !it->second.empty() ? it->second : std::string(def);
  };
  o.driver.libcuda = flag_or_env(d.libcuda, "GPUENV_LIBCUDA", "libcuda.so.1");
  o.driver.libnvml = flag_or_env(d.libnvml, "GPUENV_LIBNVML", "libnvidia-ml.so.1");
  // Under --root the live driver means nothing unless a library was named explicitly.
  bool named = !d.libcuda.empty() || o.env.count("GPUENV_LIBCUDA");
  o.driver.enabled = !d.no_driver && (root == "/" || named);
  // GPUENV_TRUSTED_DRIVER=1: load the driver only from the system's directories, never through LD_LIBRARY_PATH.
  o.driver.trusted_only = flag_or_env("", "GPUENV_TRUSTED_DRIVER", "") == "1";
  return o;
}

}  // namespace gpuenv
