#include "util/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "util/strings.hpp"

namespace gpuenv {

const char* file_kind_name(FileKind k) {
  switch (k) {
    case FileKind::Missing: return "missing";
    case FileKind::Regular: return "file";
    case FileKind::Directory: return "directory";
    case FileKind::Symlink: return "symlink";
    case FileKind::CharDevice: return "char-device";
    case FileKind::BlockDevice: return "block-device";
    case FileKind::Other: return "other";
  }
  return "other";
}

Fs::Fs(std::string root) : root_(std::move(root)) {
  if (root_.empty()) root_ = "/";
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string Fs::host_path(std::string_view logical) const {
  if (root_ == "/") return std::string(logical);
  if (logical.empty() || logical[0] != '/') return root_ + "/" + std::string(logical);
  return root_ + std::string(logical);
}

std::string Fs::logical_path(std::string_view host) const {
  if (root_ == "/") return std::string(host);
  if (host.starts_with(root_) && (host.size() == root_.size() || host[root_.size()] == '/')) {
    auto rest = std::string(host.substr(root_.size()));
    return rest.empty() ? "/" : rest;
  }
  return std::string(host);
}

std::string Fs::io_path(std::string_view logical, bool follow_last) const {
  if (root_ == "/") return std::string(logical);
  if (follow_last) {
    if (auto rp = realpath(logical)) return host_path(*rp);
  }
  auto parent = realpath(dir_name(logical));
  if (!parent) return host_path(logical);
  return host_path(path_join(*parent, base_name(logical)));
}

void Fs::record(std::string_view p) const {
  if (recorder_) recorder_(std::string(p));
}

Result<std::string> Fs::read(std::string_view path, std::size_t max_bytes) const {
  record(path);
  std::string hp = io_path(path);
  int fd = ::open(hp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(std::string(path) + ": " + std::strerror(errno));
  std::string out;
  char buf[65536];
  while (out.size() < max_bytes) {
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, max_bytes - out.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return make_error(std::string(path) + ": " + std::strerror(e));
    }
    if (n == 0) break;
    out.append(buf, size_t(n));
  }
  ::close(fd);
  return out;
}

std::optional<std::string> Fs::read_opt(std::string_view path, std::size_t max_bytes) const {
  auto r = read(path, max_bytes);
  if (!r) return std::nullopt;
  return std::move(r).value();
}

std::optional<std::string> Fs::read_line(std::string_view path) const {
  auto r = read_opt(path, 1 << 16);
  if (!r) return std::nullopt;
  auto nl = r->find('\n');
  return std::string(trim(std::string_view(*r).substr(0, nl)));
}

std::vector<std::string> Fs::list(std::string_view dir, bool sorted) const {
  record(dir);
  std::vector<std::string> out;
  std::string hp = io_path(dir);
  DIR* d = ::opendir(hp.c_str());
  if (!d) return out;
  while (auto* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    out.emplace_back(e->d_name);
  }
  ::closedir(d);
  if (sorted) std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> Fs::readlink(std::string_view path) const {
  std::string hp = io_path(path, false);
  char buf[4096];
  ssize_t n = ::readlink(hp.c_str(), buf, sizeof buf - 1);
  if (n < 0) return std::nullopt;
  return std::string(buf, size_t(n));
}

static FileStat to_stat(const struct stat& st) {
  FileStat fs;
  if (S_ISREG(st.st_mode)) fs.kind = FileKind::Regular;
  else if (S_ISDIR(st.st_mode)) fs.kind = FileKind::Directory;
  else if (S_ISLNK(st.st_mode)) fs.kind = FileKind::Symlink;
  else if (S_ISCHR(st.st_mode)) fs.kind = FileKind::CharDevice;
  else if (S_ISBLK(st.st_mode)) fs.kind = FileKind::BlockDevice;
  else fs.kind = FileKind::Other;
  fs.mode = st.st_mode & 07777;
  fs.uid = st.st_uid;
  fs.gid = st.st_gid;
  fs.size = std::uint64_t(st.st_size);
  fs.mtime = std::uint64_t(st.st_mtime);
  fs.inode = std::uint64_t(st.st_ino);
  if (fs.kind == FileKind::CharDevice || fs.kind == FileKind::BlockDevice) {
    fs.dev_major = major(st.st_rdev);
    fs.dev_minor = minor(st.st_rdev);
  }
  return fs;
}

FileStat Fs::lstat(std::string_view path) const {
  struct stat st {};
  if (::lstat(io_path(path, false).c_str(), &st) != 0) return {};
  return to_stat(st);
}

FileStat Fs::stat(std::string_view path) const {
  if (root_ == "/") {
    struct stat st {};
    if (::stat(std::string(path).c_str(), &st) != 0) return {};
    return to_stat(st);
  }
  auto rp = realpath(path);
  if (!rp) return {};
  return lstat(*rp);
}

FileStat Fs::stat_node(std::string_view path) const {
  FileStat st = stat(path);
  if (is_live() || st.kind != FileKind::Regular || st.size == 0 || st.size > 32) return st;
  auto text = read_opt(path, 32);
  if (!text) return st;
  auto t = trim(*text);
  unsigned ma = 0, mi = 0;
  char type = 0, colon = 0, rest = 0;
  // "c 195:0": a type letter, the major, a colon, the minor, nothing after.
  if (std::sscanf(std::string(t).c_str(), "%c %u%c%u %c", &type, &ma, &colon, &mi, &rest) != 4 || colon != ':' ||
      (type != 'c' && type != 'b') || ma > 4095 || mi > 1048575)
    return st;
  st.kind = type == 'c' ? FileKind::CharDevice : FileKind::BlockDevice;
  st.dev_major = ma;
  st.dev_minor = mi;
  st.size = 0;
  return st;
}

std::optional<std::string> Fs::realpath(std::string_view path) const {
  if (root_ == "/" && path.starts_with('/')) {
    // The kernel resolves the whole path in one walk: open it without reading (O_PATH) and ask
    // /proc which file that is. Three system calls, where the walk below needs one or two per
    // component (`gpuenv run` resolves a dozen paths on every start). Falls through without /proc.
    int fd = ::open(std::string(path).c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    char link[64], buf[4096];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = ::readlink(link, buf, sizeof buf);
    ::close(fd);
    if (n > 0 && n < ssize_t(sizeof buf) && buf[0] == '/') return std::string(buf, size_t(n));
  }
  // Component-wise resolution so that absolute symlink targets stay under root_.
  std::vector<std::string> todo;
  {
    auto parts = split(path, '/', false);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_back(*it);
  }
  std::vector<std::string> done;
  int hops = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    std::string cur = "/" + join(done, "/");
    if (cur.size() > 1) cur += "/";
    cur += part;
    struct stat st {};
    if (::lstat(host_path(cur).c_str(), &st) != 0) return std::nullopt;
    if (S_ISLNK(st.st_mode)) {
      if (++hops > 40) return std::nullopt;
      char tbuf[4096];
      ssize_t tn = ::readlink(host_path(cur).c_str(), tbuf, sizeof tbuf - 1);
      std::optional<std::string> target;
      if (tn >= 0) target = std::string(tbuf, size_t(tn));
      if (!target) return std::nullopt;
      auto tparts = split(*target, '/', false);
      if (!target->empty() && (*target)[0] == '/') done.clear();
      for (auto it = tparts.rbegin(); it != tparts.rend(); ++it) todo.push_back(*it);
      continue;
    }
    done.push_back(part);
  }
  return "/" + join(done, "/");
}

bool Fs::access(std::string_view path, int mode) const {
  return ::access(io_path(path).c_str(), mode) == 0;
}

}  // namespace gpuenv
