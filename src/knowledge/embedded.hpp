#pragma once
#include <string>
#include <vector>

namespace gpuenv::knowledge {
struct EmbeddedFile {
  std::string name;     // file name under src/knowledge/
  std::string content;  // the file's text
};
// Generated at build time by cmake/embed.cmake.
const std::vector<EmbeddedFile>& embedded_files();
}  // namespace gpuenv::knowledge
