#pragma once
// Every file access of a probe goes through Fs, which prefixes a root
// directory (--root) so that tests read fixture trees instead of "/".
// Paths given to and returned by Fs are the paths as seen on the inspected
// machine ("logical" paths); host_path() gives the real path on this machine.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace gpuenv {

enum class FileKind { Missing, Regular, Directory, Symlink, CharDevice, BlockDevice, Other };
const char* file_kind_name(FileKind k);

struct FileStat {
  FileKind kind = FileKind::Missing;
  std::uint32_t mode = 0;  // permission bits
  std::uint32_t uid = 0, gid = 0;
  std::uint64_t size = 0;
  std::uint64_t mtime = 0;
  unsigned dev_major = 0, dev_minor = 0;  // for device nodes
  std::uint64_t inode = 0;
};

class Fs {
 public:
  explicit Fs(std::string root = "/");
  const std::string& root() const { return root_; }
  bool is_live() const { return root_ == "/"; }

  std::string host_path(std::string_view logical) const;
  // Inverse of host_path for paths under the root; other paths are returned unchanged.
  std::string logical_path(std::string_view host) const;

  // Reads a whole file (up to max_bytes). Errors name the logical path and errno text.
  Result<std::string> read(std::string_view path, std::size_t max_bytes = 64u << 20) const;
  std::optional<std::string> read_opt(std::string_view path, std::size_t max_bytes = 64u << 20) const;
  // First line, trimmed. Handy for sysfs.
  std::optional<std::string> read_line(std::string_view path) const;
  // Names in a directory (no "." or ".."), sorted unless asked not to; empty when missing.
  std::vector<std::string> list(std::string_view dir, bool sorted = true) const;
  std::optional<std::string> readlink(std::string_view path) const;
  FileStat stat(std::string_view path) const;   // follows symlinks (within the root)
  FileStat lstat(std::string_view path) const;  // does not follow
  // stat() for a device file. A fixture tree cannot hold device nodes, so under a root other than "/" a small
  // regular file whose text is "c MAJOR:MINOR" ("b" for a block device) stands for that device; any other
  // regular file (the empty stand-ins) stays a regular file, its numbers unknown. On "/" this is stat().
  FileStat stat_node(std::string_view path) const;
  bool exists(std::string_view path) const { return stat(path).kind != FileKind::Missing; }
  bool is_dir(std::string_view path) const { return stat(path).kind == FileKind::Directory; }
  // Resolves symlinks component by component, keeping absolute link targets
  // inside the root. Returns the logical canonical path, or nullopt if a
  // component is missing or there are too many links.
  std::optional<std::string> realpath(std::string_view path) const;
  // access(2) on the host path (real permissions of the current user).
  bool access(std::string_view path, int mode) const;

  // Optional recorder of every path read, for tests that assert what a probe touched.
  void set_recorder(std::function<void(const std::string&)> rec) { recorder_ = std::move(rec); }

 private:
  void record(std::string_view p) const;
  // The host path to open for a logical path: under a root other than "/",
  // symlinks in it are resolved inside the root first (final component
  // included when follow_last).
  std::string io_path(std::string_view logical, bool follow_last = true) const;
  std::string root_;
  std::function<void(const std::string&)> recorder_;
};

}  // namespace gpuenv
