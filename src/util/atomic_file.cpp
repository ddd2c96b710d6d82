#include "util/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string_view>

#include "util/strings.hpp"

namespace gpuenv {

namespace {
// Devices, FIFOs and sockets (-o /dev/null, -o /dev/stderr, a named pipe) are
// written in place: renaming a file onto them would replace the device node.
Result<bool> write_in_place(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return make_error("cannot open " + path + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return make_error("cannot write " + path + ": " + std::strerror(e));
    }
    off += size_t(n);
  }
  ::close(fd);
  return true;
}
// Temporary files of an earlier write of the same file that never finished (gpuenv killed between mkstemp and
// rename): removed once they are a minute old, so a write still in progress elsewhere keeps its own.
void remove_stale_temporaries(const std::string& dir, const std::string& prefix) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  const time_t now = ::time(nullptr);
  while (auto* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (!name.starts_with(prefix) || name.size() != prefix.size() + 6) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    if (st.st_uid == ::geteuid() && now - st.st_mtime > 60) ::unlinkat(::dirfd(d), e->d_name, 0);
  }
  ::closedir(d);
}
}  // namespace

Result<bool> write_file_atomic(const std::string& target, const std::string& content, unsigned mode) {
  std::string path = target;
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return make_error("cannot write " + target + ": it is a directory");
    if (!S_ISREG(st.st_mode)) return write_in_place(target, content);
    mode = st.st_mode & 07777;  // a replaced file keeps its mode
    // A link to a regular file: replace the file it points to and keep the link.
    if (char* real = ::realpath(target.c_str(), nullptr)) {
      path = real;
      std::free(real);
    }
  }
  std::string dir = dir_name(path);
  remove_stale_temporaries(dir, "." + base_name(path) + ".tmp.");
  std::string tmpl = path_join(dir, "." + base_name(path) + ".tmp.XXXXXX");
  std::string buf = tmpl;
  int fd = ::mkstemp(buf.data());
  if (fd < 0) return make_error("cannot create a temporary file in " + dir + ": " + std::strerror(errno));
  auto fail = [&](const char* what) {
    int e = errno;
    ::close(fd);
    ::unlink(buf.c_str());
    return make_error(std::string(what) + " " + path + ": " + std::strerror(e));
  };
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    off += size_t(n);
  }
  if (::fchmod(fd, mode) != 0) return fail("cannot set the mode of");
  if (::fsync(fd) != 0) return fail("cannot sync");
  if (::close(fd) != 0) {
    ::unlink(buf.c_str());
    return make_error("cannot close " + path + ": " + std::strerror(errno));
  }
  if (::rename(buf.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(buf.c_str());
    return make_error("cannot rename onto " + path + ": " + std::strerror(e));
  }
  return true;
}

}  // namespace gpuenv
