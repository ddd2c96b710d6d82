#include "util/hash.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace gpuenv {

namespace {
struct Ctx {
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  Ctx() { EVP_DigestInit_ex(c, EVP_sha256(), nullptr); }
  ~Ctx() { EVP_MD_CTX_free(c); }
  void update(const void* p, size_t n) { EVP_DigestUpdate(c, p, n); }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(c, md, &n);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < n; ++i) {
      out += digits[md[i] >> 4];
      out += digits[md[i] & 15];
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
