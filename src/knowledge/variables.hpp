#pragma once
// The grammar and effect of the environment variables CUDA, NCCL, the container runtime and the GPU frameworks
// read (variables.toml); Knowledge::variables() returns them. The parser that applies them is
// checks/variable_grammar.hpp.
#include <string>
#include <vector>

namespace gpuenv {

struct VariableRule {
  std::string name;
  std::string framework;   // cuda, container, torch, jax, tensorflow, cupy, nccl
  std::string kind;        // choice, list, float, bytes_or_percent, torch_alloc_conf, device_list, false_values,
                           // interface_list, set_elsewhere
  std::vector<std::string> values;
  std::vector<std::string> on_values;  // false_values: the values that mean "on"
  std::string separator;
  bool case_insensitive = false;
  bool has_min = false, has_max = false;
  double min = 0, max = 0;
  std::string on_invalid;  // rejected, ignored, undocumented
  std::string message;     // what the framework says when it rejects the value ({value} = the value)
  std::string effect;      // on_invalid = ignored: what the user gets
  std::string on_means;    // false_values: what any other value means
  std::vector<std::string> cpu_values;
  std::string cpu_effect;
  std::string conflicts_with, conflict_message;
  std::string source;
};

struct TorchAllocKey {
  std::string name;
  std::string value;  // bool, size_mb, fraction_open, fraction_closed, pow2, positive, backend, roundup, reserve,
                      // reserve_list
  long long min = 0, max = 0;  // size_mb: the least; pow2: the most (0 = no bound)
  std::string message;
  std::string source;
};

struct VariableFacts {
  std::vector<VariableRule> variables;  // in file order
  std::vector<TorchAllocKey> torch_alloc_keys;
  const VariableRule* rule(const std::string& name) const;
  const TorchAllocKey* torch_alloc_key(const std::string& name) const;
};

}  // namespace gpuenv
