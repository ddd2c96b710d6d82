#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "util/strings.hpp"

namespace gpuenv {

Result<bool> write_file_atomic(const std::string& path, const std::string& content, unsigned mode) {
  std::string dir = dir_name(path);
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
