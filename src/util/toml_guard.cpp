#include "util/toml_guard.hpp"

#include <cstdio>

namespace gpuenv {

namespace {

bool bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

}  // namespace

std::optional<std::string> toml_unsafe_input(std::string_view s) {
  // Control characters other than tab (and the line ends LF, CR LF) are not TOML anywhere, in strings and
  // comments included (https://toml.io/en/v1.0.0: Comment, String). toml++ 3.3.0 asserts on some of them after a
  // value (parser.inl: "!is_value_terminator(*cp)"), so they are refused before it sees them.
  {
    std::size_t ln = 1, start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      auto u = static_cast<unsigned char>(s[i]);
      if (u == '\n') {
        ++ln;
        start = i + 1;
      } else if ((u < 0x20 && u != '\t' && u != '\r') || u == 0x7f) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", u);
        return std::to_string(ln) + ":" + std::to_string(i - start + 1) + ": a control character (" + hex +
               ") is not allowed in TOML";
      }
    }
  }
  std::size_t line = 1, line_start = 0;
  std::string open;           // brackets and braces open in a value (arrays, inline tables), innermost last
  bool after_equals = false;  // an '=' was seen on this line: a '[' opens an array, not a table header
  bool at_line_start = true;  // only whitespace so far on this line
  char prev = '\n';           // the last character outside strings, whitespace left out ('\n' at a line start)
  auto error = [&](std::size_t at, const char* what) {
    return std::to_string(line) + ":" + std::to_string(at - line_start + 1) + ": " + what;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      at_line_start = true;
      prev = '\n';
      if (open.empty()) after_equals = false;
      continue;
    }
    if (c == '#') {  // a comment: to the end of the line
      while (i + 1 < s.size() && s[i + 1] != '\n') ++i;
      continue;
    }
    // A quote starts a string only where a key or a value starts; elsewhere ("2a"b") toml++ reads on as a bare
    // value, looking for whitespace at every character.
    const bool token_start = prev == '\n' || prev == '=' || prev == '[' || prev == '{' || prev == ',' || prev == '.';
    if ((c == '"' || c == '\'') && token_start) {
      const bool multi = s.substr(i, 3) == std::string_view(c == '"' ? "\"\"\"" : "'''");
      const std::size_t open = i;
      i += multi ? 3 : 1;
      for (; i < s.size(); ++i) {
        if (s[i] == '\n') {
          if (!multi) break;  // an unterminated string: toml++ reports it
          ++line;
          line_start = i + 1;
        } else if (c == '"' && s[i] == '\\') {
          // A line-ending backslash in a """ string: toml++ skips the whitespace that follows.
          std::size_t j = i + 1;
          while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) ++j;
          if (multi && j < s.size() && s[j] == '\n') {
            while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n')) {
              if (s[j] == '\n') ++line, line_start = j + 1;
              ++j;
            }
            if (j < s.size() && static_cast<unsigned char>(s[j]) >= 0x80)
              return error(j, "a non-ASCII character after a line-ending backslash");
            i = j - 1;
          } else {
            ++i;  // an escaped character
          }
        } else if (multi ? s.substr(i, 3) == s.substr(open, 3) : s[i] == c) {
          if (multi) i += 2;
          break;
        }
      }
      at_line_start = false;
      prev = c;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80) return error(i, "a non-ASCII character outside a string or comment");
    if (c == ' ' || c == '\t' || c == '\r') continue;
    if (c == '=') after_equals = true;
    if (c == '[' && at_line_start && open.empty() && !after_equals) {  // a table header: [name] or [[name]]
      std::size_t j = i + 1;
      if (j < s.size() && s[j] == '[') ++j;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
      if (j < s.size() && !bare_key_char(s[j]) && s[j] != '"' && s[j] != '\'' && s[j] != ']')
        return error(j, "a table header must start with a key");
      i = j - 1;
      at_line_start = false;
      prev = '[';
      continue;
    }
    if ((c == '[' || c == '{') && (!open.empty() || after_equals)) {
      open += c;
    } else if ((c == ']' || c == '}') && !open.empty()) {
      // toml++ asserts that a value in an array does not start with '}' ("a = [ } ]").
      if (c == '}' && open.back() == '[') return error(i, "a '}' inside an array");
      open.pop_back();
    }
    at_line_start = false;
    prev = c;
  }
  return std::nullopt;
}

}  // namespace gpuenv
