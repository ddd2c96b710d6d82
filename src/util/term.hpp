#pragma once
// Terminal styling: colour only on a TTY, never with NO_COLOR or TERM=dumb.
#include <string>
#include <string_view>

namespace gpuenv {

struct Style {
  bool color = false;
  std::string bold(std::string_view s) const;
  std::string dim(std::string_view s) const;
  std::string red(std::string_view s) const;
  std::string yellow(std::string_view s) const;
  std::string green(std::string_view s) const;
  std::string cyan(std::string_view s) const;
};

// Decides for a file descriptor: isatty(fd) && NO_COLOR unset && TERM != "dumb".
bool should_color(int fd);

}  // namespace gpuenv
