// A bug-report body: renders on code-hosting issue pages (GitHub, GitLab). It must fit an issue body
// (GitHub refuses bodies over 65,536 characters): every finding stays whole (title, cause, fix); what does not fit
// is trimmed, evidence first, then the embedded JSON, each with a "… N more" line and the attachment hint.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "report/format.hpp"
#include "report/report.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

// Evidence when a report is too long, tighter at each level until it fits: rows per finding, characters per value.
struct Trim {
  size_t rows, chars;
};
constexpr Trim kTrimLevels[] = {{SIZE_MAX, SIZE_MAX}, {12, 400}, {6, 160}, {3, 80}, {0, 0}};

std::string evidence_table(const Finding& f, Trim trim) {
  if (trim.rows == 0) return fmt::format("Evidence: {} rows in the full JSON.\n\n", f.evidence.size());
  std::string out = "<details><summary>Evidence</summary>\n\n| | |\n|---|---|\n";
  size_t rows = std::min(f.evidence.size(), trim.rows);
  for (size_t i = 0; i < rows; ++i) {
    auto& e = f.evidence[i];
    auto v = e.value;
    if (v.size() > trim.chars) {
      size_t cut = trim.chars;
      while (cut > 0 && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
      v = v.substr(0, cut) + fmt::format(" … {} more characters", e.value.size() - cut);
    }
    out += "| " + md_cell(e.key) + " | " + md_cell(v) + " |\n";
  }
  if (rows < f.evidence.size())
    out += fmt::format("| … | {} more rows in the full JSON |\n", f.evidence.size() - rows);
  return out + "\n</details>\n\n";
}

std::string findings_section(const std::vector<Finding>& findings, Trim trim) {
  std::string out = "### Findings\n\n| | Check | Problem |\n|---|---|---|\n";
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
    if (!f.evidence.empty()) out += evidence_table(f, trim);
  }
  return out;
}

}  // namespace

std::string render_markdown(const DoctorReport& r) {
  const Snapshot& s = r.snap;
  std::string out;
  out += "## gpuenv doctor report\n\n";
  out += fmt::format("**Verdict:** {}  \n", doctor_verdict(r));
  out += fmt::format("gpuenv {} · snapshot schema {} · {}\n\n", s.tool_version, s.schema_version, s.created);
  out += "| | |\n|---|---|\n";
  for (auto& [k, v] : machine_summary(s)) out += "| " + md_cell(k) + " | " + md_cell(v) + " |\n";
  if (auto sel = selection_line(r); !sel.empty()) out += "| checks | " + md_cell(sel) + " |\n";
  out += "\n";
  if (!r.findings.empty()) {
    // The findings whole and their evidence as long as it leaves room (half the limit) for the snapshot.
    std::string section;
    for (auto& t : kTrimLevels) {
      section = findings_section(r.findings, t);
      if (out.size() + section.size() <= kMarkdownBodyLimit / 2) break;
    }
    out += section;
  }
  auto json = render_json(r);
  auto fence = md_fence_for(json);
  const std::string attach =
      "The whole snapshot does not fit an issue body: run `gpuenv doctor --json -o gpuenv.json` and attach "
      "gpuenv.json to the issue.";
  const std::string closing = fence + "\n\n</details>\n";
  std::string head = "<details><summary>Full snapshot (JSON, replay with <code>gpuenv doctor --from FILE</code>)"
                     "</summary>\n\n" + fence + "json\n";
  if (out.size() + head.size() + json.size() + closing.size() <= kMarkdownBodyLimit)
    return out + head + json + closing;
  // Too long: the first lines of the JSON, folded, and where the rest is.
  head = attach + "\n\n<details><summary>Snapshot (JSON, first part)</summary>\n\n" + fence + "json\n";
  auto lines = split_lines(json);
  std::string kept;
  size_t n = 0;
  for (; n < lines.size(); ++n) {
    if (out.size() + head.size() + kept.size() + lines[n].size() + 200 + closing.size() > kMarkdownBodyLimit) break;
    kept += lines[n] + "\n";
  }
  if (n < lines.size()) kept += fmt::format("… {} more lines in gpuenv.json\n", lines.size() - n);
  return out + head + kept + closing;
}

}  // namespace gpuenv
