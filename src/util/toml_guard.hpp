#pragma once
// What toml++ 3.3.0 (Debian 12's, the version gpuenv builds with) must never be given. Two of its parser
// paths are broken for malformed input, both fixed in later releases: a table header whose name does not
// start with a key character ("[\n", "[=", "[[#") or a '}' where an array expects a value ("a = [ } ]") fails
// an assertion (an abort in builds with assertions, an "assume" the optimiser relies on otherwise), and a non-ASCII character where it looks for whitespace
// (outside strings and comments, or after a line-ending backslash in a """ string) reaches an
// "unreachable" branch (undefined behaviour in every build). Such text is never valid TOML, so it is
// refused here, with its line and column, before toml++ sees it, as are control characters (not TOML anywhere;
// toml++ asserts on some). The whitespace function itself is also compiled correctly by util/tomlpp.hpp, since
// this guard cannot follow toml++ through every malformed text. (docs/dev-notes/NOTES-fuzzing.md)
#include <optional>
#include <string>
#include <string_view>

namespace gpuenv {

// An error "LINE:COLUMN: message" for text toml++ 3.3.0 cannot be trusted with, nullopt for any other.
std::optional<std::string> toml_unsafe_input(std::string_view text);

}  // namespace gpuenv
