#pragma once
// Small pieces of presentation shared by the renderers (doctor's text and Markdown, explain's).
#include <string>

#include "model/finding.hpp"
#include "util/term.hpp"

namespace gpuenv {

// `first` before the first line of text, `rest` before each following line.
std::string indent_block(const std::string& text, const std::string& first, const std::string& rest);
// "error  ", "warning", "info   " in the severity's colour (fixed width).
std::string severity_badge(const Style& st, Severity s);
// "gpuenv TOOL: VERDICT" in the colour of the worst severity counted, and a newline.
std::string verdict_headline(const Style& st, const std::string& tool, const std::string& verdict, const Summary& sum);
// One finding as the text reports print it: badge, title and ID, `subject_label` + subject, evidence aligned,
// cause and fix.
std::string render_finding_text(const Style& st, const Finding& f, const std::string& subject_label);

// Markdown: a table cell (pipes escaped, one line), a code fence longer than any backtick run inside the
// text, the severity's icon.
std::string md_cell(std::string s);
std::string md_fence_for(const std::string& text);
const char* md_icon(Severity s);

}  // namespace gpuenv
