#pragma once
// Views of `gpuenv explain`'s answer: text, Markdown (a bug-report body) and JSON (docs/explain.md).
#include <string>
#include <vector>

#include "knowledge/knowledge.hpp"
#include "knowledge/messages.hpp"
#include "model/json_fields.hpp"
#include "report/formats.hpp"
#include "util/term.hpp"

namespace gpuenv {

struct ExplainReport {
  std::string input;         // "arguments", "stdin", "file LOG"
  int input_lines = 0;
  std::string snapshot;      // "", "from FILE", "this machine"
  int known_messages = 0;    // entries in messages.toml
  std::vector<Explanation> explanations;
};

std::string render_explain_text(const ExplainReport& r, const Style& st);
std::string render_explain_markdown(const ExplainReport& r);
Json explain_to_json(const ExplainReport& r);
// Picks the renderer of `f` (text, json, markdown: report/formats.cpp's table).
std::string render(const ExplainReport& r, Format f, const RenderOptions& o);
// explain --list: every known message with its check ID (text or json).
std::string render_message_list(const Knowledge& k, Format f);
// One line: "2 known messages (1 error, 1 info)" or "no known GPU error message".
std::string explain_verdict(const ExplainReport& r);

}  // namespace gpuenv
