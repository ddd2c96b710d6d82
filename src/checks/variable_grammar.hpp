#pragma once
// The value grammar of the environment variables in variables.toml (knowledge/variables.hpp): is a value one
// the reader accepts, and if not, what does the reader do with it. Pure functions: the env.* and nccl.* checks
// (variable_checks.cpp) and the fuzz target tests/fuzz/variable_grammar.cpp call them.
#include <string>
#include <string_view>
#include <vector>

#include "knowledge/variables.hpp"

namespace gpuenv {

struct VariableVerdict {
  enum class Status {
    Ok,
    Rejected,      // the framework stops with an error (message: what it says, when known)
    Ignored,       // the framework drops the value and keeps its default
    Undocumented,  // outside the documented values; what the reader does is not documented
    MeansOn,       // false_values: a spelling of "off" the reader does not know, so it means "on"
    Cpu,           // valid, and it leaves the framework without a GPU
  };
  Status status = Status::Ok;
  std::string problem;  // what is wrong with the value, in words
  std::string message;  // the framework's own message, verbatim where the source gives it ("" = not known)
};

// Judges `value` of the variable `rule` describes. interface_list and set_elsewhere values are always Ok here
// (nccl_selected_interfaces and the driver checks judge them).
VariableVerdict judge_variable(const VariableRule& rule, const VariableFacts& facts, std::string_view value);

// PyTorch's allocator configuration (PYTORCH_ALLOC_CONF, PYTORCH_CUDA_ALLOC_CONF), tokenised as PyTorch does.
VariableVerdict judge_torch_alloc_conf(const VariableFacts& facts, std::string_view value);

// The interfaces NCCL_SOCKET_IFNAME selects among `interfaces` (prefixes, "^" excludes, "=" exact names).
std::vector<std::string> nccl_selected_interfaces(std::string_view spec, const std::vector<std::string>& interfaces);

}  // namespace gpuenv
