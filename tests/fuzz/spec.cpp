// gpuenv.toml (env/spec parse_spec; toml++ underneath).
#include "env/spec.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)gpuenv::parse_spec(gpuenv::fuzz::as_text(data, size), "gpuenv.toml");
  return 0;
}
