// METADATA / PKG-INFO headers and .dist-info directory names (probe/python).
#include "fuzz_support.hpp"
#include "probe/python.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  auto text = fuzz::as_text(data, size);
  Distribution d;
  parse_metadata_headers(text, d);
  auto first_line = text.substr(0, text.find('\n'));
  (void)split_metadata_dir_name(first_line);
  (void)normalize_dist_name(first_line);
  return 0;
}
