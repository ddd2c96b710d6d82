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

struct Explanation {
  MessageMatch match;
  Finding finding;                  // id: the check (or explain.* entry); subject: the line(s); cause/fix expanded
  std::vector<std::string> machine; // what the snapshot adds ("driver 535.183.01 supports CUDA 12.2; torch ... needs 12.8")
  std::vector<Finding> confirmed;   // the snapshot's findings of the same or related checks
  bool snapshot_disagrees = false;  // a snapshot was given, and its checks do not see the entry's problem
};

struct ExplainContext {
  const Snapshot* snap = nullptr;               // narrows causes and fixes; null: text only
  const std::vector<Finding>* findings = nullptr;  // doctor's findings on that snapshot
};

std::vector<Explanation> explain_log(std::string_view log, const Knowledge& k, const ExplainContext& ctx = {});

// The explanation of one match (used by explain_log and by the deep checks).
Explanation explain_match(const MessageMatch& m, const Knowledge& k, const ExplainContext& ctx);

}  // namespace gpuenv
