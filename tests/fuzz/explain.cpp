// The log matcher of `gpuenv explain` (knowledge/messages match_messages) on arbitrary log text.
#include "fuzz_support.hpp"
#include "knowledge/knowledge.hpp"
#include "knowledge/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  if (size > 64 * 1024) return 0;  // the matcher's speed on long logs is measured elsewhere (bench)
  (void)match_messages(Knowledge::get(), fuzz::as_text(data, size));
  return 0;
}
