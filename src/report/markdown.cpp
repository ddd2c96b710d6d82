// A bug-report body: renders on code-hosting issue pages (GitHub, GitLab).
#include <fmt/format.h>

#include "model/json.hpp"
#include "report/report.hpp"
#include "report/format.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

}  // namespace

std::string render_markdown(const Snapshot& s, const std::vector<Finding>& findings) {
  std::string out;
  out += "## gpuenv doctor report\n\n";
  out += fmt::format("**Verdict:** {}  \n", verdict_line(findings));
  out += fmt::format("gpuenv {} · snapshot schema {} · {}\n\n", s.tool_version, s.schema_version, s.created);
  out += "| | |\n|---|---|\n";
  for (auto& [k, v] : machine_summary(s)) out += "| " + md_cell(k) + " | " + md_cell(v) + " |\n";
  out += "\n";
  if (!findings.empty()) {
    out += "### Findings\n\n| | Check | Problem |\n|---|---|---|\n";
    for (auto& f : findings) out += fmt::format("| {} | `{}` | {} |\n", md_icon(f.severity), f.id, md_cell(f.title));
    out += "\n";
    for (auto& f : findings) {
      out += fmt::format("#### {} {}\n\n`{}` ({})", md_icon(f.severity), f.title, f.id, severity_name(f.severity));
      if (!f.subject.empty()) out += " · " + f.subject;
      out += "\n\n";
      if (!f.cause.empty()) out += "**Cause:** " + f.cause + "\n\n";
      if (!f.fix.empty()) {
        auto fence = md_fence_for(f.fix);
        out += "**Fix:**\n\n" + fence + "sh\n" + f.fix + "\n" + fence + "\n\n";
      }
      if (!f.evidence.empty()) {
        out += "<details><summary>Evidence</summary>\n\n| | |\n|---|---|\n";
        for (auto& e : f.evidence) out += "| " + md_cell(e.key) + " | " + md_cell(e.value) + " |\n";
        out += "\n</details>\n\n";
      }
    }
  }
  auto json = render_json(s, findings);
  auto fence = md_fence_for(json);
  out += "<details><summary>Full snapshot (JSON, replay with <code>gpuenv doctor --from FILE</code>)</summary>\n\n" +
         fence + "json\n" + json + fence + "\n\n</details>\n";
  return out;
}

std::string render_json(const Snapshot& s, const std::vector<Finding>& findings) {
  return json_text(doctor_to_json(s, findings)) + "\n";
}

}  // namespace gpuenv
