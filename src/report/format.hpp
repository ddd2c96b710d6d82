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

// Markdown: a table cell (pipes escaped, one line), a code fence longer than any backtick run inside the
// text, the severity's icon.
std::string md_cell(std::string s);
std::string md_fence_for(const std::string& text);
const char* md_icon(Severity s);

}  // namespace gpuenv
