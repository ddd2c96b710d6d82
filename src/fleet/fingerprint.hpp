#pragma once
// The stack fingerprint: what must be equal for two nodes to run the same
// GPU software stack. Defined here once; fleet reports group nodes by it and
// the Prometheus exporter publishes its digest (gpuenv_stack_info).
//
// Components (key = value; keys absent when the node has nothing there):
//   driver                kernel module version (else NVML's, else libcuda's)   580.159.04
//   driver.flavour        open | proprietary                                     open
//   cuda.driver-api       what cuDriverGetVersion reports                        13.0
//   lib.<family>          versions of the non-stub copies of each library        9.14.0, 9.19.0
//   python                version of the active interpreter                       3.12.3
//   framework.<name>      version [CUDA x.y] of each framework build, over all    2.11.0+cu130 [CUDA 13.0]
//                         interpreters (sorted, unique)
// Hardware (GPU model, count), the OS and the host name are deliberately not
// part of it: they are shown beside the stack, not folded into it.
#include <string>
#include <utility>
#include <vector>

#include "model/snapshot.hpp"

namespace gpuenv {

struct StackFingerprint {
  std::vector<std::pair<std::string, std::string>> components;  // sorted by key, keys unique
  std::string digest;  // 16 hex digits: FNV-1a 64 of "key=value\n" lines, stable across versions of gpuenv

  const std::string* get(const std::string& key) const;
};

StackFingerprint stack_fingerprint(const Snapshot& s);

// FNV-1a 64-bit over the bytes, as 16 lowercase hex digits.
std::string fnv1a64_hex(std::string_view bytes);

}  // namespace gpuenv
