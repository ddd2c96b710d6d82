#pragma once
// Slurm health checks (HealthCheckProgram): what to do with this node given
// its findings and its current state. Pure functions; the CLI runs scontrol.
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.hpp"

namespace gpuenv {

// Drain reasons gpuenv writes start with this, so it only ever resumes nodes it drained itself.
inline constexpr const char* kDrainReasonPrefix = "gpuenv: ";

struct SlurmNodeState {
  bool known = false;    // scontrol answered about this node
  bool drained = false;  // State= has DRAIN (draining or drained)
  std::string reason;    // Reason= without the trailing "[user@time]"
};
// Parses `scontrol show node NAME` (the multi-line form).
SlurmNodeState parse_scontrol_show_node(std::string_view text);

// "gpuenv: driver.uvm-missing: /dev/nvidia-uvm is missing (+1 more)": the most
// severe finding (errors; warnings too when strict), one line, at most 200 bytes.
// Empty when nothing should drain the node.
std::string drain_reason(const std::vector<Finding>& findings, bool strict);

struct HealthcheckOptions {
  std::string node;
  bool strict = false;   // warnings drain too
  bool resume = true;    // resume a node that gpuenv drained once it is healthy again
};

struct HealthcheckPlan {
  enum class Action { None, Drain, Resume };
  Action action = Action::None;
  std::string reason;             // the drain reason
  std::vector<std::string> argv;  // scontrol arguments after the program name
  std::string message;            // one line for the log
};
HealthcheckPlan plan_healthcheck(const std::vector<Finding>& findings, const SlurmNodeState& state,
                                 const HealthcheckOptions& o);

}  // namespace gpuenv
