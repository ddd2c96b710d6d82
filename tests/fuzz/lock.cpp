// gpuenv.lock (lock/lock parse_lock). A lock that parses is written again and must read back the same:
// the round trip `gpuenv lock` then `gpuenv verify` relies on.
#include <cstdlib>

#include "fuzz_support.hpp"
#include "lock/lock.hpp"
#include "util/hash.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  auto text = fuzz::as_text(data, size);
  auto l = parse_lock(text, "gpuenv.lock");
  if (!l) {
    // Also try the body under a correct checksum, so the fuzzer gets past the checksum line.
    auto nl = text.find("\n[");
    if (nl == std::string_view::npos) return 0;
    std::string body(text.substr(nl));
    std::string fixed = "schema = 1\nchecksum = \"sha256:" + sha256_hex(body) + "\"" + body;
    l = parse_lock(fixed, "gpuenv.lock");
    if (!l) return 0;
  }
  auto again = parse_lock(render_lock(*l), "gpuenv.lock");
  if (!again) std::abort();  // a lock gpuenv writes must be a lock gpuenv reads
  if (render_lock(*again) != render_lock(*l)) std::abort();
  return 0;
}
