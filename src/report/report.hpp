#pragma once
// Renderers: views of (Snapshot, Findings). Nothing is computed here that a
// check should decide.
#include <string>
#include <utility>
#include <vector>

#include "model/finding.hpp"
#include "model/snapshot.hpp"
#include "util/term.hpp"

namespace gpuenv {

struct TextOptions {
  Style style;
  int verbosity = 0;  // 0: verdict, machine line, findings; 1: + machine details; 2: + every library copy and variable
};

std::string render_text(const Snapshot& s, const std::vector<Finding>& findings, const TextOptions& opts);
std::string render_markdown(const Snapshot& s, const std::vector<Finding>& findings);
std::string render_json(const Snapshot& s, const std::vector<Finding>& findings);

// "GPU ready" or "2 problems (1 error, 1 warning)".
std::string verdict_line(const std::vector<Finding>& findings);
// Label/value lines describing the machine, shared by the text and Markdown views.
std::vector<std::pair<std::string, std::string>> machine_summary(const Snapshot& s);

// Replaces the user name, home directory and host name in a rendered report.
struct Redactor {
  std::string user, home, hostname;
  static Redactor from(const Snapshot& s);
  std::string apply(std::string text) const;
};

}  // namespace gpuenv
