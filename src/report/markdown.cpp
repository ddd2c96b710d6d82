// A bug-report body: renders on code-hosting issue pages (GitHub, GitLab).
#include <fmt/format.h>

#include "model/json.hpp"
#include "report/report.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

// Table cells: escape pipes, keep one line.
std::string cell(std::string s) {
  s = replace_all(std::move(s), "|", "\\|");
  s = replace_all(std::move(s), "\n", "<br>");
  return s;
}

const char* icon(Severity s) {
  switch (s) {
    case Severity::Error: return "❌";
    case Severity::Warning: return "⚠️";
    case Severity::Info: return "ℹ️";
  }
  return "";
}

// A fence longer than any backtick run inside the text.
std::string fence_for(const std::string& text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<size_t>(3, longest + 1), '`');
}

}  // namespace

std::string render_markdown(const Snapshot& s, const std::vector<Finding>& findings) {
  std::string out;
  out += "## gpuenv doctor report\n\n";
  out += fmt::format("**Verdict:** {}  \n", verdict_line(findings));
  out += fmt::format("gpuenv {} · snapshot schema {} · {}\n\n", s.tool_version, s.schema_version, s.created);
  out += "| | |\n|---|---|\n";
  for (auto& [k, v] : machine_summary(s)) out += "| " + cell(k) + " | " + cell(v) + " |\n";
  out += "\n";
  if (!findings.empty()) {
    out += "### Findings\n\n| | Check | Problem |\n|---|---|---|\n";
    for (auto& f : findings) out += fmt::format("| {} | `{}` | {} |\n", icon(f.severity), f.id, cell(f.title));
    out += "\n";
    for (auto& f : findings) {
      out += fmt::format("#### {} {}\n\n`{}` ({})", icon(f.severity), f.title, f.id, severity_name(f.severity));
      if (!f.subject.empty()) out += " · " + f.subject;
      out += "\n\n";
      if (!f.cause.empty()) out += "**Cause:** " + f.cause + "\n\n";
      if (!f.fix.empty()) {
        auto fence = fence_for(f.fix);
        out += "**Fix:**\n\n" + fence + "sh\n" + f.fix + "\n" + fence + "\n\n";
      }
      if (!f.evidence.empty()) {
        out += "<details><summary>Evidence</summary>\n\n| | |\n|---|---|\n";
        for (auto& e : f.evidence) out += "| " + cell(e.key) + " | " + cell(e.value) + " |\n";
        out += "\n</details>\n\n";
      }
    }
  }
  auto json = render_json(s, findings);
  auto fence = fence_for(json);
  out += "<details><summary>Full snapshot (JSON, replay with <code>gpuenv doctor --from FILE</code>)</summary>\n\n" +
         fence + "json\n" + json + fence + "\n\n</details>\n";
  return out;
}

std::string render_json(const Snapshot& s, const std::vector<Finding>& findings) {
  return doctor_to_json(s, findings).dump(2) + "\n";
}

}  // namespace gpuenv
