// Views of the changes between two stacks: gpuenv diff and gpuenv verify (text, JSON).
#include <fmt/format.h>

#include <stdexcept>

#include "model/json.hpp"
#include "model/json_fields.hpp"
#include "report/formats.hpp"

namespace gpuenv {

namespace {

std::string changes_json(const std::vector<LockChange>& changes) {
  Json arr = Json::array();
  for (auto& c : changes)
    arr.push_back(Json{{"subject", c.subject}, {"before", c.before}, {"after", c.after},
                       {"impact", impact_name(c.impact)}, {"reason", c.reason}});
  return json_text(arr) + "\n";
}

// The text view: `none` when nothing changed, else the headline `tool: N changes (...) where` and the changes.
std::string changes_text(const std::string& tool, const std::vector<LockChange>& changes, const std::string& none,
                         const std::string& where, const RenderOptions& o) {
  if (changes.empty()) return "gpuenv " + tool + ": " + none + "\n";
  return "gpuenv " + tool + ": " + changes_summary(changes) + " " + where + "\n" + render_changes(changes, o.style.color);
}

}  // namespace

std::string render_changes(const std::vector<LockChange>& changes, bool color) {
  Style st{color};
  std::string out;
  for (auto& c : changes) {
    std::string tag = impact_name(c.impact);
    std::string padded = fmt::format("{:<6}", tag);
    padded = c.impact == Impact::Breaks ? st.red(padded) : c.impact == Impact::Risky ? st.yellow(padded) : st.green(padded);
    out += fmt::format("  {}  {}: {} → {}\n", padded, st.bold(c.subject), c.before, c.after);
    out += fmt::format("          {}\n", c.reason);
  }
  return out;
}

std::string changes_summary(const std::vector<LockChange>& changes) {
  int n[3] = {0, 0, 0};
  for (auto& c : changes) ++n[int(c.impact)];
  std::vector<std::string> parts;
  if (n[2]) parts.push_back(fmt::format("{} breaks", n[2]));
  if (n[1]) parts.push_back(fmt::format("{} risky", n[1]));
  if (n[0]) parts.push_back(fmt::format("{} fine", n[0]));
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
  return fmt::format("{} change{} ({})", changes.size(), changes.size() == 1 ? "" : "s", s);
}

std::string render(const DiffReport& r, Format f, const RenderOptions& o) {
  if (f == Format::Json) return changes_json(r.changes);
  if (f != Format::Text) throw std::logic_error(std::string("diff has no ") + format_name(f) + " renderer");
  return changes_text("diff", r.changes, "no differences", "from " + r.a + " to " + r.b, o);
}

std::string render(const VerifyReport& r, Format f, const RenderOptions& o) {
  if (f == Format::Json) return changes_json(r.changes);
  if (f != Format::Text) throw std::logic_error(std::string("verify has no ") + format_name(f) + " renderer");
  return changes_text("verify", r.changes, "nothing changed since " + r.lock_path, "since " + r.lock_path, o);
}

}  // namespace gpuenv
