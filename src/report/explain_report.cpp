#include "report/explain_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "model/json.hpp"
#include "report/format.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

std::vector<Finding> findings_of(const ExplainReport& r) {
  std::vector<Finding> out;
  for (auto& e : r.explanations) out.push_back(e.finding);
  return out;
}

}  // namespace

std::string explain_verdict(const ExplainReport& r) {
  if (r.explanations.empty()) return "no known GPU error message";
  auto sum = summarize(findings_of(r));
  std::vector<std::string> parts;
  if (sum.errors) parts.push_back(fmt::format("{} error{}", sum.errors, sum.errors == 1 ? "" : "s"));
  if (sum.warnings) parts.push_back(fmt::format("{} warning{}", sum.warnings, sum.warnings == 1 ? "" : "s"));
  if (sum.infos) parts.push_back(fmt::format("{} harmless", sum.infos));
  size_t n = r.explanations.size();
  return fmt::format("{} known message{} ({})", n, n == 1 ? "" : "s", join(parts, ", "));
}

std::string render_explain_text(const ExplainReport& r, const Style& st) {
  std::string out;
  auto sum = summarize(findings_of(r));
  out += verdict_headline(st, "explain", explain_verdict(r), sum);
  out += fmt::format("  {:<8} {}, {} line{}\n", "input", r.input, r.input_lines, r.input_lines == 1 ? "" : "s");
  if (!r.snapshot.empty()) out += fmt::format("  {:<8} {}\n", "machine", r.snapshot);
  for (auto& e : r.explanations) out += render_finding_text(st, e.finding, "at");
  if (r.explanations.empty())
    out += fmt::format("\n{} messages are known ('gpuenv explain --list'); if this log shows a GPU problem, please report it\n"
                       "(where: 'Reporting problems' in gpuenv's README).\n",
                       r.known_messages);
  else if (r.snapshot.empty())
    out += "\n" + st.dim("(--here or --from SNAPSHOT narrows the causes to a machine)") + "\n";
  return out;
}

Json explain_to_json(const ExplainReport& r) {
  auto sum = summarize(findings_of(r));
  Json j = Json::object();
  j["schema_version"] = kSchemaVersion;
  j["tool"] = "gpuenv";
  j["command"] = "explain";
  j["verdict"] = r.explanations.empty() ? "no-match" : sum.errors ? "problems" : sum.warnings ? "warnings" : "harmless";
  j["summary"] = Json{{"matches", r.explanations.size()}, {"errors", sum.errors}, {"warnings", sum.warnings}, {"infos", sum.infos}};
  j["input"] = Json{{"source", r.input}, {"lines", r.input_lines}};
  j["machine"] = r.snapshot;
  Json arr = Json::array();
  for (auto& e : r.explanations) {
    Json m = e.finding;  // id, severity, title, subject, evidence, cause, fix
    m["entry"] = e.match.fact->id;
    m["check"] = e.match.fact->check;
    m["line"] = e.match.line;
    m["lines"] = e.match.lines;
    m["text"] = e.match.text;
    Json caps = Json::object();
    for (auto& [k, v] : e.match.captures) caps[k] = v;
    m["captures"] = caps;
    m["emitter"] = e.match.fact->emitter;
    m["source"] = e.match.fact->source;
    m["machine_notes"] = e.machine;
    Json conf = Json::array();
    for (auto& c : e.confirmed) conf.push_back(c.id);
    m["confirmed_by"] = conf;
    arr.push_back(std::move(m));
  }
  j["matches"] = std::move(arr);
  return j;
}

std::string render_explain_markdown(const ExplainReport& r) {
  std::string out = "## gpuenv explain\n\n";
  out += fmt::format("**Verdict:** {}  \nInput: {}, {} lines{}\n\n", explain_verdict(r), r.input, r.input_lines,
                     r.snapshot.empty() ? "" : " · machine: " + r.snapshot);
  if (r.explanations.empty()) return out;
  out += "| | Check | Line | Problem |\n|---|---|---|---|\n";
  for (auto& e : r.explanations)
    out += fmt::format("| {} | `{}` | {} | {} |\n", md_icon(e.finding.severity), e.finding.id, e.match.line, md_cell(e.finding.title));
  out += "\n";
  for (auto& e : r.explanations) {
    const Finding& f = e.finding;
    out += fmt::format("#### {} {}\n\n`{}` ({}) · {}\n\n", md_icon(f.severity), f.title, f.id, severity_name(f.severity), f.subject);
    auto fence = md_fence_for(e.match.text);
    out += fence + "\n" + e.match.text + "\n" + fence + "\n\n";
    if (!f.cause.empty()) out += "**Cause:** " + replace_all(f.cause, "\n", "  \n") + "\n\n";
    if (!f.fix.empty()) {
      auto ff = md_fence_for(f.fix);
      out += "**Fix:**\n\n" + ff + "sh\n" + f.fix + "\n" + ff + "\n\n";
    }
    out += "<details><summary>Evidence</summary>\n\n| | |\n|---|---|\n";
    for (auto& ev : f.evidence) out += "| " + md_cell(ev.key) + " | " + md_cell(ev.value) + " |\n";
    out += "\n</details>\n\n";
  }
  return out;
}

std::string render(const ExplainReport& r, Format f, const RenderOptions& o) {
  switch (f) {
    case Format::Json: return json_text(explain_to_json(r)) + "\n";
    case Format::Markdown: return render_explain_markdown(r);
    case Format::Text: return render_explain_text(r, o.style);
    default: throw std::logic_error(std::string("explain has no ") + format_name(f) + " renderer");
  }
}

std::string render_message_list(const Knowledge& k, Format f) {
  if (f == Format::Json) {
    Json arr = Json::array();
    for (auto& m : k.messages())
      arr.push_back(Json{{"id", m.check.empty() ? m.id : m.check}, {"entry", m.id}, {"severity", m.severity},
                         {"emitter", m.emitter}, {"pattern", m.pattern}, {"source", m.source}});
    return json_text(arr) + "\n";
  }
  std::string out;
  size_t w = 0;
  for (auto& m : k.messages()) w = std::max(w, m.id.size());
  for (auto& m : k.messages())
    out += fmt::format("{:<{}}  {:<32}  {:<7}  {}\n", m.id, w, m.check.empty() ? "-" : m.check, m.severity, m.emitter);
  return out;
}

}  // namespace gpuenv
