#include "report/format.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "util/strings.hpp"

namespace gpuenv {

std::string indent_block(const std::string& text, const std::string& first, const std::string& rest) {
  std::string out;
  auto lines = split_lines(text);
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? rest : first) + lines[i] + "\n";
  return out;
}

std::string severity_badge(const Style& st, Severity s) {
  switch (s) {
    case Severity::Error: return st.bold(st.red("error  "));
    case Severity::Warning: return st.bold(st.yellow("warning"));
    case Severity::Info: return st.cyan("info   ");
  }
  return "";
}

std::string verdict_headline(const Style& st, const std::string& tool, const std::string& verdict, const Summary& sum) {
  auto v = sum.errors ? st.red(verdict) : sum.warnings ? st.yellow(verdict) : st.green(verdict);
  return st.bold("gpuenv " + tool + ": ") + st.bold(v) + "\n";
}

std::string render_finding_text(const Style& st, const Finding& f, const std::string& subject_label) {
  std::string out = "\n" + severity_badge(st, f.severity) + "  " + st.bold(f.title) + "  " + st.dim("[" + f.id + "]") + "\n";
  if (!f.subject.empty()) out += "         " + st.dim(subject_label + ": ") + f.subject + "\n";
  size_t w = 0;
  for (auto& ev : f.evidence) w = std::max(w, ev.key.size());
  w = std::min<size_t>(w, 30);
  for (auto& ev : f.evidence) {
    auto key = fmt::format("{:<{}}", ev.key, w);
    out += indent_block(ev.value, "         " + st.dim(key) + "  ", "         " + std::string(w, ' ') + "  ");
  }
  if (!f.cause.empty()) out += indent_block(f.cause, "  " + st.bold("cause") + "  ", "         ");
  if (!f.fix.empty()) out += indent_block(f.fix, "  " + st.bold(st.green("fix")) + "    ", "         ");
  return out;
}

std::string md_cell(std::string s) {
  s = replace_all(std::move(s), "|", "\\|");
  s = replace_all(std::move(s), "\n", "<br>");
  return s;
}

std::string md_fence_for(const std::string& text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<size_t>(3, longest + 1), '`');
}

const char* md_icon(Severity s) {
  switch (s) {
    case Severity::Error: return "❌";
    case Severity::Warning: return "⚠️";
    case Severity::Info: return "ℹ️";
  }
  return "";
}

}  // namespace gpuenv
