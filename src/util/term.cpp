#include "util/term.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace gpuenv {

static std::string wrap(bool on, const char* code, std::string_view s) {
  if (!on) return std::string(s);
  return std::string("\x1b[") + code + "m" + std::string(s) + "\x1b[0m";
}
std::string Style::bold(std::string_view s) const { return wrap(color, "1", s); }
std::string Style::dim(std::string_view s) const { return wrap(color, "2", s); }
std::string Style::red(std::string_view s) const { return wrap(color, "31", s); }
std::string Style::yellow(std::string_view s) const { return wrap(color, "33", s); }
std::string Style::green(std::string_view s) const { return wrap(color, "32", s); }
std::string Style::cyan(std::string_view s) const { return wrap(color, "36", s); }

bool should_color(int fd) {
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  const char* term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(fd) == 1;
}

}  // namespace gpuenv
