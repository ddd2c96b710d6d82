#include "report/format.hpp"

#include <algorithm>

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
