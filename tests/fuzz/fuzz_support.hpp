#pragma once
// Helpers shared by the fuzz targets (tests/fuzz/README.md). Every target defines
// LLVMFuzzerTestOneInput; built with clang's -fsanitize=fuzzer it is a libFuzzer binary, built
// with replay_main.cpp it replays the kept corpus and crash files (ctest, any compiler).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

namespace gpuenv::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// One scratch directory per process, removed at exit.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gpuenv-fuzz-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    std::filesystem::path p = tmpl;
    static struct Cleanup {
      std::filesystem::path p;
      ~Cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(p, ec);
      }
    } cleanup{p};
    return p;
  }();
  return dir;
}

inline void write_file(const std::filesystem::path& p, std::string_view body) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary).write(body.data(), std::streamsize(body.size()));
}

// A file tree in one input: records "=== relative/path\n" followed by the file's bytes up to the next
// record ("=== dir/\n" makes an empty directory; "=== a -> b\n" a symbolic link). Paths with ".."
// are skipped. Returns the tree's root (emptied first), the --root of the code under test.
inline std::string write_tree(std::string_view in) {
  namespace fs = std::filesystem;
  fs::path root = scratch_dir() / "tree";
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::create_directories(root);
  std::size_t pos = in.starts_with("=== ") ? 0 : in.find("\n=== ");
  if (pos != std::string_view::npos && pos != 0) ++pos;
  int files = 0;
  while (pos != std::string_view::npos && pos < in.size() && files++ < 64) {
    auto eol = in.find('\n', pos);
    if (eol == std::string_view::npos) eol = in.size();
    std::string name(in.substr(pos + 4, eol - pos - 4));
    auto next = in.find("\n=== ", eol);
    std::size_t body_end = next == std::string_view::npos ? in.size() : next + 1;
    std::string_view body = eol < in.size() ? in.substr(eol + 1, body_end - std::min(body_end, eol + 1)) : "";
    pos = next == std::string_view::npos ? next : next + 1;
    while (name.starts_with('/')) name.erase(0, 1);
    if (name.empty() || name.find("..") != std::string::npos || name.find('\0') != std::string::npos ||
        name.size() > 200)
      continue;
    if (auto arrow = name.find(" -> "); arrow != std::string::npos) {
      fs::path link = root / name.substr(0, arrow);
      fs::create_directories(link.parent_path(), ec);
      fs::create_symlink(name.substr(arrow + 4), link, ec);
    } else if (name.ends_with('/')) {
      fs::create_directories(root / name, ec);
    } else {
      fs::path p = root / name;
      fs::create_directories(p.parent_path(), ec);
      if (!ec && !fs::is_directory(p, ec)) std::ofstream(p, std::ios::binary).write(body.data(), std::streamsize(body.size()));
    }
  }
  return root.string();
}

// The environment of a tree's machine: the lines KEY=VALUE of its file ".fuzz-env", else `fallback`.
inline std::map<std::string, std::string> tree_env(const std::string& root, std::map<std::string, std::string> fallback) {
  std::ifstream in(root + "/.fuzz-env", std::ios::binary);
  if (!in) return fallback;
  std::map<std::string, std::string> env;
  for (std::string line; std::getline(in, line) && env.size() < 64;)
    if (auto eq = line.find('='); eq != std::string::npos && eq > 0) env[line.substr(0, eq)] = line.substr(eq + 1);
  return env;
}

}  // namespace gpuenv::fuzz
