#include "util/hash.hpp"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace gpuenv {

namespace {
struct Ctx {
  sha256_ctx c{};
  Ctx() { sha256_init(&c); }
  void update(const void* p, size_t n) { sha256_update(&c, n, static_cast<const uint8_t*>(p)); }
  std::string hex() {
    uint8_t md[SHA256_DIGEST_SIZE];
    sha256_digest(&c, sizeof md, md);
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(2 * sizeof md);
    for (uint8_t b : md) {
      out += digits[b >> 4];
      out += digits[b & 15];
    }
    return out;
  }
};
}  // namespace

std::string sha256_hex(std::string_view data) {
  Ctx c;
  c.update(data.data(), data.size());
  return c.hex();
}

Result<std::string> sha256_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(path + ": " + std::strerror(errno));
  Ctx c;
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return make_error(path + ": " + std::strerror(e));
    }
    if (n == 0) break;
    c.update(buf.data(), size_t(n));
  }
  ::close(fd);
  return c.hex();
}

}  // namespace gpuenv
