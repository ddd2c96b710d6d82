#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gpuenv {

std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep, bool keep_empty = true);
std::vector<std::string> split_lines(std::string_view s);
// Splits at any of the characters in `seps`, dropping empty pieces ("a: b" with " :" -> a, b).
std::vector<std::string> split_any(std::string_view s, std::string_view seps);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string replace_all(std::string s, std::string_view from, std::string_view to);
std::string to_lower(std::string_view s);
bool contains(std::string_view s, std::string_view needle);
std::optional<long long> parse_int(std::string_view s, int base = 10);
// Reads "KEY=value" lines (os-release, pyvenv.cfg with '='), stripping quotes.
std::vector<std::pair<std::string, std::string>> parse_key_values(std::string_view text, char sep = '=');
std::string path_join(std::string_view a, std::string_view b);
std::string dir_name(std::string_view path);
std::string base_name(std::string_view path);
// Lexically normalises "a//b/./c/../d" to "a/b/d" (no symlink resolution).
std::string normalize_path(std::string_view path);
std::string human_bytes(std::uint64_t bytes);
// Quotes a word for POSIX shells when it needs quoting.
std::string shell_quote(std::string_view s);
// The text with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD (docs/schema.md).
std::string valid_utf8(std::string_view s);

}  // namespace gpuenv
