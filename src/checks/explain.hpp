#pragma once
// `gpuenv explain` as a library: known error messages in a log (knowledge/messages.hpp), each turned
// into a Finding with its cause and fix, narrowed by a snapshot of the machine when one is given.
// `doctor --deep` uses the same function on the stderr of the frameworks it imports.
#include <string>
#include <string_view>
#include <vector>

#include "knowledge/knowledge.hpp"
#include "knowledge/messages.hpp"
#include "model/finding.hpp"
#include "model/snapshot.hpp"

namespace gpuenv {


struct ExplainContext {
  const Snapshot* snap = nullptr;               // narrows causes and fixes; null: text only
  const std::vector<Finding>* findings = nullptr;  // doctor's findings on that snapshot
};

std::vector<Explanation> explain_log(std::string_view log, const Knowledge& k, const ExplainContext& ctx = {});

// The explanation of one match (used by explain_log and by the deep checks).
Explanation explain_match(const MessageMatch& m, const Knowledge& k, const ExplainContext& ctx);

}  // namespace gpuenv
