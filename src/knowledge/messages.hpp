#pragma once
// Matching logs against the known error messages of messages.toml: the text part of
// `gpuenv explain`, reused by `doctor --deep` for the stderr of the frameworks it imports.
// Pure functions of the text and the knowledge; no snapshot (src/checks/explain.hpp adds that).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "knowledge/knowledge.hpp"
#include "model/finding.hpp"

namespace gpuenv {

struct MessageMatch {
  const MessageFact* fact = nullptr;
  int line = 0;                // 1-based line of the first occurrence
  std::vector<int> lines;      // every line where the same message (same captured values) starts
  std::string text;            // the matched text of the first occurrence (one line, at most ~300 characters)
  std::vector<std::pair<std::string, std::string>> captures;  // name -> value, in the entry's order
  // The corresponding doctor check, or the entry's own explain.* ID when it names none (explain_match
  // also falls back to the entry's ID when the check is not registered in this build).
  const std::string& id() const { return fact->check.empty() ? fact->id : fact->check; }
  std::string capture(const std::string& name) const;
};

// Every known message in `log`, in order of first appearance, each once (one entry per distinct set of
// captured values). Lines are split on \n and \r; ANSI colour codes are ignored. On one line the first
// entry of messages.toml that matches wins.
std::vector<MessageMatch> match_messages(const Knowledge& k, std::string_view log);

// Expands {name} and {name|filter} from the captures. Filters: cuda (11040 -> 11.4), cudatag
// (12080 -> 128), cudnn (8600 -> 8.6.0, 90100 -> 9.1.0). An unknown or empty capture expands to "?";
// an optional clause <<like {this}>> is left out when one of its placeholders has no value.
std::string expand_message_template(const std::string& tmpl, const std::vector<std::pair<std::string, std::string>>& captures);

// What one known message means here: the answer `gpuenv explain` gives (checks/explain.cpp builds it, report/
// explain_report.cpp renders it).
struct Explanation {
  MessageMatch match;
  Finding finding;                  // id: the check (or explain.* entry); subject: the line(s); cause/fix expanded
  std::vector<std::string> machine; // what the snapshot adds ("driver 535.183.01 supports CUDA 12.2; torch ... needs 12.8")
  std::vector<Finding> confirmed;   // the snapshot's findings of the same or related checks
  bool snapshot_disagrees = false;  // a snapshot was given, and its checks do not see the entry's problem
};

}  // namespace gpuenv
